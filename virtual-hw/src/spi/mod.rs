//! SPI: a bus with chip-selected targets, timed from the bus clock.
//!
//! Targets are selected by their chip-select *net* being low: the firmware drives the CS
//! pin itself (through [`SpiBusHandle`], an `embedded_hal::spi::SpiBus`, as
//! embedded-hal-bus's `ExclusiveDevice` does) or lets a [`SpiDeviceHandle`] (an
//! `embedded_hal::spi::SpiDevice`) drive it around each transaction. A byte exchanged with no
//! target selected reads 0xFF (MISO floats high); two targets selected at once is reported
//! (`MultipleSelected`), as their MISO drivers fight.
//!
//! Each byte takes 8 bit times; a target sees every byte at its exact time. The blocking
//! traits spend the transfer as busy time, the async ones wait. Dropping an async transfer
//! after its first poll does not undo it: the target has the bytes (cancel safety as for
//! [I2C](crate::i2c)); a dropped `SpiDevice` transaction still releases its chip select.
//!
//! A part with no model can be stood in for by an embedded-hal-mock transaction list:
//! [`SpiBus::mock_device`].

use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;

use embedded_hal::digital::OutputPin;
use embedded_hal::spi::{ErrorKind, Operation};
use fwsim::{Irq, SimTime};

use crate::bit_time_ns;
use crate::board::Board;
use crate::gpio::{Edge, Pin, Probe};
use crate::signal::{SignalKind, Value};

mod bus;
mod device;
mod handle;
mod mock;
mod target;

pub use bus::SpiBus;
pub(crate) use bus::SpiBuses;
pub use device::SpiDeviceHandle;
pub use handle::SpiBusHandle;
pub use mock::MockSpiDevice;
pub use target::*;
