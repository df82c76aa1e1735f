//! Lock contention and hand-off.

use super::*;

fn lock_contention(policy: Policy) -> Outcome {
    run(policy, "holder", |sim, log| {
        let lock: &Lk = sim.alloc(Lock::new());
        sim.spawn("holder", async move {
            let guard = lock.acquire().await;
            Timer::after_millis(5).await;
            drop(guard);
            // The hand-off window: not locked, yet nobody can barge in.
            log.at(format!("released, locked={}, barge={}", lock.locked(), lock.try_acquire().is_some()));
            let _again = lock.acquire().await;
            log.at("holder again");
        });
        for (i, name) in ["c0", "c1", "c2"].into_iter().enumerate() {
            sim.spawn(name, async move {
                Timer::after_millis(1 + i as u64).await;
                let _g = lock.acquire().await;
                log.at(name);
                Timer::after_millis(10).await;
            });
        }
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    })
}

#[test]
fn conformance_micropython_lock_contention() {
    let o = lock_contention(MICROPYTHON);
    assert_eq!(o.woken_by, strs(&["c0"]), "one hand-off per release");
    assert_eq!(o.log, strs(&["released, locked=false, barge=false@5", "c0@5", "c1@15", "c2@25", "holder again@35"]));
}

#[test]
fn conformance_embassy_lock_contention() {
    // FIFO hand-off is the primitive's rule, so the embassy policy gives the same order (an
    // embassy-sync Mutex would not: it wakes one registered waker and allows barging).
    let o = lock_contention(EMBASSY);
    assert_eq!(o.woken_by, strs(&["c0"]));
    assert_eq!(o.log, strs(&["released, locked=false, barge=false@5", "c0@5", "c1@15", "c2@25", "holder again@35"]));
}
