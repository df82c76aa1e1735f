//! Barrier.

use super::*;

#[test]
fn barrier_leader_runs_the_callback_and_the_rest_wake_in_arrival_order() {
    for policy in [Policy::Embassy, Policy::MicroPython] {
        fwsim::test_with(SimConfig::new().policy(policy.clone()), |sim| {
            let log = &*sim.alloc(Log::default());
            let barrier: &Barrier<M, _> = sim.alloc_borrowing(Barrier::with_callback(3, move || log.at("callback")));
            for (i, name) in ["p0", "p1", "p2"].into_iter().enumerate() {
                sim.spawn(name, async move {
                    Timer::after_millis(i as u64 * 10).await;
                    let r = barrier.wait().await;
                    log.at(format!("{name} leader={}", r.is_leader()));
                });
            }
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
            assert_eq!(woken_by(sim, "p2"), strs(&["p0", "p1"]), "wake calls in arrival order");
            let lines = log.lines();
            // The last arrival runs the callback and goes on without yielding.
            assert_eq!(lines[..2], strs(&["callback@20", "p2 leader=true@20"]));
            let mut rest = lines[2..].to_vec();
            let resumed = match policy {
                Policy::MicroPython => strs(&["p0 leader=false@20", "p1 leader=false@20"]),
                _ => strs(&["p1 leader=false@20", "p0 leader=false@20"]),
            };
            assert_eq!(rest, resumed, "{policy:?}: resumption is the executor's order");
            rest.clear();
        });
    }
}

#[test]
fn barrier_resets_at_once_so_a_fast_task_enters_the_next_round() {
    both(|sim| {
        let rounds = &*sim.alloc(Cell::new(0));
        let barrier: &Barrier<M, _> =
            sim.alloc_borrowing(Barrier::with_callback(2, move || rounds.set(rounds.get() + 1)));
        let log = &*sim.alloc(Log::default());
        sim.spawn("fast", async move {
            for round in 0..3 {
                barrier.wait().await;
                log.at(format!("fast passed {round}"));
            }
        });
        sim.spawn("slow", async move {
            for round in 0..3 {
                Timer::after_millis(5).await;
                barrier.wait().await;
                log.at(format!("slow passed {round}"));
            }
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(rounds.get(), 3);
        assert!(!barrier.busy());
        assert_eq!(log.lines().len(), 6);
    });
}

#[test]
fn barrier_trigger_counts_an_arrival_and_a_cancelled_waiter_withdraws() {
    both(|sim| {
        let barrier: &Barrier<M> = sim.alloc(Barrier::new(2));
        let mut a = sim.spawn("a", async move { barrier.wait().await.is_leader() });
        sim.run_until_stalled().unwrap();
        assert!(barrier.busy());
        barrier.trigger();
        sim.run_until_stalled().unwrap();
        assert_eq!(a.try_take(), Some(Ok(false)));
        let b = sim.spawn("b", async move { barrier.wait().await });
        sim.run_until_stalled().unwrap();
        b.abort();
        sim.run_until_stalled().unwrap();
        assert!(!barrier.busy(), "the aborted waiter withdrew its arrival");
    });
}
