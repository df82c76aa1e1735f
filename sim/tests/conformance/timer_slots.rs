//! Timer slots per task, and MicroPython's timer keys after a dropped timer.

use super::*;

fn dropped_timer(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        let sig = sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let sig = &*sig;
        sim.spawn("waiter", async move {
            // The timeout loses to the signal; its Timer is dropped but its slot stays queued.
            let _ = embassy_time::with_timeout(ms(50), sig.wait()).await;
            log.at("signalled");
            std::future::poll_fn(|cx| {
                log.at("polled");
                let _ = cx.waker().clone(); // not parked: it registered a waker
                std::task::Poll::<()>::Pending
            })
            .await;
        });
        sim.spawn("setter", async move {
            Timer::after(ms(10)).await;
            sig.signal(());
        });
        sim.run_for(fwsim::ms(100)).unwrap();
        sim.take_diagnostics();
    })
}

#[test]
fn conformance_embassy_dropped_timer_spurious_wake() {
    assert_eq!(dropped_timer(EMBASSY), strs(&["signalled@10", "polled@10", "polled@50"]));
}

#[test]
fn conformance_micropython_dropped_timer_spurious_wake() {
    // MicroPython has one heap key per sleep and no such slot; in Rust a dropped Timer's slot
    // still fires under every policy (futures tolerate spurious wakes). Documented difference.
    assert_eq!(dropped_timer(MICROPYTHON), strs(&["signalled@10", "polled@10", "polled@50"]));
}

/// Three tasks each register a short timer then a long one, and count their polls.
fn timer_polls(kind: fwsim::TimerQueueKind) -> (Vec<String>, usize, Vec<fwsim::Diagnostic>) {
    let out = std::sync::Mutex::new((Vec::new(), 0, Vec::new()));
    fwsim::test_with(fwsim::SimConfig::new().timer_queue(kind), |sim| {
        let log = sim.alloc(Log::default());
        let log = &*log;
        for (i, d) in [(0, 30), (1, 40), (2, 50)] {
            sim.spawn("t", async move {
                Timer::after(ms(i)).await;
                Timer::after(ms(d)).await;
                log.at(&format!("T{i}"));
            });
        }
        sim.run_for(fwsim::ms(100)).unwrap();
        let polls = sim.trace_records().iter().filter(|r| r.kind == fwsim::trace::Kind::PollBegin).count();
        let mut o = out.lock().unwrap();
        if o.0.is_empty() {
            *o = (log.take(), polls, sim.diagnostics());
        }
    });
    out.into_inner().unwrap()
}

#[test]
fn conformance_embassy_generic_queue_overflow_wakes_newest_early() {
    // Integrated queue: one slot per task, three polls each (spawn, short timer, long timer).
    let (log, polls, diags) = timer_polls(fwsim::TimerQueueKind::Integrated);
    assert_eq!(log, strs(&["T0@30", "T1@41", "T2@52"]));
    assert_eq!(polls, 9);
    assert!(diags.is_empty());
    // generic-queue-2: a third timer evicts the newest one, which is woken early, polls its
    // timer (not due) and registers again, evicting the other: the two thrash at one instant,
    // as they would on a board until CPU time passes. Nobody finishes before its deadline.
    let (log, polls, diags) = timer_polls(fwsim::TimerQueueKind::Generic(2));
    assert!(polls > 9, "overflow must wake a timer early ({polls} polls)");
    assert!(matches!(diags.as_slice(), [fwsim::Diagnostic::SameInstantLoop { .. }, ..]), "{diags:?}");
    for (entry, due) in log.iter().zip([30, 41, 52]) {
        let at: u64 = entry.split('@').nth(1).unwrap().parse().unwrap();
        assert!(at >= due, "{entry} finished before its deadline {due}");
    }
}

/// A timer dropped early leaves its deadline queued (embassy's integrated queue); a later sleep
/// asked for meanwhile is keyed, under MicroPython, by when it was asked for, as asyncio's
/// sleep pushes its key then — not by the re-request after the stale deadline's spurious
/// wake. (Found by the differential tests against the real MicroPython.)
#[test]
fn micropython_a_sleep_asked_for_behind_a_dropped_timer_keeps_its_place() {
    let log = logged(MICROPYTHON, |sim, log| {
        sim.spawn("late", async move {
            Timer::after(ms(12)).await; // asked for first, so polled first at 12
            Timer::after(ms(6)).await; // asked for at 12, due at 18
            log.at("late");
        });
        sim.spawn("early", async move {
            // A 12 ms timer, dropped at once (a wait_for that completed immediately)...
            embassy_futures::select::select(Timer::after(ms(12)), async {}).await;
            // ...then an 18 ms sleep, asked for at 0: it waits behind the stale 12 ms
            // deadline, which wakes this task spuriously, after "late", at 12.
            Timer::after(ms(18)).await;
            log.at("early");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    });
    assert_eq!(log, strs(&["early@18", "late@18"]));
}

/// Under MicroPython, a wake that reaches a task already queued is not lost: if the task then
/// wakes itself during its next poll, it resumes at that wake's place, not at the tail. In
/// asyncio the second wake would have queued another task (the awaitable of a `wait_for`,
/// whose turn fwsim-primitives' `wait_for` stands in for with a self-wake). (Found by the
/// differential tests against the real MicroPython.)
#[test]
fn micropython_a_self_wake_takes_the_place_of_a_coalesced_wake() {
    let log = logged(MICROPYTHON, |sim, log| {
        let (to_x, to_y): (&Signal<NoopRawMutex, ()>, &Signal<NoopRawMutex, ()>) =
            (sim.alloc(Signal::new()), sim.alloc(Signal::new()));
        sim.spawn("setter", async move {
            Timer::after(ms(10)).await; // queued at 10 before x
            to_x.signal(()); // x is queued already: coalesced
            to_y.signal(()); // y joins the queue after that place
            log.at("setter");
        });
        sim.spawn("x", async move {
            embassy_futures::select::select(Timer::after(ms(10)), to_x.wait()).await;
            fwsim::yield_now().await; // back at the coalesced wake's place
            log.at("x");
        });
        sim.spawn("y", async move {
            to_y.wait().await;
            log.at("y");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    });
    assert_eq!(log, strs(&["setter@10", "x@10", "y@10"]));
}
