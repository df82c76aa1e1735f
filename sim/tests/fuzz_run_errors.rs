//! A run method's error that stops a fuzzed body (a deadlock, a livelock, a broken invariant)
//! is a failure of its own kind, not "a panic at the `unwrap`": two such errors raised by one
//! line are different bugs, and the shrinker must not trade one for the other.

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use fwsim::Sim;
use fwsim::fuzz::{Failure, Fuzz, Strategy};

/// Runs the body's tasks to the end; every body below stops here, on one line.
fn run(sim: &Sim<'_>) {
    sim.run_until_stalled().unwrap();
}

/// A task declared to finish that waits for a signal nobody sends.
fn deadlocks<'s>(sim: &'s Sim<'s>) {
    let never = &*sim.alloc(Signal::<NoopRawMutex, ()>::new());
    sim.spawn("waiter", async move { never.wait().await }).must_finish();
    run(sim);
}

/// Two tasks whose second breaks the invariant `at most one`.
fn breaks_an_invariant<'s>(sim: &'s Sim<'s>) {
    let count = &*sim.alloc(Cell::new(0));
    sim.invariant("at most one", move || count.get() <= 1);
    for name in ["first", "second"] {
        sim.spawn(name, async move { count.set(count.get() + 1) });
    }
    run(sim);
}

fn failure(name: &str, body: impl for<'s> Fn(&'s Sim<'s>) + Sync) -> Box<Failure> {
    Fuzz::new(Strategy::Dfs { bound: 1 }).name(name).try_run(body).expect_err("every schedule fails")
}

#[test]
fn a_deadlock_and_a_broken_invariant_raised_by_one_line_are_two_bugs() {
    let deadlock = failure("run_errors-deadlock", deadlocks);
    let invariant = failure("run_errors-invariant", breaks_an_invariant);

    assert_eq!(deadlock.fault.kind, "Deadlock");
    assert_eq!(deadlock.fault.message, "1 task(s) waiting:\n  waiter#0: waiting, 1 waker clone(s) held elsewhere");
    assert_eq!(invariant.fault.kind, "InvariantBroken");
    assert_eq!(invariant.fault.message, "invariant `at most one` broken\n  after a poll of second#1");
    for f in [&deadlock, &invariant] {
        assert_eq!(f.fault.task, None, "the body's run stopped");
        let at = f.fault.location.as_deref().expect("where the body stopped");
        assert!(at.starts_with("sim/tests/fuzz_run_errors.rs:14:"), "{at}");
    }
    assert_ne!(deadlock.fault.signature(), invariant.fault.signature());

    let report = deadlock.to_string();
    assert!(
        report
            .contains("\n  Deadlock in the test body at virtual time 0.000000000s: 1 task(s) waiting:\n    waiter#0:"),
        "{report}"
    );
}

/// The signature of an error leaves out the numbers that move with the schedule, as a
/// diagnostic's does: the same invariant broken after another task's poll is the same bug.
#[test]
fn the_same_invariant_broken_after_another_poll_is_the_same_bug() {
    let after_second = failure("run_errors-second", breaks_an_invariant);
    let after_first = failure("run_errors-first", |sim| {
        let count = &*sim.alloc(Cell::new(1));
        sim.invariant("at most one", move || count.get() <= 1);
        sim.spawn("first", async move { count.set(2) });
        run(sim);
    });
    assert_eq!(after_first.fault.message, "invariant `at most one` broken\n  after a poll of first#0");
    assert_eq!(after_first.fault.signature(), after_second.fault.signature());
}

/// An error the body handled is not what failed it: a later panic is a panic.
#[test]
fn an_error_the_body_handled_does_not_name_a_later_panic() {
    let failure = failure("run_errors-handled", |sim| {
        let never = &*sim.alloc(Signal::<NoopRawMutex, ()>::new());
        sim.spawn("waiter", async move { never.wait().await }).must_finish();
        assert!(sim.run_until_stalled().is_err(), "the deadlock is expected");
        panic!("a later check failed");
    });
    assert_eq!(failure.fault.kind, "panic");
    assert_eq!(failure.fault.message, "a later check failed");
}

/// The attribute's body stops in `block_on`: its deadlock is a `Deadlock` too.
#[fwsim::test(explorer = "dfs", bound = 1)]
#[should_panic(expected = "Deadlock in the test body at virtual time 0.000000000s: 1 task(s) waiting:\n    main#0:")]
async fn an_attribute_body_that_waits_for_ever() {
    let never = Signal::<NoopRawMutex, ()>::new();
    never.wait().await;
}
