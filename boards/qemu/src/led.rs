//! The FPGA's user LEDs of the AN385 image.

use core::convert::Infallible;

/// One of the FPGA's user LEDs (`0x4002_8000`, bits 0 and 1), as an output pin.
pub struct FpgaLed(u32);

impl FpgaLed {
    /// LED `index` (0 or 1).
    pub const fn new(index: u32) -> Self {
        FpgaLed(1 << index)
    }
}

const LED: *mut u32 = 0x4002_8000 as *mut u32;

impl embedded_hal::digital::ErrorType for FpgaLed {
    type Error = Infallible;
}

impl embedded_hal::digital::OutputPin for FpgaLed {
    fn set_low(&mut self) -> Result<(), Infallible> {
        // SAFETY: the LED register; a read-modify-write in a critical section, as both LEDs share it.
        critical_section::with(|_| unsafe { core::ptr::write_volatile(LED, core::ptr::read_volatile(LED) & !self.0) });
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        // SAFETY: as in `set_low`.
        critical_section::with(|_| unsafe { core::ptr::write_volatile(LED, core::ptr::read_volatile(LED) | self.0) });
        Ok(())
    }
}
