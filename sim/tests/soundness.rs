//! Call sequences that once reached freed memory or ran code after its borrowed data was gone.
//! Each is now either rejected at compile time (the `compile_fail` doctests on `Sim::enter`,
//! `Sim::alloc` and `SimHandle`) or safe at run time with a clear diagnostic. These tests also run under
//! Miri in the test command (`scripts/test.sh`), which checks that nothing here is undefined
//! behaviour, not merely that it did not crash.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::task::{Poll, Waker};

use fwsim::{Diagnostic, Irq, Sim, SimConfig, SimTime, ms};

fn panic_text(r: Result<impl Sized, Box<dyn std::any::Any + Send>>) -> String {
    match r {
        Ok(_) => "(no panic)".into(),
        Err(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default(),
    }
}

fn quiet() -> SimConfig {
    SimConfig::new().watchdog(None)
}

/// A task that parks for ever, keeping a clone of its waker in `stash`, and counts its polls.
async fn park(stash: Rc<RefCell<Option<Waker>>>, polls: Rc<Cell<u32>>) {
    poll_fn(|cx| {
        polls.set(polls.get() + 1);
        *stash.borrow_mut() = Some(cx.waker().clone());
        Poll::<()>::Pending
    })
    .await
}

#[test]
fn a_simulation_is_current_only_inside_enter_however_its_result_is_used() {
    // The program that once read freed memory: `forget(sim.enter()); drop(sim); now()`.
    // `enter` now takes a closure; forgetting what it returns leaks nothing that points at
    // the simulation.
    let sim = Sim::with_config(quiet().start(SimTime::from_secs(3)));
    let inside = sim.enter(fwsim::now);
    std::mem::forget(sim.enter(String::new));
    drop(sim);
    assert_eq!(inside, SimTime::from_secs(3));
    let after = panic_text(catch_unwind(fwsim::now));
    assert!(after.contains("no simulation is current"), "{after}");
}

#[test]
fn a_leaked_simulation_never_runs_its_borrowing_handlers_or_tasks_again() {
    let ran = Rc::new(Cell::new(0));
    let handle = {
        let borrowed = String::from("freed when this block ends");
        let text = &borrowed;
        let sim = Sim::with_config(quiet());
        let r = ran.clone();
        sim.schedule_isr(SimTime::from_millis(1), Irq::new(1, 3), move || r.set(r.get() + text.len()));
        let r = ran.clone();
        sim.spawn("reader", async move {
            embassy_time::Timer::after_millis(2).await;
            r.set(r.get() + text.len());
        });
        let r = ran.clone();
        sim.invariant("reads the borrowed text", move || {
            r.set(r.get() + text.len());
            true
        });
        let handle = sim.handle();
        std::mem::forget(sim);
        handle
    };
    // The handler's and the task's data are gone. Nothing can drive the simulation now: no
    // simulation is current, and a handle cannot run borrowed code.
    let busy = panic_text(catch_unwind(|| fwsim::busy_wait(ms(5))));
    assert!(busy.contains("no simulation is current"), "{busy}");
    handle.schedule_isr(SimTime::from_millis(1), Irq::new(1, 4), || {});
    assert_eq!(handle.now(), SimTime::ZERO);
    assert_eq!(ran.get(), 0, "neither the handler, the task nor the invariant ran");
}

#[test]
fn an_invariant_is_dropped_before_the_arena_values_it_borrows() {
    /// Reads the heap memory it borrows when dropped: under Miri, a drop after the arena's
    /// values would be a read of freed memory.
    struct ReadsOnDrop<'a>(&'a Vec<u32>, Rc<Cell<u32>>);
    impl Drop for ReadsOnDrop<'_> {
        fn drop(&mut self) {
            self.1.set(self.0[0]);
        }
    }
    let read = Rc::new(Cell::new(0));
    fwsim::scope(quiet(), |sim| {
        let values = &*sim.alloc(vec![7u32]);
        let guard = ReadsOnDrop(values, read.clone());
        // The whole guard moves into the check (a closure that named only `guard.0` would
        // take that field alone and leave the guard to drop with this body).
        sim.invariant("keeps a guard", move || {
            let guard = &guard;
            guard.0[0] == 7
        });
        sim.run_for(ms(1)).unwrap();
    });
    assert_eq!(read.get(), 7);
}

/// Reads the vector it borrows when dropped; must never be dropped (see `alloc_borrowing`).
struct ReadsOnDrop<'a>(&'a Vec<u32>);
impl Drop for ReadsOnDrop<'_> {
    fn drop(&mut self) {
        panic!("an arena value that borrows was dropped (it read {})", self.0[0]);
    }
}

/// Reads, when dropped, the vector it was pointed at after it was allocated.
struct PointedLater<'a>(Cell<Option<&'a Vec<u32>>>);
impl Drop for PointedLater<'_> {
    fn drop(&mut self) {
        panic!("an arena value that borrows was dropped (it read {:?})", self.0.get().map(|v| v[0]));
    }
}

/// Allocated values that borrow each other, both ways: a value built from an earlier one, and
/// an earlier one pointed at a later one. With drops, one of the two orders reads a dropped
/// vector (a use after free that Miri reports); undropped, neither reads anything.
#[test]
fn arena_values_that_borrow_each_other_are_never_dropped() {
    fwsim::scope(quiet(), |sim| {
        let earlier = &*sim.alloc_borrowing(PointedLater(Cell::new(None)));
        let values = &*sim.alloc(vec![7u32]);
        let built_from = &*sim.alloc_borrowing(ReadsOnDrop(values));
        earlier.0.set(Some(values));
        sim.spawn("reader", async move { assert_eq!(built_from.0[0] + earlier.0.get().unwrap()[0], 14) });
        sim.run_until_stalled().unwrap();
    });
    // And again in a fuzz campaign, which recycles the simulation and its blocks.
    let report = fwsim::fuzz::Fuzz::new(fwsim::fuzz::Strategy::Random).iterations(3).run(|sim| {
        let earlier = &*sim.alloc_borrowing(PointedLater(Cell::new(None)));
        let values = &*sim.alloc(vec![7u32]);
        sim.alloc_borrowing(ReadsOnDrop(values));
        earlier.0.set(Some(values));
    });
    assert_eq!(report.executions, 3);
}

/// Arena values are dropped at the end in the order they were allocated, each once, and one
/// whose drop panics keeps none of the later ones from being dropped.
#[test]
fn arena_values_are_dropped_in_order_even_past_a_panicking_drop() {
    struct Noted(&'static str, Rc<RefCell<Vec<&'static str>>>);
    impl Drop for Noted {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
            if self.0 == "panics" {
                panic!("dropping {}", self.0);
            }
        }
    }
    let noted = Rc::new(RefCell::new(Vec::new()));
    let n = noted.clone();
    let ended = catch_unwind(AssertUnwindSafe(|| {
        fwsim::scope(quiet(), move |sim| {
            sim.alloc(Noted("first", n.clone()));
            sim.alloc(Noted("panics", n.clone()));
            sim.alloc([7u64; 200]); // past the first chunk of the arena
            sim.alloc(Noted("last", n.clone()));
        })
    }));
    assert_eq!(panic_text(ended), "dropping panics");
    assert_eq!(*noted.borrow(), ["first", "panics", "last"]);
}

#[test]
fn a_waker_used_after_its_simulation_is_dropped_is_counted_or_reported() {
    let stash = Rc::new(RefCell::new(None));
    let polls = Rc::new(Cell::new(0));
    let sim = Sim::with_config(quiet());
    sim.spawn("parked", park(stash.clone(), polls.clone()));
    sim.run_until_stalled().unwrap();
    drop(sim);
    let waker = stash.borrow_mut().take().expect("registered");

    // From a thread with no simulation: counted, nothing touched.
    let before = fwsim::orphan_wakes();
    waker.wake_by_ref();
    assert!(fwsim::orphan_wakes() > before);

    // Inside another simulation whose first task has the same slot and generation: refused,
    // reported, and the other task is not polled again.
    let other = Sim::with_config(quiet());
    let victim_polls = Rc::new(Cell::new(0));
    other.spawn("victim", park(Rc::default(), victim_polls.clone()));
    other.run_until_stalled().unwrap();
    let by_value = waker.clone();
    other.enter(|| by_value.wake());
    other.run_until_stalled().unwrap();
    assert_eq!(victim_polls.get(), 1);
    let kinds: Vec<_> = other.diagnostics().iter().map(Diagnostic::kind).collect();
    assert_eq!(kinds, ["CrossSimWake"]);
    drop(waker);
}

#[test]
fn a_waker_leaked_across_100_000_simulations_never_reaches_a_later_one() {
    let stash = Rc::new(RefCell::new(None));
    let first = Sim::with_config(quiet().no_trace());
    first.spawn("parked", park(stash.clone(), Rc::default()));
    first.run_until_stalled().unwrap();
    drop(first);
    let leaked = stash.borrow_mut().take().expect("registered");
    // Tags were 16 bits and reused: 65,535 simulations later this waker woke a stranger.
    for i in 0..100_000u32 {
        let sim = Sim::with_config(quiet().no_trace());
        let polls = Rc::new(Cell::new(0));
        sim.spawn("victim", park(Rc::default(), polls.clone()));
        sim.run_until_stalled().unwrap();
        sim.enter(|| leaked.wake_by_ref());
        sim.run_until_stalled().unwrap();
        assert_eq!(polls.get(), 1, "simulation {i}: the leaked waker woke a task it never belonged to");
        assert_eq!(sim.diagnostics().len(), 1, "simulation {i}: the wake is reported");
    }
}

#[test]
fn shutdown_refuses_what_dropping_tasks_try_to_start() {
    struct OnDrop<F: FnMut()>(F);
    impl<F: FnMut()> Drop for OnDrop<F> {
        fn drop(&mut self) {
            (self.0)()
        }
    }
    let (fired, spawned) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let (f, s) = (fired.clone(), spawned.clone());
    fwsim::scope(quiet(), move |sim| {
        let fired = &*sim.alloc(f);
        let spawned = &*sim.alloc(s);
        sim.spawn("dropper", async move {
            let _on_drop = OnDrop(|| {
                // A handler borrowing `'env`, scheduled while the simulation shuts down…
                sim.schedule_isr(SimTime::ZERO, Irq::new(0, 9), move || fired.set(true));
                // …and a task: both would outlive the shutdown that must drop everything.
                let refused = catch_unwind(AssertUnwindSafe(|| fwsim::spawn("late", async {})));
                spawned.set(refused.is_ok());
            });
            std::future::pending::<()>().await
        });
        sim.run_until_stalled().unwrap();
    });
    assert!(!fired.get(), "the late handler was dropped unrun");
    assert!(!spawned.get(), "the late spawn was refused");
}

#[test]
fn a_raised_interrupt_may_borrow_what_tasks_borrow() {
    fwsim::test_with(quiet(), |sim| {
        let signal =
            &*sim.alloc(embassy_sync::signal::Signal::<embassy_sync::blocking_mutex::raw::NoopRawMutex, u8>::new());
        let rx = sim.spawn("rx", async move { signal.wait().await });
        sim.spawn("tx", async move {
            embassy_time::Timer::after_millis(1).await;
            sim.raise_isr(Irq::new(2, 11), move || signal.signal(42));
        });
        assert_eq!(sim.join(rx).unwrap(), 42);
        let outside = panic_text(catch_unwind(AssertUnwindSafe(|| sim.raise_isr(Irq::new(2, 11), || {}))));
        assert_eq!(outside, "(no panic)", "inside fwsim::test the simulation is current");
    });
    let sim = Sim::with_config(quiet());
    let not_current = panic_text(catch_unwind(AssertUnwindSafe(|| sim.raise_isr(Irq::new(2, 11), || {}))));
    assert!(not_current.contains("not current"), "{not_current}");
}
