//! UART: exact byte timing, a receive FIFO that overruns, line errors, and peers.
//!
//! ## Timing
//!
//! A frame is a start bit, the data bits, an optional parity bit and the stop bits: 10 bits
//! at 8N1. Bytes written back to back form a *stream*; byte `k` of a stream that began at
//! `t0` ends at `t0 + round((k+1) · frame_bits · 10⁹ / baud)` ns, so one 9600 8N1 byte takes
//! 1,041,667 ns and 9,600 bytes take exactly 10 s. Decoded bytes are stamped (in the
//! [signal record](crate::signal) and at the receiver) when their last stop bit ends.
//!
//! * `write` returns as soon as at least one byte is in the 32-byte TX FIFO (waiting while
//!   it is full); `flush` returns when the last stop bit has left the pin.
//! * `read` returns the bytes received so far (at least one), waiting if there are none.
//!
//! ## Receiving: unbuffered and buffered
//!
//! [`RxMode::Unbuffered`] is a bare peripheral: a read *arms* DMA for up to its buffer's
//! length; bytes arriving while no read is armed queue in the 32-byte hardware FIFO, and the
//! 33rd is lost: **overrun**, the classic "bytes lost between reads" bug of a task that
//! does something else between reads. [`RxMode::Buffered`] is an interrupt-driven ring
//! (embassy's `BufferedUart`): bytes are kept until the ring is full.
//!
//! A line error ([`UartError`]: overrun, framing, parity, noise, break) is reported **once**,
//! by a read that returns it instead of data. [`ErrorOrder`] says which read:
//!
//! * [`ErrorOrder::First`] (the default): the next read, before any bytes still kept.
//! * [`ErrorOrder::InStream`] (embassy-rp's `BufferedUart`): the read after the bytes that
//!   arrived before the error; the bytes after it follow.
//!
//! A receiver whose baud rate or frame format differs from the sender's gets `Framing`
//! errors instead of bytes.
//!
//! ## Where an overrun's gap is
//!
//! The FIFO keeps the bytes that arrived *before* it filled; the ones lost are those that
//! arrived while it was full. So the gap sits *after* the kept bytes. With
//! [`ErrorOrder::First`] the read that returns `Overrun` comes before the kept bytes, and the
//! missing bytes lie between the last kept byte and what arrived once there was room again;
//! with [`ErrorOrder::InStream`] they lie exactly where `Overrun` is read.
//! ([`Uart::overruns`] counts them.)
//!
//! ## Cancel safety
//!
//! * Dropping a `write` future before it returns writes nothing; after `write` returned,
//!   bytes in the TX FIFO go out whatever happens to the caller.
//! * Dropping an unbuffered `read` that has received bytes into its armed DMA buffer
//!   **loses those bytes**, as stopping a DMA transfer into a dropped buffer does on
//!   hardware. A buffered read loses nothing. Use buffered mode under `with_timeout`.
//! * Dropping a `flush` future has no effect on the line.
//!
//! ```
//! use embedded_io_async::{Read, Write};
//! use fwsim_hw::Board;
//! use fwsim_hw::uart::UartConfig;
//!
//! fwsim::test(|sim| {
//!     let board = Board::new();
//!     let mut uart = board.uart("UART1", UartConfig::new(9600));
//!     let peer = uart.peer();
//!     peer.send_at(fwsim::SimTime::from_millis(1), b"hi");
//!     let echo = sim.spawn("echo", async move {
//!         let mut buf = [0u8; 8];
//!         let n = uart.read(&mut buf).await.unwrap();
//!         uart.write_all(&buf[..n]).await.unwrap();
//!         uart.flush().await.unwrap();
//!         fwsim::now()
//!     });
//!     sim.run_for(fwsim::ms(10)).unwrap();
//!     // The first byte ends at 1 ms + 1,041,667 ns; the echo of it one frame later.
//!     assert_eq!(sim.join(echo).unwrap().as_nanos(), 1_000_000 + 2 * 1_041_667);
//! });
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use fwsim::{Irq, SimTime};

use crate::bit_time_ns;
use crate::board::Board;
use crate::signal::{SignalKind, Value};

mod config;
mod device;
mod factory;
mod handle;
mod io;
mod peer;
mod split;
mod state;

pub use config::*;
pub use device::{UartContext, UartDevice};
pub use handle::{Uart, UartMonitor};
pub use io::BLOCKING_READ_LIMIT;
pub use peer::UartPeer;
pub use split::{UartRx, UartTx};
pub(crate) use state::Uarts;

use state::*;
