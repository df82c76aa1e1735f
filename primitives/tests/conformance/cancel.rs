//! Cancelling a waiter; gather with a failing child.

use super::*;

fn cancel_event_waiter(policy: Policy) -> Outcome {
    run(policy, "setter", |sim, log| {
        let ev: &Ev = sim.alloc(Event::new());
        let victim = sim.spawn("victim", async move {
            ev.wait().await;
            log.at("victim released");
        });
        sim.spawn("other", async move {
            ev.wait().await;
            log.at("other released");
        });
        sim.run_until_stalled().unwrap();
        assert_eq!(ev.waiting(), 2);
        victim.abort();
        sim.run_until_stalled().unwrap();
        assert_eq!(ev.waiting(), 1, "the aborted waiter left the queue");
        // Dropped by a select, the Rust form of cancellation in embassy code.
        sim.spawn("selecting", async move {
            match select(ev.wait(), Timer::after_millis(1)).await {
                Either::First(()) => log.at("selecting released"),
                Either::Second(()) => log.at(format!("selecting gave up, waiting={}", ev.waiting())),
            }
        });
        sim.spawn("setter", async move {
            Timer::after_millis(5).await;
            ev.set();
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    })
}

#[test]
fn conformance_micropython_cancel_event_waiter() {
    let o = cancel_event_waiter(MICROPYTHON);
    assert_eq!(o.woken_by, strs(&["other"]));
    assert_eq!(o.log, strs(&["selecting gave up, waiting=1@1", "other released@5"]));
}

#[test]
fn conformance_embassy_cancel_event_waiter() {
    let o = cancel_event_waiter(EMBASSY);
    assert_eq!(o.woken_by, strs(&["other"]));
    assert_eq!(o.log, strs(&["selecting gave up, waiting=1@1", "other released@5"]));
}

fn lock_waiter_cancelled_after_handoff(policy: Policy) -> Outcome {
    run(policy, "holder", |sim, log| {
        let lock: &Lk = sim.alloc(Lock::new());
        let victim_slot: &RefCell<Option<fwsim::JoinHandle<()>>> = sim.alloc(RefCell::new(None));
        sim.spawn("holder", async move {
            let g = lock.acquire().await;
            Timer::after_millis(5).await;
            drop(g); // handed to the victim...
            if let Some(v) = victim_slot.borrow().as_ref() {
                v.abort(); // ...which is cancelled before it runs
            }
        });
        *victim_slot.borrow_mut() = Some(sim.spawn("victim", async move {
            Timer::after_millis(1).await;
            let _g = lock.acquire().await;
            log.at("victim acquired");
        }));
        sim.spawn("next", async move {
            Timer::after_millis(2).await;
            let _g = lock.acquire().await;
            log.at("next acquired");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert!(!lock.locked());
    })
}

#[test]
fn conformance_micropython_lock_waiter_cancelled_after_handoff() {
    assert_eq!(lock_waiter_cancelled_after_handoff(MICROPYTHON).log, strs(&["next acquired@5"]));
}

#[test]
fn conformance_embassy_lock_waiter_cancelled_after_handoff() {
    assert_eq!(lock_waiter_cancelled_after_handoff(EMBASSY).log, strs(&["next acquired@5"]));
}

fn gather_failing_child(policy: Policy) -> Vec<String> {
    run(policy, "-", |sim, log| {
        let child = move |name: &'static str, ms: u64, fail: bool| async move {
            Timer::after_millis(ms).await;
            log.at(format!("{name} done"));
            if fail { Err(name) } else { Ok(ms) }
        };
        sim.spawn("gather", async move {
            let r = gather([child("slow", 5, false), child("failing", 2, true), child("fast", 1, false)]).await;
            log.at(format!("gather {r:?}"));
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    })
    .log
}

#[test]
fn conformance_micropython_gather_failing_child() {
    // The error comes when it happens (2 ms), not when the slow sibling would finish.
    // Deliberate difference: asyncio's sibling keeps running; here it is dropped with the
    // gather (see `gather`'s docs), so "slow done" never appears.
    assert_eq!(
        gather_failing_child(MICROPYTHON),
        strs(&["fast done@1", "failing done@2", "gather Err(\"failing\")@2"])
    );
}

#[test]
fn conformance_embassy_gather_failing_child() {
    assert_eq!(gather_failing_child(EMBASSY), strs(&["fast done@1", "failing done@2", "gather Err(\"failing\")@2"]));
}
