//! The asyncio toolkit's input drivers, for `no_std` Rust over embedded-hal.
//!
//! Each driver is a small state object plus a `run` future that does its polling and timing —
//! where the Python version starts hidden tasks, the firmware spawns (or joins) `run` once,
//! and dropping it is `deinit()`. Results arrive both ways the toolkit offers: an
//! [`Event`](fwsim_primitives::Event) per kind of happening, and a synchronous callback given
//! to `run`.
//!
//! Timing is relative to what the driver can see. A contact is *sampled* every debounce
//! period (50 ms by default), so an edge is noticed at the next poll, 0–50 ms after it
//! happened, and a long press fires `long_press` after *that poll*. Under fwsim the whole
//! chain is exact and reproducible, bounce included.
//!
//! | driver | Python | what |
//! |---|---|---|
//! | [`Switch`] | `Switch`, `ESwitch` | debounced contact: closed/opened |
//! | [`Pushbutton`] | `Pushbutton` | press, release, long, double, with `suppress` and `sense` |
//! | [`EButton`] | `EButton` | the event-only button, with its own `suppress` rules |
//! | [`Encoder`] | `Encoder` | quadrature knob: interrupt counts, a task scales, clamps and wraps |
//! | [`Htu21d`] | `HTU21D` (`htu21d_mc.py`) | temperature and humidity over I2C, CRC-checked |
#![no_std]
#![warn(missing_docs)]

mod adc;
mod button;
mod ebutton;
mod encoder;
pub mod gps;
mod htu21d;
mod keypad;
mod lcd;
mod nec;
pub mod sched;
mod switch;
pub mod syncom;

pub use adc::{Aadc, Band, ReadU16};
pub use button::{ButtonEvent, Pushbutton, PushbuttonConfig};
pub use ebutton::EButton;
pub use encoder::{Encoder, EncoderConfig, EncoderError};
pub use gps::{Gps, GpsFix, GpsStats, NmeaError, Sentence};
pub use htu21d::{HTU21D_ADDRESS, Htu21d, Htu21dError};
pub use keypad::{IDLE_SCAN, Keyboard, SwArray, SwEvents};
pub use lcd::{Lcd, LcdPins};
pub use nec::{NEC_BLOCK, NEC_BLOCK_EXTENDED, NecDecoder, NecError, NecEvent};
pub use switch::{Switch, SwitchEvent};
pub use syncom::{SynCom, SynComPins};
