//! The same firmware on fwsim and on a Cortex-M, compared mark by mark.
//!
//! A board crate built on `boards/qemu` (crate `fwsim-board-qemu`) runs firmware under the
//! real embassy-executor on QEMU's `mps2-an385` (a Cortex-M3), one nanosecond of virtual time
//! per instruction, and prints a line `mark <µs> <label>` for each mark, then `end`. This
//! crate is the host's half:
//!
//! * [`build`] builds such a crate (its own workspace, its own `.cargo/config.toml`) and says
//!   where its binaries went;
//! * [`run`] runs one under `qemu-system-arm` and reads back its marks and what it sent on
//!   UART0;
//! * [`MarkLog`] records the same marks under fwsim, stamped with virtual time;
//! * [`assert_same`] requires the two lists to agree in order, and in time within a
//!   tolerance, and prints them side by side when they do not.
//!
//! A board spends time running code and fwsim does not, so a board's mark comes a little
//! later: a few µs for a few lines of code, a few hundred after a burst of driver delays.
//!
//! ```no_run
//! use std::path::Path;
//!
//! use fake_board::{MarkedPin, NoPin};
//! use fwsim::{Order, SimConfig, SimTime};
//! use fwsim_qemu::MarkLog;
//!
//! # async fn blinky(_: impl embedded_hal::digital::OutputPin) {}
//! // The firmware under fwsim's `Embassy` order, its LED reporting marks…
//! let on_fwsim = fwsim::scope(SimConfig::new().order(Order::Embassy), |sim| {
//!     let log = &*sim.alloc(MarkLog::new());
//!     sim.spawn("blinky", blinky(MarkedPin::new("led", log, NoPin)));
//!     sim.run_until(SimTime::from_millis(3000)).unwrap();
//!     log.take()
//! });
//! // …and on the board, whose binary does the same with a real LED.
//! let bins = fwsim_qemu::build(Path::new("board"));
//! let on_board = fwsim_qemu::run(&bins.path("blinky-board"));
//! fwsim_qemu::assert_same("blinky", &on_board.marks, &on_fwsim, 50);
//! ```
//!
//! Needs `rustup target add thumbv7m-none-eabi` and `qemu-system-arm`; without either, the
//! call that needs it panics and says what to install.

mod compare;
mod qemu;

pub use compare::{MarkLog, Marks, assert_same};
pub use qemu::{Binaries, BoardRun, WALL_LIMIT, build, run};
