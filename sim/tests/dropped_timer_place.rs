//! Under the `MicroPython` order, a timer its task stopped awaiting gives that task no
//! sleeper's place at the old deadline (asyncio cancels the sleep; embassy's timer queue keeps
//! the deadline and wakes the task at it). fwsim-primitives' `wait_for` says so exactly
//! (`fwsim::timer_withdrawn`); a timer dropped by other code, here by `select`, is judged by
//! the two-poll rule: a deadline not asked for in the task's last two polls is not awaited.
//!
//! The program: `main` selects an event against a 100 ms sleep; the event comes at 10 ms.
//! At 100 ms `s2` (asleep before `main` asked) and `b` (after) are due, and `s2` sets the
//! event `main` then waits for. In asyncio order `s2` runs, then `b`, then `main` (queued by
//! the set). Had the stale deadline kept `main` a place at 100 ms, between the two, the set
//! would merge into it and `main` would run before `b`.

use std::cell::RefCell;

use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::Timer;
use fwsim::{Policy, SimConfig};

fn order(polls_after_select: usize, withdraw: bool) -> Vec<&'static str> {
    fwsim::scope(SimConfig::new().policy(Policy::MicroPython), |sim| {
        let log = &*sim.alloc(RefCell::new(Vec::new()));
        let (first, second) =
            (&*sim.alloc(Signal::<NoopRawMutex, ()>::new()), &*sim.alloc(Signal::<NoopRawMutex, ()>::new()));
        sim.spawn("s2", async move {
            Timer::after_millis(100).await;
            second.signal(());
            log.borrow_mut().push("s2");
        });
        sim.spawn("main", async move {
            let deadline = embassy_time::Instant::now() + embassy_time::Duration::from_millis(100);
            select(first.wait(), Timer::at(deadline)).await;
            if withdraw {
                fwsim::timer_withdrawn(deadline);
            }
            for _ in 0..polls_after_select {
                fwsim::yield_now().await;
            }
            second.wait().await;
            log.borrow_mut().push("main");
        });
        sim.spawn("b", async move {
            Timer::after_millis(100).await;
            log.borrow_mut().push("b");
        });
        sim.spawn("setter", async move {
            Timer::after_millis(10).await;
            first.signal(());
        });
        sim.run_for(fwsim::ms(200)).unwrap();
        sim.take_diagnostics();
        log.take()
    })
}

#[test]
fn a_timer_dropped_two_polls_ago_gives_no_place_at_its_old_deadline() {
    assert_eq!(order(2, false), ["s2", "b", "main"]);
}

#[test]
fn a_withdrawn_timer_gives_no_place_however_recent() {
    assert_eq!(order(0, true), ["s2", "b", "main"]);
}

#[test]
fn a_timer_dropped_in_the_last_poll_still_looks_awaited() {
    // The rule's known limit (CONFORMANCE.md): without a withdrawal, a deadline asked for in
    // one of the last two polls counts as awaited, so `main` keeps its place at 100 ms.
    assert_eq!(order(0, false), ["s2", "main", "b"]);
}
