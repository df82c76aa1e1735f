//! [`DeviceContext`]: what every device model is given, whatever the part hangs on.
//!
//! A model on an I2C bus gets an [`I2cContext`](crate::i2c::I2cContext), on an SPI bus an
//! [`SpiContext`](crate::spi::SpiContext), on wires a [`PinContext`](crate::PinContext), on a
//! UART line a [`UartContext`](crate::uart::UartContext). Each has what only its wiring has
//! (an I2C address, clock stretching, pin levels, bytes to send); all of them implement this
//! trait, so code shared between models (a timing check, a fault injector) takes any of them.

use fwsim::SimTime;

/// The time, the line's speed, violation reports, and randomness from the simulation's seed.
pub trait DeviceContext {
    /// The virtual time (on a bus: the time of the bit being clocked).
    fn now(&self) -> SimTime;
    /// The bus clock or the line's baud rate, in Hz; `None` for plain wires.
    fn line_hz(&self) -> Option<u64>;
    /// Reports a protocol or timing violation by this part: a
    /// [`Hardware`](fwsim::Diagnostic::Hardware) diagnostic naming it.
    fn report(&self, rule: &'static str, detail: String);
    /// A number below `n` (at least 1) from the board's stream, seeded by the simulation's
    /// seed: a printed seed replays it (noise, a sensor's jitter, a flaky contact).
    fn random_below(&self, n: u64) -> u64;
}
