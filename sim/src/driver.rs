//! fwsim's embassy-time driver.
//!
//! Linking fwsim registers it with `embassy_time_driver::time_driver_impl!`: `Instant::now()`
//! reads the current simulation's clock and every `Timer`, `Ticker`, `with_timeout` and async
//! `Delay` lands in its timer queue. Exactly one driver may be linked, so **do not enable
//! embassy-time's `std` or `mock-driver` features** beside fwsim (the link fails with a
//! duplicate `_embassy_time_now`).

use core::task::Waker;

use crate::context::expect_current;

struct SimDriver;

impl embassy_time_driver::Driver for SimDriver {
    fn now(&self) -> u64 {
        expect_current(|s| s.driver_now())
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        expect_current(|s| s.driver_schedule_wake(at, waker))
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SimDriver = SimDriver);
