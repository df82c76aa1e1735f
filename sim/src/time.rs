//! Virtual time: nanoseconds inside, embassy ticks outside.
//!
//! The simulator keeps one clock in **nanoseconds** (`u64`, about 584 years of range), so that
//! a 9600-baud UART byte (1,041,667 ns) or a 400 kHz I2C byte is exact. Firmware sees that clock
//! through embassy-time, in ticks of [`embassy_time_driver::TICK_HZ`] — 1 MHz by default,
//! 32,768 Hz on nRF boards — never assume one or the other:
//!
//! * `ticks = floor(ns · TICK_HZ / 10⁹)` ([`ns_to_ticks`]): what `Instant::now()` returns;
//! * a deadline of `t` ticks falls due at the first nanosecond whose tick count reaches `t`,
//!   `ceil(t · 10⁹ / TICK_HZ)` ([`ticks_to_ns`]).
//!
//! [`SimTime`] is a point on the virtual clock, [`IntoNanos`] accepts both `std` and embassy
//! durations wherever the simulator takes a span of time.

use core::fmt;

pub use embassy_time_driver::TICK_HZ;

const NS_PER_S: u128 = 1_000_000_000;

/// Nanoseconds per tick when the tick rate divides a second evenly (1 MHz, 1 kHz…): the
/// conversions are then one multiplication or one division by a constant, which matters on the
/// run loop's hot path. Otherwise (32,768 Hz) they go through `u128`.
const NS_PER_TICK: Option<u64> = if 1_000_000_000 % TICK_HZ == 0 { Some(1_000_000_000 / TICK_HZ) } else { None };

/// Converts nanoseconds to embassy ticks, rounding down (what a hardware counter shows).
#[inline]
pub fn ns_to_ticks(ns: u64) -> u64 {
    match NS_PER_TICK {
        Some(k) => ns / k,
        None => ((ns as u128 * TICK_HZ as u128) / NS_PER_S) as u64,
    }
}

/// Converts embassy ticks to the first nanosecond at which the tick counter reaches them.
///
/// Saturates at `u64::MAX` ("never"): `Timer::at(Instant::MAX)` must not wrap to the past.
#[inline]
pub fn ticks_to_ns(ticks: u64) -> u64 {
    match NS_PER_TICK {
        Some(k) => ticks.saturating_mul(k),
        None => u64::try_from((ticks as u128 * NS_PER_S).div_ceil(TICK_HZ as u128)).unwrap_or(u64::MAX),
    }
}

/// A point in virtual time, in nanoseconds since the simulated power-on.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct SimTime(pub u64);

impl SimTime {
    /// Power-on.
    pub const ZERO: SimTime = SimTime(0);

    /// From nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }
    /// From microseconds.
    pub const fn from_micros(us: u64) -> Self {
        SimTime(us * 1_000)
    }
    /// From milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms * 1_000_000)
    }
    /// From seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s * 1_000_000_000)
    }
    /// Nanoseconds since power-on.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Whole microseconds since power-on.
    pub const fn as_micros(self) -> u64 {
        self.0 / 1_000
    }
    /// Whole milliseconds since power-on.
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000_000
    }
    /// The embassy [`Instant`](embassy_time::Instant) that firmware reads at this time.
    pub fn to_instant(self) -> embassy_time::Instant {
        embassy_time::Instant::from_ticks(ns_to_ticks(self.0))
    }
    /// The time at which an embassy [`Instant`](embassy_time::Instant) is reached.
    pub fn from_instant(i: embassy_time::Instant) -> Self {
        SimTime(ticks_to_ns(i.as_ticks()))
    }
    /// `self + d`, saturating at the end of time.
    pub fn saturating_add(self, d: impl IntoNanos) -> Self {
        SimTime(self.0.saturating_add(d.into_nanos()))
    }
    /// `self - d`, saturating at power-on.
    pub fn saturating_sub(self, d: impl IntoNanos) -> Self {
        SimTime(self.0.saturating_sub(d.into_nanos()))
    }
    /// `self + d`, or `None` past the end of time.
    pub fn checked_add(self, d: impl IntoNanos) -> Option<Self> {
        self.0.checked_add(d.into_nanos()).map(SimTime)
    }
    /// `self - d`, or `None` before power-on.
    pub fn checked_sub(self, d: impl IntoNanos) -> Option<Self> {
        self.0.checked_sub(d.into_nanos()).map(SimTime)
    }
    /// The time from `earlier` to `self`; zero if `earlier` is later (as `std::time::Instant`).
    pub fn duration_since(self, earlier: SimTime) -> core::time::Duration {
        core::time::Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

/// `SimTime ± Duration` for both kinds of duration ([`IntoNanos`]): panics past the end of
/// time or before power-on, like `std::time::Instant` (the `checked_*` and `saturating_*`
/// methods do not).
macro_rules! arithmetic {
    ($($d:ty),*) => {$(
        impl core::ops::Add<$d> for SimTime {
            type Output = SimTime;
            fn add(self, d: $d) -> SimTime {
                self.checked_add(d).expect("fwsim: SimTime + duration overflows")
            }
        }
        impl core::ops::AddAssign<$d> for SimTime {
            fn add_assign(&mut self, d: $d) {
                *self = *self + d;
            }
        }
        impl core::ops::Sub<$d> for SimTime {
            type Output = SimTime;
            fn sub(self, d: $d) -> SimTime {
                self.checked_sub(d).expect("fwsim: SimTime - duration is before power-on")
            }
        }
        impl core::ops::SubAssign<$d> for SimTime {
            fn sub_assign(&mut self, d: $d) {
                *self = *self - d;
            }
        }
    )*};
}
arithmetic!(core::time::Duration, embassy_time::Duration);

/// `later - earlier`: the time between, zero if `earlier` is later (as `std::time::Instant`).
///
/// ```
/// use fwsim::SimTime;
/// use std::time::Duration;
/// let press = SimTime::from_millis(1_000);
/// let led_on = press + Duration::from_micros(33_000);
/// assert_eq!(led_on - press, Duration::from_millis(33));
/// assert_eq!(led_on - embassy_time::Duration::from_millis(33), press);
/// assert_eq!(press - led_on, Duration::ZERO);
/// ```
impl core::ops::Sub for SimTime {
    type Output = core::time::Duration;
    fn sub(self, earlier: SimTime) -> core::time::Duration {
        self.duration_since(earlier)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}s", self.0 / 1_000_000_000, self.0 % 1_000_000_000)
    }
}

impl fmt::Debug for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A span of time the simulator can take: `std::time::Duration` (exact to the nanosecond) or
/// `embassy_time::Duration` (whole ticks).
pub trait IntoNanos {
    /// The span in nanoseconds, saturating at `u64::MAX`.
    fn into_nanos(self) -> u64;
}

impl IntoNanos for core::time::Duration {
    fn into_nanos(self) -> u64 {
        u64::try_from(self.as_nanos()).unwrap_or(u64::MAX)
    }
}

impl IntoNanos for embassy_time::Duration {
    fn into_nanos(self) -> u64 {
        ticks_to_ns(self.as_ticks())
    }
}

/// Milliseconds as a [`core::time::Duration`], for terse test code: `sim.run_for(ms(5))`.
pub const fn ms(ms: u64) -> core::time::Duration {
    core::time::Duration::from_millis(ms)
}

/// Microseconds as a [`core::time::Duration`].
pub const fn us(us: u64) -> core::time::Duration {
    core::time::Duration::from_micros(us)
}

/// Seconds as a [`core::time::Duration`].
pub const fn secs(s: u64) -> core::time::Duration {
    core::time::Duration::from_secs(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_conversions_round_trip() {
        for ticks in [0u64, 1, 2, 999, 1_000_000, 1 << 32, 1 << 40] {
            let ns = ticks_to_ns(ticks);
            assert_eq!(ns_to_ticks(ns), ticks, "ticks {ticks}");
            if ns > 0 {
                assert_eq!(ns_to_ticks(ns - 1), ticks - 1, "one ns earlier is one tick earlier");
            }
        }
        assert_eq!(ticks_to_ns(u64::MAX), u64::MAX);
    }

    #[test]
    fn display_is_seconds_with_nanoseconds() {
        assert_eq!(SimTime::from_millis(1_500).to_string(), "1.500000000s");
    }
}
