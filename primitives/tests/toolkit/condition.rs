//! Condition.

use super::*;

#[test]
fn condition_notifies_fifo_not_lifo() {
    // Regression for PRIMITIVES.md §5.2 L10: the toolkit wakes the last waiter first.
    both(|sim| {
        let cond: &fwsim_primitives::Condition<M> = sim.alloc(fwsim_primitives::Condition::new());
        let log = &*sim.alloc(Log::default());
        for (i, name) in ["w0", "w1", "w2"].into_iter().enumerate() {
            sim.spawn(name, async move {
                Timer::after_millis(i as u64).await;
                let g = cond.acquire().await;
                let _g = cond.wait(g).await;
                log.at(name);
            });
        }
        sim.spawn("notifier", async move {
            for at in [10, 20, 30] {
                Timer::at(embassy_time::Instant::from_millis(at)).await;
                let g = cond.acquire().await;
                cond.notify(&g, 1);
            }
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(log.lines(), strs(&["w0@10", "w1@20", "w2@30"]));
        assert_eq!(cond.waiting(), 0);
        assert!(!cond.lock().locked());
    });
}

#[test]
fn condition_wait_releases_the_lock_and_notify_all_wakes_everyone() {
    both(|sim| {
        let cond: &fwsim_primitives::Condition<M> = sim.alloc(fwsim_primitives::Condition::new());
        let log = &*sim.alloc(Log::default());
        for name in ["a", "b"] {
            sim.spawn(name, async move {
                let g = cond.acquire().await;
                let _g = cond.wait(g).await;
                log.at(name);
            });
        }
        sim.spawn("notifier", async move {
            Timer::after_millis(5).await;
            // Both waiters released the lock while waiting, so this does not block.
            let g = cond.lock().try_acquire().expect("free while they wait");
            cond.notify_all(&g);
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        let mut lines = log.lines();
        lines.sort();
        assert_eq!(lines, strs(&["a@5", "b@5"]));
    });
}
