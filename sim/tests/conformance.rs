//! One test per *scheduling* row of `shared/SEMANTICS.md`'s conformance table, for the
//! `Embassy` and `MicroPython` policies: `conformance_<policy>_<row>`.
//!
//! The expected values are the table's (observed on MicroPython 1.29 and embassy-executor
//! 0.10). Rows about asyncio's library (Event, Lock, wait_for, gather, cancellation delivery)
//! belong to the primitives crate; rows with no Rust meaning are listed in `fwsim::Order`'s
//! docs.

mod common;

use common::{Log, logged, strs};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Instant, Ticker, Timer};
use fwsim::{Irq, Policy, Sim, SimTime};

const EMBASSY: Policy = Policy::Embassy;
const MICROPYTHON: Policy = Policy::MicroPython;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ---- first-run order of N tasks spawned together --------------------------------------------

fn spawn_order(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        for i in 0..5 {
            sim.spawn("t", async move { log.push(i.to_string()) });
        }
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_spawn_order() {
    assert_eq!(spawn_order(EMBASSY), strs(&["4", "3", "2", "1", "0"]));
}

#[test]
fn conformance_micropython_spawn_order() {
    assert_eq!(spawn_order(MICROPYTHON), strs(&["0", "1", "2", "3", "4"]));
}

// ---- spawn does not run the task immediately ------------------------------------------------

fn spawn_not_immediate(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("parent", async move {
            sim.spawn("child", async move { log.push("child") });
            log.push("parent continues");
        });
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_spawn_not_immediate() {
    assert_eq!(spawn_not_immediate(EMBASSY), strs(&["parent continues", "child"]));
}

#[test]
fn conformance_micropython_spawn_not_immediate() {
    assert_eq!(spawn_not_immediate(MICROPYTHON), strs(&["parent continues", "child"]));
}

// ---- creator yields right after spawning ----------------------------------------------------

fn spawn_then_yield(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("parent", async move {
            for i in 0..3 {
                sim.spawn("child", async move { log.push(format!("c{i}")) });
            }
            fwsim::yield_now().await;
            log.push("parent");
        });
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_spawn_then_yield() {
    // The parent is pushed last, so it runs before its children; they run LIFO.
    assert_eq!(spawn_then_yield(EMBASSY), strs(&["parent", "c2", "c1", "c0"]));
}

#[test]
fn conformance_micropython_spawn_then_yield() {
    assert_eq!(spawn_then_yield(MICROPYTHON), strs(&["c0", "c1", "c2", "parent"]));
}

// ---- round robin of 3 self-yielding tasks ---------------------------------------------------

fn yield_round_robin(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        for i in 0..3 {
            sim.spawn("t", async move {
                for _ in 0..3 {
                    log.push(format!("T{i}"));
                    fwsim::yield_now().await;
                }
            });
        }
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_yield_round_robin() {
    // The order reverses every batch: 2,1,0 / 0,1,2 / 2,1,0.
    assert_eq!(yield_round_robin(EMBASSY), strs(&["T2", "T1", "T0", "T0", "T1", "T2", "T2", "T1", "T0"]));
}

#[test]
fn conformance_micropython_yield_round_robin() {
    assert_eq!(yield_round_robin(MICROPYTHON), strs(&["T0", "T1", "T2", "T0", "T1", "T2", "T0", "T1", "T2"]));
}

// ---- a task created mid-round ---------------------------------------------------------------

fn created_mid_round(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        for name in ["A", "B"] {
            sim.spawn(name, async move {
                for round in 0..2 {
                    log.push(format!("{name}{round}"));
                    if name == "A" && round == 0 {
                        sim.spawn("N", async move { log.push("N") });
                    }
                    fwsim::yield_now().await;
                }
            });
        }
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_created_mid_round() {
    // Batch 1 runs B then A (LIFO); A spawns N then yields, so N is pushed before A and after
    // B: batch 2 runs A, N, B.
    assert_eq!(created_mid_round(EMBASSY), strs(&["B0", "A0", "A1", "N", "B1"]));
}

#[test]
fn conformance_micropython_created_mid_round() {
    // N joins the tail behind the tasks already ready.
    assert_eq!(created_mid_round(MICROPYTHON), strs(&["A0", "B0", "N", "A1", "B1"]));
}

// ---- sleep(0) / Timer::after(0) -------------------------------------------------------------

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

// ---- equal deadlines ------------------------------------------------------------------------

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

// ---- ready order after a blocking section ---------------------------------------------------

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

// ---- sleeper due now vs task made ready now -------------------------------------------------

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

// ---- wake while already queued --------------------------------------------------------------

fn wake_coalescing(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        let polls = sim.alloc(std::cell::Cell::new(0));
        let polls = &*polls;
        let waker = sim.alloc(std::cell::RefCell::new(None::<std::task::Waker>));
        let waker = &*waker;
        sim.spawn("waiter", async move {
            std::future::poll_fn(|cx| {
                polls.set(polls.get() + 1);
                *waker.borrow_mut() = Some(cx.waker().clone());
                if polls.get() >= 2 { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
            })
            .await;
        });
        sim.spawn("waker", async move {
            Timer::after(ms(1)).await;
            let w = waker.borrow().clone().unwrap();
            w.wake_by_ref();
            w.wake_by_ref();
            w.wake();
        });
        sim.run_for(fwsim::ms(10)).unwrap();
        log.push(format!("polls={}", polls.get()));
    })
}

#[test]
fn conformance_embassy_wake_coalescing() {
    assert_eq!(wake_coalescing(EMBASSY), strs(&["polls=2"]));
}

#[test]
fn conformance_micropython_wake_coalescing() {
    assert_eq!(wake_coalescing(MICROPYTHON), strs(&["polls=2"]));
}

// ---- self-wake during own poll ---------------------------------------------------------------

fn self_wake(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("self", async move {
            for i in 0..2 {
                log.push(format!("self{i}"));
                fwsim::yield_now().await;
            }
        });
        sim.spawn("other", async move {
            for i in 0..2 {
                log.push(format!("other{i}"));
                fwsim::yield_now().await;
            }
        });
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_self_wake() {
    // A self-woken task is never polled twice in one batch.
    assert_eq!(self_wake(EMBASSY), strs(&["other0", "self0", "self1", "other1"]));
}

#[test]
fn conformance_micropython_self_wake() {
    // sleep(0) requeues at the tail.
    assert_eq!(self_wake(MICROPYTHON), strs(&["self0", "other0", "self1", "other1"]));
}

// ---- interrupt wakes ------------------------------------------------------------------------

fn isr_wake(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        let from_isr = &*sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let from_task = sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let from_task = &*from_task;
        sim.spawn("W", async move {
            from_isr.wait().await;
            log.push("W (woken by the interrupt)");
        });
        sim.spawn("V", async move {
            from_task.wait().await;
            log.push("V (woken by the task)");
        });
        sim.spawn("T", async move {
            Timer::after(ms(1)).await;
            // A pin write that raises an interrupt, then an ordinary wake.
            sim.raise_isr(Irq::new(1, 7), move || from_isr.signal(()));
            from_task.signal(());
        });
        sim.run_for(fwsim::ms(10)).unwrap();
    })
}

#[test]
fn conformance_embassy_isr_wake() {
    // The interrupt runs nested at the write: W is pushed first, V second; LIFO runs V first.
    assert_eq!(isr_wake(EMBASSY), strs(&["V (woken by the task)", "W (woken by the interrupt)"]));
}

#[test]
fn conformance_micropython_isr_wake() {
    // asyncio notices the interrupt only at its next loop step: V (pushed during the poll)
    // runs before W.
    assert_eq!(isr_wake(MICROPYTHON), strs(&["V (woken by the task)", "W (woken by the interrupt)"]));
}

#[test]
fn conformance_micropython_isr_wake_joins_at_next_step() {
    // Distinguishes deferral from FIFO: the interrupt wake comes first in program order but
    // second in the queue; a FIFO without deferral would run W first.
    let got = logged(MICROPYTHON, |sim, log| {
        let a = &*sim.alloc(Signal::<NoopRawMutex, ()>::new());
        sim.spawn("W", async move {
            a.wait().await;
            log.push("W");
        });
        sim.spawn("T", async move {
            sim.raise_isr(Irq::new(1, 7), move || a.signal(()));
            fwsim::yield_now().await;
            log.push("T");
        });
        sim.run_until_stalled().unwrap();
    });
    assert_eq!(got, strs(&["T", "W"]));
}

// ---- periodic schedules ---------------------------------------------------------------------

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

// ---- main returns while other tasks are pending ---------------------------------------------

fn main_returns(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("background", async move {
            loop {
                Timer::after(ms(10)).await;
                log.at("bg");
            }
        });
        let v = sim
            .block_on(async {
                Timer::after(ms(25)).await;
                7
            })
            .unwrap();
        log.push(format!("main={v}@{}", sim.now().as_millis()));
        // The other task stays and resumes in the next run.
        sim.run_for(fwsim::ms(10)).unwrap();
    })
}

#[test]
fn conformance_embassy_main_returns_others_stay() {
    assert_eq!(main_returns(EMBASSY), strs(&["bg@10", "bg@20", "main=7@25", "bg@30"]));
}

#[test]
fn conformance_micropython_main_returns_others_stay() {
    assert_eq!(main_returns(MICROPYTHON), strs(&["bg@10", "bg@20", "main=7@25", "bg@30"]));
}

// ---- nothing can ever run again -------------------------------------------------------------

fn deadlock(policy: Policy) -> fwsim::SimError {
    let never = Signal::<NoopRawMutex, ()>::new();
    let sim = Sim::with_config(fwsim::SimConfig::new().policy(policy));
    sim.block_on(never.wait()).unwrap_err()
}

#[test]
fn conformance_embassy_deadlock() {
    let err = deadlock(EMBASSY);
    let fwsim::SimError::Deadlock(report) = err else { panic!("{err}") };
    assert_eq!(report.waiting.len(), 1);
    assert_eq!(report.waiting[0].task, "main#0");
}

#[test]
fn conformance_micropython_deadlock() {
    assert!(matches!(deadlock(MICROPYTHON), fwsim::SimError::Deadlock(_)));
}

// ---- timer slots per task -------------------------------------------------------------------

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

// ---- MicroPython timer keys after a dropped timer ---------------------------------------------

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
