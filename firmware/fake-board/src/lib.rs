//! The demo apps of `firmware/` on a board that lacks their parts.
//!
//! QEMU's `mps2-an385` has a UART, timers and LEDs, but no BME280, no OLED, no character LCD,
//! no button a test can press and no one typing at the UART. This crate stands in for what is
//! missing with fakes behind the very traits the apps take — so the apps run unchanged — and
//! drives them with fixed stimuli in time:
//!
//! * [`ScriptedPin`]: an input pin whose level follows a script of `(µs, level)` edges
//!   (`InputPin` and embedded-hal-async `Wait`);
//! * [`MarkedPin`]: an output pin that reports each change as a mark, then drives a real one;
//! * [`ScriptedUart`]: a UART whose input arrives at scripted times and whose output lines are
//!   reported as marks while the bytes go on to a real transmitter;
//! * [`FakeBus`]: an I2C bus with a [`Bme280`] whose temperature follows a script, an OLED
//!   that takes every write, and an [`Hd44780`] backpack whose rows are reported as marks.
//!
//! [`apps`] wires each app to these with its stimuli. The board (`boards/qemu`) prints the
//! marks with their times; the differential test runs the same functions under fwsim's
//! `Embassy` order and requires the same marks at the same times. Both sides run the same
//! fakes, so what is compared is the executor, the time driver and the interrupts — not the
//! fakes, which are kept tiny on purpose.
#![no_std]
#![warn(missing_docs)]

pub mod apps;
mod bme280;
mod i2c;
mod lcd;
mod output;
mod pin;
mod uart;

pub use bme280::Bme280;
pub use i2c::{BME280_ADDRESS, Devices, FakeBus, LCD_ADDRESS, OLED_ADDRESS};
pub use lcd::Hd44780;
pub use output::{MarkedPin, NoPin};
pub use pin::ScriptedPin;
pub use uart::{NoTx, ScriptedUart};

/// Where marks go; the implementation stamps each with the current time.
pub trait Marks {
    /// Reports `what` now.
    fn mark(&self, what: &str);
}

/// Waits until `us` microseconds after time zero.
async fn until(us: u64) {
    embassy_time::Timer::at(embassy_time::Instant::from_micros(us)).await
}

/// Microseconds since time zero.
fn now_us() -> u64 {
    embassy_time::Instant::now().as_micros()
}
