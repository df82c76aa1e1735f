//! The toolkit's `sched/simulate.py`, ported: two `cron` schedules stepped through ten
//! payloads, printing each wait and the time reached. The expected text is what the original
//! printed on the real MicroPython 1.29 (unix port), run by hand and kept in
//! `data/sched_simulate.txt`: the port must print the same, character for character.

use std::fmt::Write as _;

use fwsim_drivers::sched::{Cron, CronSpec, Field, civil_from_days, secs_from_civil};

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// `print_time(msg)`: `15:20:00 on Wednesday 29/03/2023`.
fn print_time(out: &mut String, msg: &str, tim: u64) {
    let (y, mo, md) = civil_from_days(tim / 86_400);
    // 1970-01-01 was a Thursday (Monday = 0).
    let wd = ((tim / 86_400 + 3) % 7) as usize;
    let (h, m, s) = (tim % 86_400 / 3600, tim % 3600 / 60, tim % 60);
    let _ = writeln!(out, "{msg} {h:02}:{m:02}:{s:02} on {} {md:02}/{mo:02}/{y:02}", DAYS[wd]);
}

/// `wait(cr)`: always 2 s after the last event, then the time to the next.
fn wait(out: &mut String, tim: &mut u64, cron: &Cron) {
    *tim += 2;
    let dt = cron.wait_secs(*tim);
    let (hrs, m_s) = ((dt + 2) / 3600, (dt + 2) % 3600);
    let _ = writeln!(out, "Wait {hrs}hrs {}mins {}s", m_s / 60, m_s % 60);
    *tim += dt;
    print_time(out, "Time now:", *tim);
}

#[test]
fn simulate_prints_what_the_original_prints() {
    let mut out = String::new();
    let mut tim = secs_from_civil(2023, 3, 29, 15, 20, 0);
    print_time(&mut out, "Start at:", tim);
    let cs = Cron::new(CronSpec { hrs: Field::At(0), mins: Field::At(59), ..CronSpec::new() }).unwrap();
    wait(&mut out, &mut tim, &cs);
    let quarters: Vec<u8> = (0..60).step_by(15).collect();
    let cn = Cron::new(CronSpec {
        wday: Field::OneOf(&[0, 5]),
        hrs: Field::OneOf(&[1, 10]),
        mins: Field::OneOf(&quarters),
        ..CronSpec::new()
    })
    .unwrap();
    for _ in 0..10 {
        wait(&mut out, &mut tim, &cn);
        out.push_str("Run payload.\n\n");
    }
    assert_eq!(out, include_str!("data/sched_simulate.txt"));
}
