//! Delays that firmware passes to drivers: [`Delay`].

use crate::context::expect_current;

/// Blocking and async delays on the simulated clock.
///
/// Drivers such as `ag-lcd`, `hd44780-driver` or `ssd1306`'s `reset()` take a *blocking*
/// `DelayNs` (or embedded-hal 0.2 `DelayMs`/`DelayUs`). On a board that spins the CPU; in the
/// simulator it is **busy time**: the clock advances inside the poll by exactly the requested
/// nanoseconds, timers and interrupts that fall due meanwhile are delivered at their own
/// times, and no other task runs until the poll returns. The async `DelayNs` is an embassy
/// `Timer` (whole ticks, rounded up, like `embassy_time::Delay`).
///
/// `embassy_time::Delay` works too — its blocking delay spins on `Instant::now()`, which the
/// simulator detects after [`SimConfig::spin_threshold`](crate::SimConfig) reads and then
/// advances tick by tick — but `fwsim::Delay` is exact to the nanosecond.
///
/// Firmware should stay generic over `DelayNs`: board code passes `embassy_time::Delay`, tests
/// pass `fwsim::Delay`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Delay;

impl embedded_hal::delay::DelayNs for Delay {
    fn delay_ns(&mut self, ns: u32) {
        expect_current(|s| s.busy_wait(ns as u64));
    }
    fn delay_us(&mut self, us: u32) {
        expect_current(|s| s.busy_wait(us as u64 * 1_000));
    }
    fn delay_ms(&mut self, ms: u32) {
        expect_current(|s| s.busy_wait(ms as u64 * 1_000_000));
    }
}

impl embedded_hal_async::delay::DelayNs for Delay {
    async fn delay_ns(&mut self, ns: u32) {
        embassy_time::Timer::after_nanos(ns as u64).await
    }
    async fn delay_us(&mut self, us: u32) {
        embassy_time::Timer::after_micros(us as u64).await
    }
    async fn delay_ms(&mut self, ms: u32) {
        embassy_time::Timer::after_millis(ms as u64).await
    }
}

macro_rules! impl_delay_02 {
    ($($t:ty),*) => {$(
        impl embedded_hal_02::blocking::delay::DelayMs<$t> for Delay {
            fn delay_ms(&mut self, ms: $t) {
                expect_current(|s| s.busy_wait(ms as u64 * 1_000_000));
            }
        }
        impl embedded_hal_02::blocking::delay::DelayUs<$t> for Delay {
            fn delay_us(&mut self, us: $t) {
                expect_current(|s| s.busy_wait(us as u64 * 1_000));
            }
        }
    )*};
}
impl_delay_02!(u8, u16, u32, u64);
