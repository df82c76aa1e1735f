//! GPIO: pins wired into nets, with drivers, pulls, buttons, jumpers and LEDs.
//!
//! Every pin sits on a **net**. A net's level is resolved from everything attached to it,
//! strongest first:
//!
//! 1. *strong* drivers: push-pull outputs (high or low), open-drain outputs that pull low,
//!    closed buttons (to their rail), external drive from a test ([`Pin::drive_at`]);
//! 2. *weak* pulls: a pin's pull-up or pull-down (in any mode);
//! 3. nothing: the net **floats**.
//!
//! A high and a low strong driver on one net is **contention** (a short circuit on a board):
//! reported as a [`Hardware`](fwsim::Diagnostic::Hardware) diagnostic with rule `Contention`
//! and shown as `x` in the VCD. Reading a floating net reports `FloatingRead` (once per
//! floating spell) and reads low; a floating net is `z` in the VCD. Both read as low.
//!
//! [`Board::jumper`] joins two pins' nets (an output looped back to an input); a
//! [`Button`] closes a net to a rail, with optional seeded contact [`Bounce`]; an [`Led`]
//! watches a net.
//!
//! ## Waiting and interrupts
//!
//! [`Pin`] implements `embedded_hal_async::digital::Wait` as embassy's HALs do: an edge
//! counts only while a wait is armed (an edge before the first poll is missed), and
//! `wait_for_high` on a high pin returns at once. Dropping a wait future disarms it.
//! Level changes reach waiters and [`Pin::on_edge`] handlers in interrupt context: a change
//! caused by a task (a write to a jumpered output) raises the pin's interrupt, which runs at
//! the point of the write (or when the task's critical section ends); a change from a
//! stimulus runs in the stimulus's own scheduled interrupt.
//!
//! ```
//! use embedded_hal::digital::OutputPin;
//! use embedded_hal_async::digital::Wait;
//! use fwsim_hw::{Board, Drive, Level, Pull};
//!
//! fwsim::test(|sim| {
//!     let board = Board::new();
//!     let mut out = board.output("OUT", Drive::PushPull, Level::Low);
//!     let mut input = board.input("IN", Pull::None);
//!     board.jumper(&out, &input);
//!     let waiter = sim.spawn("waiter", async move {
//!         input.wait_for_rising_edge().await.unwrap();
//!         fwsim::now()
//!     });
//!     sim.spawn("driver", async move {
//!         embassy_time::Timer::after_millis(3).await;
//!         out.set_high().unwrap();
//!     });
//!     sim.run_for(fwsim::ms(5)).unwrap();
//!     assert_eq!(sim.join(waiter).unwrap(), fwsim::SimTime::from_millis(3));
//! });
//! ```

use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;
use std::task::{Poll, Waker};

use fwsim::{IntoNanos, Irq, SimTime};

use crate::board::Board;
use crate::signal::{Logic, SignalKind, Value};

mod button;
mod device;
mod factory;
mod hal;
mod pin;
mod reclaim;
mod state;
mod types;

pub use button::{Button, Led};
pub use device::{PinContext, PinDevice};
pub use pin::{Pin, Probe};
pub(crate) use state::Gpio;
pub use types::*;

use state::*;
