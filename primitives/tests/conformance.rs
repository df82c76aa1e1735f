//! The primitive rows of `shared/SEMANTICS.md`'s conformance table, under fwsim's `Embassy`
//! and `MicroPython` policies: `conformance_<policy>_<row>`.
//!
//! "FIFO" is asserted on the order of *wake calls* (fwsim's trace `Wake` events); the order in
//! which the woken tasks then *run* is the policy's, asserted per policy. The MicroPython
//! column is asyncio's behaviour, which these primitives port; the embassy column, where it
//! names an embassy primitive (`with_timeout`, `Signal`), is checked on that primitive.

use std::cell::RefCell;

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer, with_timeout};
use fwsim::trace::Kind;
use fwsim::{IsrCheckedRawMutex, Policy, Sim, SimConfig};
use fwsim_primitives::{Event, Lock, TimeoutError, gather, wait_for};

const EMBASSY: Policy = Policy::Embassy;
const MICROPYTHON: Policy = Policy::MicroPython;

type Ev = Event<IsrCheckedRawMutex>;
type Lk = Lock<IsrCheckedRawMutex>;

/// What tasks logged, as `what@ms`.
#[derive(Default)]
struct Log(RefCell<Vec<String>>);

impl Log {
    fn at(&self, what: impl std::fmt::Display) {
        self.0.borrow_mut().push(format!("{what}@{}", fwsim::now().as_millis()));
    }
}

/// The log and the tasks woken (in wake-call order) by the task named `waker`.
struct Outcome {
    log: Vec<String>,
    woken_by: Vec<String>,
}

fn run(policy: Policy, waker: &'static str, body: impl for<'s> Fn(&'s Sim<'s>, &'s Log) + Sync) -> Outcome {
    let out = std::sync::Mutex::new(None);
    fwsim::test_with(SimConfig::new().policy(policy), |sim| {
        let log = sim.alloc(Log::default());
        body(sim, log);
        let names = sim.trace_names();
        let recs = sim.trace_records();
        let waker_serial = recs.iter().find(|r| r.kind == Kind::Spawn && names.task(r.task) == waker).map(|r| r.task);
        let woken_by = recs
            .iter()
            .filter(|r| r.kind == Kind::Wake && Some(r.source) == waker_serial)
            .map(|r| names.task(r.task).to_string())
            .collect();
        let mut slot = out.lock().unwrap();
        if slot.is_none() {
            *slot = Some(Outcome { log: log.0.take(), woken_by });
        }
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    });
    out.into_inner().unwrap().unwrap()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---- Event broadcast: wake calls in wait order; resumption per policy ----------------------

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

// ---- set then clear before the waiters run ------------------------------------------------

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

// ---- Lock contention and hand-off -----------------------------------------------------------

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

// ---- timeout equal to the inner sleep ---------------------------------------------------------

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

// ---- timeout vs another task signalling at the same instant ------------------------------------

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

// ---- cancelling a waiter -------------------------------------------------------------------

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

// ---- gather with a failing child --------------------------------------------------------------

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

// ---- interrupt misuse of a task-only primitive ---------------------------------------------

#[test]
fn a_task_only_event_set_from_an_interrupt_is_reported() {
    let ev: Ev = Event::new();
    let sim = Sim::new();
    sim.spawn("waiter", async { ev.wait().await });
    sim.schedule_isr(fwsim::SimTime::from_millis(3), fwsim::Irq::new(1, 9), || ev.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    let d = sim.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].to_string(),
        "0.003000000s: interrupt 9 locked Event::set, a task-only primitive; give it a CriticalSectionRawMutex if interrupts use it"
    );
}

#[test]
fn a_critical_section_event_set_from_an_interrupt_is_fine() {
    let ev: Event<embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex> = Event::new();
    let sim = Sim::new();
    let mut waiter = sim.spawn("waiter", async { ev.wait().await });
    sim.schedule_isr(fwsim::SimTime::from_millis(3), fwsim::Irq::new(1, 9), || ev.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert!(sim.diagnostics().is_empty());
    assert_eq!(waiter.try_take(), Some(Ok(())));
}

#[test]
fn a_zero_timeout_times_out_before_polling_the_future() {
    fwsim::test(|sim| {
        let mut t = sim.spawn("t", wait_for(Duration::from_millis(0), async { 1 }));
        sim.run_until_stalled().unwrap();
        assert_eq!(t.try_take(), Some(Ok(Err(TimeoutError))));
    });
}
