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
