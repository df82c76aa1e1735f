//! A `ThreadSafeFlag` set by a task: MicroPython delivers it at the loop's next IO poll, so
//! the setter, queued again by its yield, runs before the waiter (fwsim-hooks routes the wake
//! to fwsim's `MicroPython` order as an I/O-readiness wake). Checked against the real
//! interpreter by `conformance/tests/micropython_fidelity.rs`.

use std::cell::RefCell;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use fwsim::{Policy, SimConfig};
use fwsim_primitives::ThreadSafeFlag;

fn order(policy: Policy) -> Vec<&'static str> {
    fwsim::scope(SimConfig::new().policy(policy), |sim| {
        let flag = &*sim.alloc(ThreadSafeFlag::<CriticalSectionRawMutex>::new());
        let log = &*sim.alloc(RefCell::new(Vec::new()));
        sim.spawn("waiter", async move {
            flag.wait().await;
            log.borrow_mut().push("waiter");
        });
        sim.spawn("setter", async move {
            flag.set();
            fwsim::yield_now().await;
            log.borrow_mut().push("setter");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        log.take()
    })
}

#[test]
fn a_flag_set_by_a_task_wakes_its_waiter_after_the_setters_yield_under_micropython() {
    assert_eq!(order(Policy::MicroPython), ["setter", "waiter"]);
    // FIFO has no IO poll: the waiter, woken first, runs first.
    assert_eq!(order(Policy::Fifo), ["waiter", "setter"]);
}
