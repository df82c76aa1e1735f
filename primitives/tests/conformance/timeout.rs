//! Timeouts: one equal to the inner sleep, one against another task signalling at the same
//! instant.

use super::*;

fn timeout_equal(policy: Policy) -> Outcome {
    run(policy, "-", |sim, log| {
        sim.spawn("wait_for", async move {
            let r = wait_for(Duration::from_millis(10), Timer::after_millis(10)).await;
            log.at(format!("wait_for {r:?}"));
        });
        sim.spawn("with_timeout", async move {
            let r = with_timeout(Duration::from_millis(10), Timer::after_millis(10)).await;
            log.at(format!("with_timeout {}", if r.is_ok() { "Ok" } else { "Err" }));
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    })
}

#[test]
fn conformance_micropython_timeout_equal_to_inner_sleep() {
    let mut log = timeout_equal(MICROPYTHON).log;
    log.sort();
    assert!(log.contains(&"wait_for Err(TimeoutError)@10".to_string()), "{log:?}");
}

#[test]
fn conformance_embassy_timeout_equal_to_inner_sleep() {
    let log = timeout_equal(EMBASSY).log;
    // embassy's with_timeout polls the inner future first: Ok. The ported wait_for keeps
    // asyncio's rule whatever the executor.
    assert!(log.contains(&"with_timeout Ok@10".to_string()), "{log:?}");
    assert!(log.contains(&"wait_for Err(TimeoutError)@10".to_string()), "{log:?}");
}

/// Spawns the two tasks so that the one named first registers its timer first (a yield in
/// between), then runs until nothing is left.
fn run_in_order<'s>(
    sim: &'s Sim<'s>,
    signaller_first: bool,
    signaller: impl std::future::Future<Output = ()> + 's,
    waiter: impl std::future::Future<Output = ()> + 's,
) {
    sim.block_on(async move {
        if signaller_first {
            sim.spawn("signaller", signaller);
            fwsim::yield_now().await;
            sim.spawn("waiter", waiter);
        } else {
            sim.spawn("waiter", waiter);
            fwsim::yield_now().await;
            sim.spawn("signaller", signaller);
        }
    })
    .unwrap();
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
}

/// `signaller_first`: the signalling task registers its 10 ms timer before the waiter's.
fn timeout_vs_event(policy: Policy, signaller_first: bool) -> Vec<String> {
    run(policy, "-", move |sim, log| {
        let ev: &Ev = sim.alloc(Event::new());
        let waiter = async move {
            let r = wait_for(Duration::from_millis(10), ev.wait()).await;
            log.at(format!("{r:?}"));
        };
        let signaller = async move {
            Timer::after_millis(10).await;
            ev.set();
        };
        run_in_order(sim, signaller_first, signaller, waiter);
    })
    .log
}

#[test]
fn conformance_micropython_timeout_vs_completion_same_instant() {
    assert_eq!(timeout_vs_event(MICROPYTHON, true), strs(&["Err(TimeoutError)@10"]));
    assert_eq!(timeout_vs_event(MICROPYTHON, false), strs(&["Err(TimeoutError)@10"]));
}

/// The embassy column: `with_timeout` over a `Signal` — the outcome follows the LIFO order.
fn embassy_timeout_vs_signal(signaller_first: bool) -> Vec<String> {
    run(EMBASSY, "-", move |sim, log| {
        let sig: &Signal<NoopRawMutex, u8> = sim.alloc(Signal::new());
        let waiter = async move {
            let r = with_timeout(Duration::from_millis(10), sig.wait()).await;
            log.at(format!("{r:?}"));
        };
        let signaller = async move {
            Timer::after_millis(10).await;
            sig.signal(7);
        };
        run_in_order(sim, signaller_first, signaller, waiter);
    })
    .log
}

#[test]
fn conformance_embassy_timeout_vs_completion_same_instant() {
    // Expiries are woken newest first and the batch runs LIFO: the timer registered first
    // runs first. Signaller first → it signals, then the waiter sees the value.
    assert_eq!(embassy_timeout_vs_signal(true), strs(&["Ok(7)@10"]));
    assert_eq!(embassy_timeout_vs_signal(false), strs(&["Err(TimeoutError)@10"]));
    // The ported wait_for gives TimeoutError in both orders under this policy too.
    assert_eq!(timeout_vs_event(EMBASSY, true), strs(&["Err(TimeoutError)@10"]));
    assert_eq!(timeout_vs_event(EMBASSY, false), strs(&["Err(TimeoutError)@10"]));
}
