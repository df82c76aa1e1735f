//! The target side of a bus: the [`SpiTarget`] trait a model implements, and its context.

use super::*;

/// The priority of SPI completion interrupts.
pub const SPI_IRQ_PRIORITY: u8 = 3;

/// What a target knows while it exchanges a byte.
pub struct SpiContext {
    pub(super) now: SimTime,
    pub(super) hz: u64,
    pub(super) device: String,
    pub(super) board: Board,
}

impl crate::DeviceContext for SpiContext {
    fn now(&self) -> SimTime {
        self.now
    }
    fn line_hz(&self) -> Option<u64> {
        Some(self.hz)
    }
    fn report(&self, rule: &'static str, detail: String) {
        self.violation(rule, detail);
    }
    fn random_below(&self, n: u64) -> u64 {
        self.board.random_below(n)
    }
}

impl SpiContext {
    /// When the byte's last bit is clocked.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The bus clock in Hz.
    pub fn bus_hz(&self) -> u64 {
        self.hz
    }

    /// Reports a protocol or timing violation by this target.
    pub fn violation(&self, rule: &'static str, detail: impl Into<String>) {
        fwsim::diag::report_hardware(self.device.clone(), rule, detail);
    }
}

/// A target on an SPI bus.
pub trait SpiTarget {
    /// Exchanges one byte: `mosi` in, the returned byte out.
    fn exchange(&mut self, ctx: &mut SpiContext, mosi: u8) -> u8;

    /// Chip select was released (a frame ended).
    fn deselected(&mut self) {}

    /// The board lost power and got it back: as [`I2cDevice::power_cycle`](crate::i2c::I2cDevice::power_cycle).
    fn power_cycle(&mut self) {}
}
