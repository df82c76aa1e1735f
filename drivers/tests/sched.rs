//! The cron scheduler: the toolkit's own `crontest.py` cases (16/16), its validation rules,
//! and `schedule` on a virtual wall clock.

use std::cell::RefCell;

use embassy_time::Instant;
use fwsim_drivers::sched::{Cron, CronError, CronSpec, Field, WallClock, civil_from_days, schedule, secs_from_civil};

type Ymdhms = (i64, u32, u32, u32, u32, u32);

fn at(t: Ymdhms) -> u64 {
    secs_from_civil(t.0, t.1, t.2, t.3, t.4, t.5)
}

fn check(now: Ymdhms, expected: Ymdhms, what: &str, spec: CronSpec<'_>) {
    let cron = Cron::new(spec).unwrap_or_else(|e| panic!("{what}: {e}"));
    let (n, e) = (at(now), at(expected));
    let got = n + cron.wait_secs(n);
    let d = civil_from_days(got / 86_400);
    assert_eq!(got, e, "{what}: got {d:?} {}:{:02}:{:02}", got % 86_400 / 3600, got % 3600 / 60, got % 60);
}

fn spec() -> CronSpec<'static> {
    CronSpec::new()
}

#[test]
fn the_toolkits_crontest_cases() {
    use Field::{At, OneOf};
    let now = (2020, 7, 30, 3, 0, 0); // 3 am, Thursday 30 July 2020
    let cases: Vec<(Ymdhms, Ymdhms, &str, CronSpec)> = vec![
        (
            now,
            (2020, 7, 31, 1, 5, 0),
            "wday and time both cause 1 day increment",
            CronSpec { wday: At(4), hrs: OneOf(&[1, 2]), mins: At(5), ..spec() },
        ),
        (
            now,
            (2020, 7, 31, 1, 5, 0),
            "time causes 1 day increment",
            CronSpec { hrs: OneOf(&[1, 2]), mins: At(5), ..spec() },
        ),
        (now, (2020, 7, 31, 3, 5, 0), "wday causes 1 day increment", CronSpec { wday: At(4), mins: At(5), ..spec() }),
        (
            now,
            (2020, 7, 30, 5, 58, 0),
            "time increment no day change",
            CronSpec { hrs: OneOf(&[5, 23]), mins: At(58), ..spec() },
        ),
        (
            now,
            (2021, 1, 3, 3, 0, 0),
            "month and year rollover, 1st Sunday",
            CronSpec { month: At(1), wday: At(6), ..spec() },
        ),
        (
            now,
            (2021, 2, 20, 3, 0, 0),
            "month and year rollover, mday->20 Feb",
            CronSpec { month: At(2), mday: At(20), ..spec() },
        ),
        (
            now,
            (2020, 12, 25, 1, 30, 0),
            "forward to Xmas day, hrs backwards",
            CronSpec { month: At(12), mday: At(25), hrs: At(1), mins: At(30), ..spec() },
        ),
        (
            now,
            (2020, 12, 6, 23, 5, 15),
            "1st Sunday in Dec 2020",
            CronSpec { month: At(12), wday: At(6), hrs: At(23), mins: At(5), secs: At(15), ..spec() },
        ),
        (now, (2020, 10, 1, 3, 0, 0), "current time on 1st Oct 2020", CronSpec { month: At(10), ..spec() }),
        (
            now,
            (2020, 7, 30, 9, 0, 0),
            "explicitly specify current month",
            CronSpec { month: At(7), hrs: At(9), ..spec() },
        ),
        (
            now,
            (2021, 2, 14, 3, 0, 0),
            "second Sunday in February 2021",
            CronSpec { month: At(2), mday: At(8), wday: At(6), ..spec() },
        ),
        (
            now,
            (2021, 2, 28, 3, 0, 0),
            "fourth Sunday in February 2021",
            CronSpec { month: At(2), mday: At(22), wday: At(6), ..spec() },
        ),
        (
            (2020, 7, 31, 3, 0, 0),
            (2020, 10, 1, 1, 59, 0),
            "time causes month rollover to next legal month",
            CronSpec { month: OneOf(&[7, 10]), hrs: At(1), mins: At(59), ..spec() },
        ),
        (
            now,
            (2021, 1, 1, 3, 0, 0),
            "mday causes month rollover to next year",
            CronSpec { month: OneOf(&[7, 1]), mday: At(1), ..spec() },
        ),
        (
            now,
            (2021, 3, 3, 3, 0, 0),
            "wday causes month rollover to next year",
            CronSpec { month: OneOf(&[7, 3]), wday: OneOf(&[2, 6]), ..spec() },
        ),
        (
            (2020, 2, 28, 23, 0, 0),
            (2020, 2, 29, 1, 5, 0),
            "wday and time both cause 1 day increment to February 29th",
            CronSpec { wday: At(5), hrs: OneOf(&[1, 2]), mins: At(5), ..spec() },
        ),
    ];
    assert_eq!(cases.len(), 16);
    for (now, expected, what, spec) in cases {
        check(now, expected, what, spec);
    }
}

#[test]
fn a_matching_now_waits_zero_and_the_default_is_daily_at_three() {
    let cron = Cron::new(CronSpec::new()).unwrap();
    assert_eq!(cron.wait_secs(at((2024, 1, 1, 3, 0, 0))), 0);
    assert_eq!(cron.wait_secs(at((2024, 1, 1, 3, 0, 1))), 86_400 - 1);
    // Across a month end and a leap day.
    check((2024, 2, 28, 4, 0, 0), (2024, 2, 29, 3, 0, 0), "leap day", CronSpec::new());
    check((2023, 12, 31, 23, 59, 59), (2024, 1, 1, 3, 0, 0), "new year", CronSpec::new());
}

#[test]
fn the_toolkits_validation_rules() {
    use Field::{Any, At, OneOf};
    let bad = |s: CronSpec<'_>| Cron::new(s).unwrap_err();
    assert_eq!(bad(CronSpec { secs: Any, ..spec() }), CronError::AnySecs);
    assert_eq!(bad(CronSpec { secs: OneOf(&[0, 5]), ..spec() }), CronError::SecsTooClose);
    assert!(Cron::new(CronSpec { secs: OneOf(&[0, 10, 30]), ..spec() }).is_ok());
    assert_eq!(bad(CronSpec { mins: At(60), ..spec() }), CronError::OutOfRange("mins"));
    assert_eq!(bad(CronSpec { hrs: OneOf(&[1, 24]), ..spec() }), CronError::OutOfRange("hrs"));
    assert_eq!(bad(CronSpec { mday: At(0), ..spec() }), CronError::OutOfRange("mday"));
    assert_eq!(bad(CronSpec { month: At(13), ..spec() }), CronError::OutOfRange("month"));
    assert_eq!(bad(CronSpec { wday: At(7), ..spec() }), CronError::OutOfRange("wday"));
    assert_eq!(bad(CronSpec { month: At(2), mday: At(29), ..spec() }), CronError::NoSuchDay, "February counts 28");
    assert_eq!(bad(CronSpec { month: OneOf(&[1, 4]), mday: At(31), ..spec() }), CronError::NoSuchDay);
    assert_eq!(bad(CronSpec { mday: At(23), wday: At(0), ..spec() }), CronError::MdayTooLateForWday);
    assert_eq!(bad(CronSpec { mins: OneOf(&[]), ..spec() }), CronError::Empty("mins"));
}

/// A wall clock on virtual time: an epoch offset plus the simulated clock.
struct VirtualClock(u64);
impl WallClock for VirtualClock {
    fn now_secs(&self) -> u64 {
        self.0 + Instant::now().as_secs()
    }
}

#[test]
fn schedule_runs_at_each_match_in_virtual_time() {
    fwsim::test(|sim| {
        // The clock says 2024-03-30 22:00:00 when the simulation starts.
        let clock = &*sim.alloc(VirtualClock(at((2024, 3, 30, 22, 0, 0))));
        let fired = &*sim.alloc(RefCell::new(Vec::new()));
        let cron =
            &*sim.alloc(Cron::new(CronSpec { mins: Field::OneOf(&[0, 30]), hrs: Field::At(23), ..spec() }).unwrap());
        let mut done = sim.spawn("sched", async move {
            schedule(clock, cron, Some(3), || fired.borrow_mut().push(clock.now_secs())).await;
        });
        sim.run_for(fwsim::secs(3 * 86_400)).unwrap();
        assert_eq!(
            *fired.borrow(),
            [at((2024, 3, 30, 23, 0, 0)), at((2024, 3, 30, 23, 30, 0)), at((2024, 3, 31, 23, 0, 0))]
        );
        assert_eq!(done.try_take(), Some(Ok(())));
    });
}

#[test]
fn civil_conversions_round_trip() {
    for days in [0u64, 59, 365, 10_957, 11_016, 18_628, 19_782, 40_000] {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(secs_from_civil(y, m, d, 0, 0, 0), days * 86_400, "{y}-{m}-{d}");
    }
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
}
