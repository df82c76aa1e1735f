//! fwsim's `Embassy` policy against the real embassy-executor 0.10 (`oracles/embassy`, built
//! by this test with cargo), in virtual time, over embassy's integrated timer queue.
//!
//! Both sides run the same program code (`fwsim_programs::embassy`: embassy-sync `Signal`
//! and `Mutex`, embassy-time `Timer`), so a difference isolates the scheduler.

use fwsim_conformance::program::{Op, Outcome, Program, first_difference};
use fwsim_conformance::{differential, embassy_oracle, fwsim_backend, strategy};

use Op::*;
use strategy::program;

fn real(programs: &[Program]) -> Vec<Outcome> {
    embassy_oracle::run(programs).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn conformance_table_rows_match_the_real_embassy_executor() {
    let rows: Vec<(&str, Program)> = vec![
        (
            "first-run order of tasks spawned together",
            program(vec![vec![Spawn(1), Spawn(2), Spawn(3), Mark(0)], vec![Mark(1)], vec![Mark(2)], vec![Mark(3)]]),
        ),
        (
            "creator yields right after spawning",
            program(vec![vec![Spawn(1), Spawn(2), Yield, Mark(0)], vec![Mark(1)], vec![Mark(2)]]),
        ),
        (
            "round robin of 3 self-yielding tasks",
            program(vec![
                vec![Spawn(1), Spawn(2), Mark(0), Yield, Mark(1), Yield, Mark(2)],
                vec![Mark(10), Yield, Mark(11), Yield, Mark(12)],
                vec![Mark(20), Yield, Mark(21), Yield, Mark(22)],
            ]),
        ),
        (
            "task created mid-round",
            program(vec![
                vec![Spawn(1), Yield, Spawn(2), Mark(0), Yield, Mark(1)],
                vec![Mark(10), Yield, Mark(11)],
                vec![Mark(20)],
            ]),
        ),
        ("Timer::after(0)", program(vec![vec![Spawn(1), Sleep(0), Mark(0)], vec![Mark(10), Yield, Mark(11)]])),
        (
            "equal deadlines",
            program(vec![
                vec![Spawn(1), Spawn(2), Sleep(10), Mark(0)],
                vec![Sleep(10), Mark(1)],
                vec![Sleep(10), Mark(2)],
            ]),
        ),
        (
            "sleeper due now vs task made ready now",
            program(vec![
                vec![Spawn(1), Spawn(2), Sleep(10), Set(0), Mark(0)],
                vec![Sleep(10), Mark(1)],
                vec![Wait(0), Mark(2)],
            ]),
        ),
        (
            "set then reset before the waiter runs (a spurious wake)",
            program(vec![vec![Spawn(1), Yield, Set(0), Clear(0), Mark(0), Sleep(5), Set(0)], vec![Wait(0), Mark(1)]]),
        ),
        (
            "two contenders on a Mutex",
            program(vec![
                vec![Spawn(1), Locked(0, vec![Sleep(5), Mark(0)]), Mark(1)],
                vec![Sleep(1), Locked(0, vec![Mark(10), Sleep(2)])],
            ]),
        ),
        (
            "await a task through its done signal",
            program(vec![
                vec![Spawn(1), Spawn(2), Await(1), Mark(0), Sleep(20), Await(2), Mark(1)],
                vec![Sleep(7), Mark(10)],
                vec![Sleep(3), Mark(20)],
            ]),
        ),
    ];
    let programs: Vec<Program> = rows.iter().map(|(_, p)| p.clone()).collect();
    let outcomes = real(&programs);
    let mut failures = Vec::new();
    for ((name, p), real) in rows.iter().zip(&outcomes) {
        let ours = fwsim_backend::run_embassy(p);
        if &ours != real {
            failures.push(format!(
                "{name}: {}\n  program: {p:?}\n  embassy: {real:?}\n  fwsim:   {ours:?}",
                first_difference(real, &ours).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
    // Spot checks of the table on the real executor: reverse spawn order within a batch.
    assert_eq!(outcomes[0].marks, [(0, 0, 0), (3, 3, 0), (2, 2, 0), (1, 1, 0)]);
}

#[test]
fn random_programs_match_the_real_embassy_executor() {
    let checked =
        differential::check("embassy", strategy::embassy_programs(), &real, &fwsim_backend::run_embassy, &|_| {
            String::new()
        });
    if let Err(report) = checked {
        panic!("{report}");
    }
}
