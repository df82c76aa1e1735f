//! I2C: a bus of addressed device models, timed from the bus clock, with injected faults.
//!
//! ## Timing
//!
//! A transaction costs one bit time for each START (and repeated START), nine for the
//! address byte and for each data byte (eight bits and the acknowledge), and one for the
//! STOP; adjacent operations of the same direction share one address phase, as
//! embedded-hal specifies. At 400 kHz a bit takes 2,500 ns, so writing one command byte
//! takes (1 + 9 + 9 + 1) × 2.5 µs = 50 µs. A NACK ends the transaction early (the master
//! sends STOP after it). Devices may stretch the clock ([`I2cContext::stretch_until`]).
//!
//! The blocking `embedded_hal::i2c::I2c` (and embedded-hal 0.2's `blocking::i2c`) spends the
//! transfer as busy time; the async `embedded_hal_async::i2c::I2c` lets other tasks run and
//! returns when the STOP ends. A device sees a transaction at its START.
//!
//! ## Devices
//!
//! A model implements [`I2cDevice`], either byte by byte (`start`/`write`/`read`/`stop`,
//! with exact times from the context) or a whole transaction at once (as the
//! [`MockDevice`] adapter for embedded-hal-mock does). An address nobody answers is NACKed.
//!
//! ## Faults
//!
//! [`I2cBus::inject_at`] makes the first transaction at or after a time fail with a NACK,
//! an arbitration loss, or a stuck SDA line (bus errors until it is released);
//! [`I2cBus::random_faults`] draws NACKs and arbitration losses from the simulation's seed.
//!
//! ## Cancel safety
//!
//! Dropping an async transaction's future after its first poll does not undo it: the device
//! has seen it, and the bus stays busy until its STOP (a transfer under way on hardware
//! finishes or is cut at a byte boundary; either way the device has acted on what it got).
//! A transaction started later waits for the bus.
//!
//! ```
//! use embedded_hal_async::i2c::I2c;
//! use fwsim_hw::Board;
//! use fwsim_hw::devices::Eeprom24;
//!
//! fwsim::test(|sim| {
//!     let board = Board::new();
//!     let bus = board.i2c_bus("I2C0", 400_000);
//!     bus.attach(0x50, "eeprom", Eeprom24::c02());
//!     let mut i2c = bus.handle();
//!     let task = sim.spawn("rw", async move {
//!         i2c.write(0x50, &[0x10, 1, 2, 3]).await.unwrap();
//!         embassy_time::Timer::after_millis(5).await; // the write cycle
//!         let mut back = [0u8; 3];
//!         i2c.write_read(0x50, &[0x10], &mut back).await.unwrap();
//!         back
//!     });
//!     sim.run_for(fwsim::ms(10)).unwrap();
//!     assert_eq!(sim.join(task).unwrap(), [1, 2, 3]);
//! });
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation};
use fwsim::{Irq, SimTime};

use crate::bit_time_ns;
use crate::board::Board;
use crate::signal::{SignalKind, Value};

mod bus;
mod device;
mod hal;
mod handle;
mod mock;

pub use bus::I2cBus;
pub(crate) use bus::I2cBuses;
pub use device::*;
pub use handle::I2c;
pub use mock::MockDevice;
