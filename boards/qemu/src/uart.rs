//! The transmitter of the CMSDK UART0 (`-serial` of QEMU), polled.

use core::convert::Infallible;

const BASE: usize = 0x4000_4000;
const DATA: *mut u32 = BASE as *mut u32;
const STATE: *mut u32 = (BASE + 0x04) as *mut u32;
const CTRL: *mut u32 = (BASE + 0x08) as *mut u32;
const BAUDDIV: *mut u32 = (BASE + 0x10) as *mut u32;
const TX_FULL: u32 = 1;
const TX_ENABLE: u32 = 1;

/// UART0's transmitter at 115,200 baud; only one may exist (see [`Uart0Tx::take`]).
pub struct Uart0Tx(());

impl Uart0Tx {
    /// Enables the transmitter; `None` after the first call.
    pub fn take() -> Option<Self> {
        static TAKEN: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
        if TAKEN.swap(true, core::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        // SAFETY: UART0's registers; this is the only handle, so nothing else writes them.
        unsafe {
            core::ptr::write_volatile(BAUDDIV, 25_000_000 / 115_200);
            core::ptr::write_volatile(CTRL, TX_ENABLE);
        }
        Some(Uart0Tx(()))
    }
}

impl embedded_io::ErrorType for Uart0Tx {
    type Error = Infallible;
}

impl embedded_io::Write for Uart0Tx {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &b in buf {
            // SAFETY: UART0's state and data registers, owned by this handle.
            unsafe {
                while core::ptr::read_volatile(STATE) & TX_FULL != 0 {}
                core::ptr::write_volatile(DATA, u32::from(b));
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
