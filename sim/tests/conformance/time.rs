//! Rows about time: sleep(0), equal deadlines, the ready order after a blocking section, a
//! sleeper due now against a task made ready now, periodic schedules.

use super::*;

fn zero_sleep(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("A", async move {
            log.at("a1");
            Timer::after(Duration::from_ticks(0)).await;
            log.at("a2");
        });
        sim.spawn("B", async move {
            log.at("b1");
            fwsim::yield_now().await;
            log.at("b2");
        });
        sim.run_until_stalled().unwrap();
        assert_eq!(sim.now(), SimTime::ZERO, "a zero sleep does not advance time");
    })
}

#[test]
fn conformance_embassy_zero_sleep() {
    // Pending once, woken by the driver at once, polled in the next batch.
    assert_eq!(zero_sleep(EMBASSY), strs(&["b1@0", "a1@0", "a2@0", "b2@0"]));
}

#[test]
fn conformance_micropython_zero_sleep() {
    assert_eq!(zero_sleep(MICROPYTHON), strs(&["a1@0", "b1@0", "a2@0", "b2@0"]));
}

fn equal_deadlines(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        // Register timers for t=100 in the order 2, 1, 0 (each task first waits i ms).
        for i in 0..3u64 {
            sim.spawn("sleeper", async move {
                Timer::after(ms(10 * (3 - i))).await;
                Timer::at(Instant::from_millis(100)).await;
                log.push(format!("S{i}"));
            });
        }
        sim.run_for(fwsim::ms(200)).unwrap();
    })
}

#[test]
fn conformance_embassy_equal_deadlines() {
    // S2 registered first (at 10 ms), then S1, then S0: polled in registration order.
    assert_eq!(equal_deadlines(EMBASSY), strs(&["S2", "S1", "S0"]));
}

#[test]
fn conformance_micropython_equal_deadlines() {
    assert_eq!(equal_deadlines(MICROPYTHON), strs(&["S2", "S1", "S0"]));
}

#[test]
fn conformance_embassy_equal_deadlines_reregistration_keeps_place() {
    // SEMANTICS B.5: A queued for 100, B for 50, then A re-registers for 50 (updated in place,
    // keeps its first insertion), then C for 50: polled A, B, C.
    let got = logged(EMBASSY, |sim, log| {
        sim.spawn("C", async move {
            Timer::after(ms(3)).await;
            Timer::at(Instant::from_millis(50)).await;
            log.push("C");
        });
        sim.spawn("B", async move {
            Timer::after(ms(1)).await;
            Timer::at(Instant::from_millis(50)).await;
            log.push("B");
        });
        let sig = sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let sig = &*sig;
        sim.spawn("A", async move {
            // Queued for 100 at t=0 (before B's first insertion at 1 ms)…
            embassy_futures::select::select(Timer::at(Instant::from_millis(100)), sig.wait()).await;
            // …woken at 2 ms by the signal with the 100 ms item still queued: registering 50
            // updates it in place, keeping A's first insertion.
            Timer::at(Instant::from_millis(50)).await;
            log.push("A");
        });
        sim.schedule_isr(SimTime::from_millis(2), Irq::new(1, 1), move || sig.signal(()));
        sim.run_for(fwsim::ms(200)).unwrap();
    });
    assert_eq!(got, strs(&["A", "B", "C"]));
}

/// Deadlines 20 and 40 (A, B); a task blocks the CPU until 50, then creates C and sets W.
fn blocking_section(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        let w = sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let w = &*w;
        let blocker = move || async move {
            fwsim::busy_wait(fwsim::ms(50));
            sim.spawn("C", async move { log.at("C") });
            w.signal(());
        };
        let a = move || async move {
            Timer::after(ms(20)).await;
            log.at("A");
        };
        let b = move || async move {
            Timer::after(ms(40)).await;
            log.at("B");
        };
        let waiter = move || async move {
            w.wait().await;
            log.at("W");
        };
        // Every task must start before the blocker blocks: the blocker runs last in the first
        // round (last spawned under FIFO orders, first spawned under Embassy's LIFO).
        if sim.config().policy == EMBASSY {
            sim.spawn("X", blocker());
            sim.spawn("W", waiter());
            sim.spawn("B", b());
            sim.spawn("A", a());
        } else {
            sim.spawn("A", a());
            sim.spawn("B", b());
            sim.spawn("W", waiter());
            sim.spawn("X", blocker());
        }
        sim.run_for(fwsim::ms(100)).unwrap();
    })
}

#[test]
fn conformance_embassy_blocking_section() {
    // Reverse readiness: W, C, B, A.
    assert_eq!(blocking_section(EMBASSY), strs(&["W@50", "C@50", "B@50", "A@50"]));
}

#[test]
fn conformance_micropython_blocking_section() {
    // By key: A20, B40, C50, W50.
    assert_eq!(blocking_section(MICROPYTHON), strs(&["A@50", "B@50", "C@50", "W@50"]));
}

fn sleeper_vs_ready(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        let sig = sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let sig = &*sig;
        sim.spawn("sleeper", async move {
            Timer::after(ms(100)).await;
            log.at("sleeper");
        });
        sim.spawn("ready", async move {
            sig.wait().await;
            log.at("ready");
        });
        // An interrupt at the sleeper's deadline makes the other task ready.
        sim.schedule_isr(SimTime::from_millis(100), Irq::new(1, 5), move || sig.signal(()));
        sim.run_for(fwsim::ms(200)).unwrap();
    })
}

#[test]
fn conformance_embassy_sleeper_vs_ready() {
    // The alarm (IRQ priority 0) fires before the GPIO IRQ (priority 1): the sleeper is pushed
    // first, the ready task later, and the later push runs first.
    assert_eq!(sleeper_vs_ready(EMBASSY), strs(&["ready@100", "sleeper@100"]));
}

#[test]
fn conformance_micropython_sleeper_vs_ready() {
    // The sleeper's key was pushed earlier.
    assert_eq!(sleeper_vs_ready(MICROPYTHON), strs(&["sleeper@100", "ready@100"]));
}

#[test]
fn conformance_embassy_periodic_ticker() {
    // Ticker is drift-free and delivers missed ticks back-to-back.
    let got = logged(EMBASSY, |sim, log| {
        sim.spawn("ticker", async move {
            let mut t = Ticker::every(ms(10));
            for i in 0..5 {
                t.next().await;
                log.at("tick");
                if i == 1 {
                    fwsim::busy_wait(fwsim::ms(25)); // overruns two periods
                }
            }
        });
        sim.run_for(fwsim::ms(100)).unwrap();
    });
    assert_eq!(got, strs(&["tick@10", "tick@20", "tick@45", "tick@45", "tick@50"]));
}

#[test]
fn conformance_micropython_periodic_sleep_loop_drifts() {
    // No Ticker in asyncio: a loop of sleeps drifts by the work time.
    let got = logged(MICROPYTHON, |sim, log| {
        sim.spawn("loop", async move {
            for _ in 0..3 {
                fwsim::busy_wait(fwsim::ms(3));
                Timer::after(ms(10)).await;
                log.at("tick");
            }
        });
        sim.run_for(fwsim::ms(100)).unwrap();
    });
    assert_eq!(got, strs(&["tick@13", "tick@26", "tick@39"]));
}
