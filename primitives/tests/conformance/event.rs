//! Event broadcast: wake calls in wait order, resumption per policy; a set then a clear before
//! the waiters run.

use super::*;

fn event_broadcast(policy: Policy) -> Outcome {
    run(policy, "setter", |sim, log| {
        let ev: &Ev = sim.alloc(Event::new());
        for (i, name) in ["w0", "w1", "w2"].into_iter().enumerate() {
            // Staggered, so the wait order is w0, w1, w2 under every policy.
            sim.spawn(name, async move {
                Timer::after_millis(i as u64).await;
                ev.wait().await;
                log.at(name);
            });
        }
        sim.spawn("setter", async move {
            Timer::after_millis(10).await;
            sim.spawn("bystander", async move { log.at("bystander") });
            ev.set();
            log.at("setter continues");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    })
}

#[test]
fn conformance_micropython_event_broadcast() {
    let o = event_broadcast(MICROPYTHON);
    assert_eq!(o.woken_by, strs(&["w0", "w1", "w2"]));
    // After the setter yields and after the task already ready, in wait order.
    assert_eq!(o.log, strs(&["setter continues@10", "bystander@10", "w0@10", "w1@10", "w2@10"]));
}

#[test]
fn conformance_embassy_event_broadcast() {
    let o = event_broadcast(EMBASSY);
    assert_eq!(o.woken_by, strs(&["w0", "w1", "w2"]));
    // The same wake calls; the next batch runs them in reverse.
    assert_eq!(o.log, strs(&["setter continues@10", "w2@10", "w1@10", "w0@10", "bystander@10"]));
}

fn set_then_clear(policy: Policy) -> Outcome {
    run(policy, "setter", |sim, log| {
        let ev: &Ev = sim.alloc(Event::new());
        for name in ["w0", "w1"] {
            sim.spawn(name, async move {
                ev.wait().await;
                log.at(format!("{name} released, set={}", ev.is_set()));
            });
        }
        sim.spawn("setter", async move {
            Timer::after_millis(5).await;
            ev.set();
            ev.clear();
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(ev.waiting(), 0);
    })
}

#[test]
fn conformance_micropython_set_then_clear() {
    let o = set_then_clear(MICROPYTHON);
    assert_eq!(o.log, strs(&["w0 released, set=false@5", "w1 released, set=false@5"]));
}

#[test]
fn conformance_embassy_set_then_clear() {
    let o = set_then_clear(EMBASSY);
    // Spawned together, the waiters began to wait in reverse (w1 first): woken in that order,
    // run reversed again.
    assert_eq!(o.woken_by, strs(&["w1", "w0"]));
    assert_eq!(o.log, strs(&["w0 released, set=false@5", "w1 released, set=false@5"]));
}

/// The same row on embassy-sync's single-waker `Signal`: `reset` takes the value back and
/// the waiter waits again (a spurious wake), as the table's embassy column says.
#[test]
fn conformance_embassy_set_then_clear_on_signal() {
    let o = run(EMBASSY, "setter", |sim, log| {
        let sig: &Signal<NoopRawMutex, u8> = sim.alloc(Signal::new());
        sim.spawn("w", async move {
            let v = sig.wait().await;
            log.at(format!("w got {v}"));
        });
        sim.spawn("setter", async move {
            Timer::after_millis(5).await;
            sig.signal(1);
            sig.reset();
            Timer::after_millis(5).await;
            sig.signal(2);
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    });
    assert_eq!(o.woken_by, strs(&["w", "w"]), "woken twice: once spuriously");
    assert_eq!(o.log, strs(&["w got 2@10"]));
}
