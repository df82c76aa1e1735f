//! `JoinHandle::abort_on_drop`: an abort of the awaiting task reaches the awaited one at the
//! call, as asyncio's `cancel` marks the awaited task at once; the awaited task gets no turn
//! that was queued before the awaiter's drop.

use std::cell::Cell;

use fwsim::{Policy, SimConfig};

fn inner_ran_on(policy: Policy) -> bool {
    fwsim::scope(SimConfig::new().policy(policy), |sim| {
        let ran_on = &*sim.alloc(Cell::new(false));
        let inner = sim.spawn("inner", async move {
            fwsim::yield_now().await;
            ran_on.set(true);
        });
        let outer = sim.spawn("outer", async move {
            let _ = inner.abort_on_drop().await;
        });
        sim.spawn("canceller", async move { outer.abort() });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        ran_on.get()
    })
}

#[test]
fn the_awaited_task_is_aborted_at_the_call_not_at_the_awaiters_drop() {
    // inner yields (queued), outer waits, canceller aborts outer: inner's queued turn comes
    // before outer's drop, and must not run.
    assert!(!inner_ran_on(Policy::MicroPython));
    assert!(!inner_ran_on(Policy::Fifo));
}

#[test]
fn aborting_through_the_awaiters_handle_aborts_the_awaited_task_only() {
    fwsim::scope(SimConfig::new(), |sim| {
        let result = &*sim.alloc(Cell::new(None));
        let inner = sim.spawn("inner", async { embassy_time::Timer::after_secs(10).await });
        let handle = &*sim.alloc(std::cell::RefCell::new(Some(inner.abort_on_drop())));
        sim.spawn("outer", async move {
            let r = std::future::poll_fn(|cx| {
                let mut h = handle.borrow_mut();
                std::pin::Pin::new(h.as_mut().expect("held")).poll(cx)
            })
            .await;
            result.set(Some(r.is_err()));
        });
        sim.spawn("canceller", async move { handle.borrow().as_ref().expect("held").abort() });
        let start = fwsim::now();
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(result.get(), Some(true), "outer went on, with inner's abort as its result");
        assert_eq!(fwsim::now(), start, "no timer left: inner's was dropped with it");
        assert_eq!(sim.live_tasks(), 0);
    });
}

#[test]
fn a_handle_taken_back_with_into_inner_is_no_longer_aborted_with_the_awaiter() {
    fwsim::scope(SimConfig::new(), |sim| {
        let ran = &*sim.alloc(Cell::new(false));
        let inner = sim.spawn("inner", async move {
            embassy_time::Timer::after_millis(10).await;
            ran.set(true);
        });
        let outer = sim.spawn("outer", async move {
            let mut waiting = inner.abort_on_drop();
            // One poll links outer to inner; then outer takes the plain handle back, detaches
            // inner, and waits on something else.
            let _ = poll_once(&mut waiting).await;
            drop(waiting.into_inner());
            embassy_time::Timer::after_secs(1).await;
        });
        sim.spawn("canceller", async move {
            embassy_time::Timer::after_millis(1).await;
            outer.abort();
        });
        sim.run_until_quiescent(fwsim::secs(2)).unwrap();
        assert!(ran.get(), "inner was detached, not aborted with outer");
    });
}

/// Polls `f` once and returns whether it was ready.
async fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> bool {
    std::future::poll_fn(|cx| std::task::Poll::Ready(std::pin::Pin::new(&mut *f).poll(cx).is_ready())).await
}
