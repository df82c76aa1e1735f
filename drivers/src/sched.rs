//! [`Cron`] and [`schedule`]: the toolkit's cron-like scheduler (`sched`), 1 s resolution.
//!
//! A [`Cron`] is a validated, stateless specification; [`Cron::wait_secs`] answers "how many
//! seconds from `now` to the next matching time" (0 when `now` matches). [`schedule`] waits
//! for matches on a [`WallClock`] and runs an action at each.
//!
//! Matching, as the toolkit documents it: each field is a wildcard, one value or a set.
//! `secs` may not be a wildcard, and a set of seconds must be at least 10 s apart (the
//! toolkit's fix for double firing). When both `mday` and `wday` are given, `mday` comes
//! first: the match is the first day on or after an `mday` whose weekday is in `wday` —
//! `mday: 8, wday: 6` is "the second Sunday" (so `mday` must then be ≤ 22). Weekdays count
//! from Monday = 0. Time is whatever the clock says (no time zones, no DST).

use core::fmt;

use embassy_time::{Duration, Timer};

/// One field of a [`CronSpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field<'a> {
    /// Any value (Python's `None`).
    Any,
    /// Exactly this value.
    At(u8),
    /// Any of these values.
    OneOf(&'a [u8]),
}

/// What to match, field by field. The defaults are the toolkit's: daily at 03:00:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CronSpec<'a> {
    /// Seconds, 0–59 (never [`Field::Any`]).
    pub secs: Field<'a>,
    /// Minutes, 0–59.
    pub mins: Field<'a>,
    /// Hours, 0–23.
    pub hrs: Field<'a>,
    /// Day of the month, 1–31.
    pub mday: Field<'a>,
    /// Month, 1–12.
    pub month: Field<'a>,
    /// Day of the week, 0–6, Monday = 0.
    pub wday: Field<'a>,
}

impl CronSpec<'_> {
    /// Daily at 03:00:00.
    pub const fn new() -> Self {
        CronSpec {
            secs: Field::At(0),
            mins: Field::At(0),
            hrs: Field::At(3),
            mday: Field::Any,
            month: Field::Any,
            wday: Field::Any,
        }
    }
}

impl Default for CronSpec<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a [`CronSpec`] was refused (the toolkit's `ValueError`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CronError {
    /// `secs` was a wildcard.
    AnySecs,
    /// Two values of a `secs` set are less than 10 s apart.
    SecsTooClose,
    /// A value is out of its field's range (the field's name).
    OutOfRange(&'static str),
    /// An empty set.
    Empty(&'static str),
    /// An `mday` no `month` of the spec has (February counts 28 days).
    NoSuchDay,
    /// `mday` above 22 together with `wday`.
    MdayTooLateForWday,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CronError::AnySecs => f.write_str("invalid wildcard for secs"),
            CronError::SecsTooClose => f.write_str("seconds values must be >= 10s apart"),
            CronError::OutOfRange(field) => write!(f, "argument {field} out of range"),
            CronError::Empty(field) => write!(f, "argument {field} is an empty set"),
            CronError::NoSuchDay => f.write_str("invalid no. of days for month"),
            CronError::MdayTooLateForWday => f.write_str("mday must be <= 22 if wday also specified"),
        }
    }
}

impl core::error::Error for CronError {}

/// A validated cron specification (see the [module docs](self)); `Copy`, no allocation.
///
/// ```
/// use fwsim_drivers::sched::{Cron, CronSpec, Field, secs_from_civil};
///
/// // 23:05:15 on the first Sunday of December.
/// let cron = Cron::new(CronSpec { month: Field::At(12), wday: Field::At(6), hrs: Field::At(23), mins: Field::At(5), secs: Field::At(15), ..CronSpec::new() }).unwrap();
/// let now = secs_from_civil(2020, 7, 30, 3, 0, 0);
/// assert_eq!(now + cron.wait_secs(now), secs_from_civil(2020, 12, 6, 23, 5, 15));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cron {
    secs: u64,
    mins: u64,
    hrs: u32,
    /// `None`: any day of the month.
    mday: Option<u32>,
    /// Bit `m` for month `m`.
    month: u16,
    /// `None`: any day of the week.
    wday: Option<u8>,
}

fn bits(field: Field<'_>, lo: u8, hi: u8, name: &'static str) -> Result<Option<u64>, CronError> {
    let one = |v: u8| if (lo..=hi).contains(&v) { Ok(1u64 << v) } else { Err(CronError::OutOfRange(name)) };
    match field {
        Field::Any => Ok(None),
        Field::At(v) => one(v).map(Some),
        Field::OneOf([]) => Err(CronError::Empty(name)),
        Field::OneOf(vs) => vs.iter().try_fold(0, |acc, &v| Ok(acc | one(v)?)).map(Some),
    }
}

const MONTH_DAYS: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

impl Cron {
    /// Validates `spec`.
    pub fn new(spec: CronSpec<'_>) -> Result<Self, CronError> {
        if spec.secs == Field::Any {
            return Err(CronError::AnySecs);
        }
        let secs = bits(spec.secs, 0, 59, "secs")?.expect("not Any");
        let set: heapless::Vec<u8, 60> = (0..60u8).filter(|s| secs & (1 << s) != 0).collect();
        if set.windows(2).any(|w| w[1] - w[0] < 10) {
            return Err(CronError::SecsTooClose);
        }
        let mins = bits(spec.mins, 0, 59, "mins")?.unwrap_or(u64::MAX);
        let hrs = bits(spec.hrs, 0, 23, "hrs")?.map_or(u32::MAX, |b| b as u32);
        let mday = bits(spec.mday, 1, 31, "mday")?.map(|b| b as u32);
        let month = bits(spec.month, 1, 12, "month")?.map_or(0x1ffe, |b| b as u16);
        let wday = bits(spec.wday, 0, 6, "wday")?.map(|b| b as u8);
        if let Some(md) = mday {
            let latest = 31 - md.leading_zeros();
            if (1..=12).any(|m| month & (1 << m) != 0 && latest > MONTH_DAYS[m]) {
                return Err(CronError::NoSuchDay);
            }
            if wday.is_some() && latest > 22 {
                return Err(CronError::MdayTooLateForWday);
            }
        }
        Ok(Cron { secs, mins, hrs, mday, month, wday })
    }

    /// Seconds from `now` (seconds since 1970-01-01 00:00:00 on the clock) to the next
    /// matching second; 0 if `now` matches.
    pub fn wait_secs(&self, now: u64) -> u64 {
        let today = now / 86_400;
        let mut from = now % 86_400;
        // A valid spec matches within a year; 8 years covers every leap-year pattern.
        for day in today..today + 8 * 366 {
            if self.day_matches(day)
                && let Some(t) = self.first_time_from(from)
            {
                return day * 86_400 + t - now;
            }
            from = 0;
        }
        unreachable!("a validated cron matches within a year")
    }

    fn day_matches(&self, day: u64) -> bool {
        let (_, month, mday) = civil_from_days(day);
        if self.month & (1 << month) == 0 {
            return false;
        }
        let weekday = |d: u64| ((d + 3) % 7) as u8; // 1970-01-01 was a Thursday (3)
        match (self.mday, self.wday) {
            (None, None) => true,
            (Some(md), None) => md & (1 << mday) != 0,
            (None, Some(wd)) => wd & (1 << weekday(day)) != 0,
            // The first day on or after some mday whose weekday matches.
            (Some(md), Some(wd)) => {
                wd & (1 << weekday(day)) != 0
                    && (0..7u32).any(|back| {
                        back < mday
                            && md & (1 << (mday - back)) != 0
                            && (1..=back).all(|k| wd & (1 << weekday(day - k as u64)) == 0)
                    })
            }
        }
    }

    /// The first matching second of the day at or after `from`.
    fn first_time_from(&self, from: u64) -> Option<u64> {
        let (h0, m0, s0) = (from / 3600, from / 60 % 60, from % 60);
        for h in h0..24 {
            if self.hrs & (1 << h) == 0 {
                continue;
            }
            let m_start = if h == h0 { m0 } else { 0 };
            for m in m_start..60 {
                if self.mins & (1 << m) == 0 {
                    continue;
                }
                let s_start = if h == h0 && m == m0 { s0 } else { 0 };
                if let Some(s) = (s_start..60).find(|s| self.secs & (1 << s) != 0) {
                    return Some(h * 3600 + m * 60 + s);
                }
            }
        }
        None
    }
}

/// `(year, month 1–12, day 1–31)` of a day count since 1970-01-01 (proleptic Gregorian).
pub fn civil_from_days(days: u64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm, for non-negative day counts.
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Seconds since 1970-01-01 of a date and time (proleptic Gregorian, no time zone).
pub fn secs_from_civil(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> u64 {
    let y = year - i64::from(month <= 2);
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days as u64 * 86_400 + u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(s)
}

/// A wall clock: seconds since 1970-01-01 in local time (an RTC, or a clock set by NTP/GPS).
pub trait WallClock {
    /// Now.
    fn now_secs(&self) -> u64;
}

/// Runs `action` at every match of `cron` on `clock`, `times` times (or for ever when
/// `None`) — the toolkit's `schedule()`. After each run it pauses 1.2 s, as the toolkit does,
/// so the next search starts in the next second.
///
/// The first run is at the first match at or after the call. (The toolkit's 2 s pre-wait and
/// 1000 s sleep chunks work around MicroPython limits that embassy timers do not have.) To
/// drive an `Event`, a `Message` or a sequence, set it in `action`.
///
/// ```
/// use fwsim_drivers::sched::{Cron, CronSpec, Field, WallClock, schedule};
/// use std::cell::Cell;
///
/// struct Rtc; // starts at 1970-01-01 00:00:00, runs on virtual time
/// impl WallClock for Rtc {
///     fn now_secs(&self) -> u64 { embassy_time::Instant::now().as_secs() }
/// }
/// # fwsim::test(|sim| {
/// let every_ten = &*sim.alloc(Cron::new(CronSpec { secs: Field::OneOf(&[0, 10, 20, 30, 40, 50]), mins: Field::Any, hrs: Field::Any, ..CronSpec::new() }).unwrap());
/// let runs = &*sim.alloc(Cell::new(0));
/// sim.spawn("sched", schedule(&Rtc, every_ten, Some(3), move || runs.set(runs.get() + 1)));
/// sim.run_for(fwsim::secs(25)).unwrap();
/// assert_eq!(runs.get(), 3); // at 0, 10 and 20 s
/// # });
/// ```
pub async fn schedule(clock: &impl WallClock, cron: &Cron, times: Option<u32>, mut action: impl FnMut()) {
    let mut left = times;
    while left != Some(0) {
        let wait = cron.wait_secs(clock.now_secs());
        Timer::after(Duration::from_secs(wait)).await;
        action();
        if let Some(n) = &mut left {
            *n -= 1;
        }
        Timer::after(Duration::from_millis(1200)).await;
    }
}
