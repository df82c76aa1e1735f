//! Every diagnostic, and the cases where one must *not* fire.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::task::{Poll, Waker};

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, NoopRawMutex};
use embassy_sync::mutex::Mutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer};
use fwsim::{Diagnostic, Sim, SimConfig, SimError, SimTime, WaitState, ms};

mod common;

/// The kernel's general path (trace on) and its lean one (trace off): each diagnostic test
/// runs under both.
fn both_paths() -> [SimConfig; 2] {
    [SimConfig::new(), SimConfig::new().no_trace()]
}

#[test]
fn waker_dropped_without_a_wake_is_reported() {
    for config in both_paths() {
        let sim = Sim::with_config(config);
        sim.spawn("forgetful", async {
            Timer::after(Duration::from_millis(3)).await;
            // Registers interest by cloning the waker… then loses it.
            std::future::poll_fn(|cx| {
                let w = cx.waker().clone();
                drop(w);
                Poll::<()>::Pending
            })
            .await
        });
        sim.run_for(ms(10)).unwrap();
        let d = sim.take_diagnostics();
        assert_eq!(
            d,
            vec![Diagnostic::WakerDropped {
                task: "forgetful#0".into(),
                dropped_by: "forgetful#0".into(),
                at: SimTime::from_millis(3)
            }]
        );
        assert_eq!(sim.wait_report().waiting[0].state, WaitState::Lost);
    }
}

#[test]
fn waker_dropped_by_another_task_names_it() {
    for config in both_paths() {
        let slot: RefCell<Option<Waker>> = RefCell::new(None);
        let sim = Sim::with_config(config);
        sim.spawn(
            "victim",
            std::future::poll_fn(|cx| {
                *slot.borrow_mut() = Some(cx.waker().clone());
                Poll::<()>::Pending
            }),
        );
        sim.spawn("culprit", async {
            Timer::after(Duration::from_millis(1)).await;
            slot.borrow_mut().take();
        });
        sim.run_for(ms(5)).unwrap();
        assert!(matches!(
            sim.take_diagnostics().as_slice(),
            [Diagnostic::WakerDropped { task, dropped_by, .. }] if task == "victim#0" && dropped_by == "culprit#1"
        ));
    }
}

#[test]
fn a_parked_task_is_not_lost() {
    for config in both_paths() {
        let sim = Sim::with_config(config);
        sim.spawn("parked", std::future::pending::<()>());
        sim.spawn("sleeper", async { Timer::after(Duration::from_secs(1)).await });
        let report = sim.run_until_quiescent(ms(10)).unwrap();
        assert!(sim.diagnostics().is_empty());
        assert_eq!(report.waiting[0].state, WaitState::Parked);
        assert_eq!(report.waiting[1].state, WaitState::Timer(SimTime::from_secs(1)));
    }
}

#[test]
fn aborting_a_waiting_task_is_not_a_lost_waker() {
    for config in both_paths() {
        // The aborted task's future is dropped, and with it the waker clone its primitive held:
        // the task is gone, not lost.
        struct Registered<'a>(&'a RefCell<Option<Waker>>);
        impl std::future::Future for Registered<'_> {
            type Output = ();
            fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
                *self.0.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
        impl Drop for Registered<'_> {
            fn drop(&mut self) {
                self.0.borrow_mut().take(); // unregisters, as an intrusive waiter does
            }
        }
        let slot = RefCell::new(None);
        let sim = Sim::with_config(config);
        let victim = sim.spawn("victim", Registered(&slot));
        sim.run_until_stalled().unwrap();
        victim.abort();
        sim.run_until_stalled().unwrap();
        assert!(victim.is_finished());
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    }
}

#[test]
fn a_waker_kept_alive_is_not_lost() {
    for config in both_paths() {
        let sig = Signal::<NoopRawMutex, ()>::new();
        let sim = Sim::with_config(config);
        sim.spawn("waits", sig.wait());
        sim.run_for(ms(1)).unwrap();
        assert!(sim.diagnostics().is_empty());
    }
}

#[test]
fn a_task_awaiting_a_join_handle_and_a_signal_is_not_lost() {
    for config in both_paths() {
        // Each loop turn registers a fresh clone with the signal, and a fresh one with the join
        // handle, which drops the one it held. Both clones count: the task waits with two
        // wakers held, which is not a lost wake-up.
        let sig = Signal::<NoopRawMutex, ()>::new();
        let turns = Cell::new(0);
        let sim = Sim::with_config(config);
        let mut worker = sim.spawn("worker", async { Timer::after(Duration::from_millis(10)).await });
        let (sig, turns) = (&sig, &turns);
        sim.spawn("waiter", async move {
            while let Either::First(()) = select(sig.wait(), &mut worker).await {
                turns.set(turns.get() + 1);
            }
        });
        sim.spawn("signaller", async {
            for _ in 0..3 {
                Timer::after(Duration::from_millis(1)).await;
                sig.signal(());
            }
        });
        sim.run_for(ms(5)).unwrap();
        assert_eq!(turns.get(), 3);
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
        // (One clone is the join handle's: the report names the task it waits for.)
        let others = WaitState::Joining { task: "worker#0".into(), others: 1 };
        assert_eq!(sim.wait_report().waiting[1].state, others);
        sim.run_for(ms(10)).unwrap();
        assert_eq!(sim.live_tasks(), 0);
    }
}

#[test]
fn a_generic_queue_timer_armed_with_another_tasks_waker_counts_as_a_clone() {
    for config in both_paths() {
        // "sleeper" parks its waker in a slot. "armer" polls a timer with that waker, so the
        // generic queue holds a clone of it; then drops the slot's clone. The sleeper still has
        // a waker held (the queue's), which wakes it at 5 ms: it is not lost.
        let slot: RefCell<Option<Waker>> = RefCell::new(None);
        let woken = Cell::new(false);
        let sim = Sim::with_config(config.timer_queue(fwsim::TimerQueueKind::Generic(4)));
        let (slot, woken) = (&slot, &woken);
        sim.spawn("sleeper", async move {
            let mut first = true;
            std::future::poll_fn(|cx| {
                if first {
                    first = false;
                    *slot.borrow_mut() = Some(cx.waker().clone());
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            woken.set(true);
        });
        sim.spawn("armer", async move {
            Timer::after(Duration::from_millis(1)).await;
            let theirs = slot.borrow_mut().take().expect("the sleeper parked its waker");
            let mut timer = Timer::after(Duration::from_millis(4));
            let mut cx = std::task::Context::from_waker(&theirs);
            assert!(std::pin::Pin::new(&mut timer).poll(&mut cx).is_pending());
            drop(theirs);
            drop(timer); // its deadline stays in the queue
        });
        sim.run_for(ms(10)).unwrap();
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
        assert!(woken.get());
    }
}

#[test]
fn three_waiters_on_an_embassy_mutex_loop_at_one_instant_but_all_acquire() {
    for config in both_paths() {
        // embassy-sync's Mutex keeps one waker: waiters evict (and wake) each other for ever at a
        // single instant. It works on hardware because the holder's timer interrupt breaks the loop.
        let mutex = Mutex::<CriticalSectionRawMutex, Vec<u32>>::new(Vec::new());
        let sim = Sim::with_config(config.same_instant_poll_limit(1_000));
        sim.spawn("holder", async {
            let _g = mutex.lock().await;
            Timer::after(Duration::from_millis(5)).await;
        });
        for i in 0..3 {
            let mutex = &mutex;
            sim.spawn("waiter", async move {
                Timer::after(Duration::from_millis(1)).await;
                mutex.lock().await.push(i);
            });
        }
        sim.run_for(ms(10)).unwrap();
        assert_eq!(mutex.try_lock().unwrap().len(), 3, "every waiter acquired the lock");
        let d = sim.take_diagnostics();
        assert!(d.iter().all(|d| matches!(d, Diagnostic::SameInstantLoop { .. })), "no lost waker: {d:?}");
        assert!(matches!(&d[0], Diagnostic::SameInstantLoop { at, tasks, .. }
            if *at == SimTime::from_millis(1) && tasks.iter().any(|t| t.starts_with("waiter"))));
    }
}

#[test]
fn a_same_instant_loop_with_nothing_scheduled_is_a_livelock() {
    for config in both_paths() {
        let sim = Sim::with_config(config.same_instant_poll_limit(500));
        let r = sim.block_on(async {
            loop {
                fwsim::yield_now().await
            }
        });
        assert!(matches!(r, Err(SimError::Livelock { ref tasks, .. }) if tasks == &["main#0"]), "{r:?}");
    }
}

#[test]
fn a_timer_under_a_foreign_waker_is_reported_and_still_fires() {
    let sim = Sim::new();
    sim.spawn("combinator", async {
        let mut timer = Timer::after(Duration::from_millis(2));
        // Poll the timer under a waker no task created, as FuturesUnordered would.
        let mut cx = std::task::Context::from_waker(Waker::noop());
        assert!(std::pin::Pin::new(&mut timer).poll_unpin_helper(&mut cx).is_pending());
        Timer::after(Duration::from_millis(5)).await;
    });
    sim.run_for(ms(10)).unwrap();
    assert!(matches!(
        sim.take_diagnostics().as_slice(),
        [Diagnostic::ForeignWakerTimer { task, at }] if task == "combinator#0" && *at == SimTime::ZERO
    ));
}

trait PollHelper {
    fn poll_unpin_helper(self, cx: &mut std::task::Context<'_>) -> Poll<()>;
}
impl PollHelper for std::pin::Pin<&mut Timer> {
    fn poll_unpin_helper(self, cx: &mut std::task::Context<'_>) -> Poll<()> {
        std::future::Future::poll(self, cx)
    }
}

#[test]
fn a_wake_aimed_at_another_simulation_is_reported() {
    let stolen: RefCell<Option<Waker>> = RefCell::new(None);
    let a = Sim::new();
    common::park_keeping_waker(&a, "a-task", &stolen);
    let b = Sim::new();
    b.spawn("b-task", async {
        stolen.borrow().as_ref().unwrap().wake_by_ref();
    });
    b.run_until_stalled().unwrap();
    assert!(matches!(
        b.take_diagnostics().as_slice(),
        [Diagnostic::CrossSimWake { woken_by, .. }] if woken_by == "b-task#0"
    ));
    assert!(a.diagnostics().is_empty());
}

#[test]
fn a_wake_from_another_thread_is_refused_and_reported() {
    let stolen: RefCell<Option<Waker>> = RefCell::new(None);
    let sim = Sim::new();
    sim.spawn(
        "target",
        std::future::poll_fn(|cx| {
            *stolen.borrow_mut() = Some(cx.waker().clone());
            Poll::<()>::Pending
        }),
    );
    sim.run_until_stalled().unwrap();
    let w = stolen.borrow().clone().unwrap();
    std::thread::spawn(move || w.wake()).join().unwrap();
    sim.run_for(ms(1)).unwrap();
    let d = sim.take_diagnostics();
    assert!(matches!(d.as_slice(), [Diagnostic::CrossThreadWake { task, .. }] if task == "target#0"), "{d:?}");
    assert_eq!(
        sim.trace_records().iter().filter(|r| r.kind == fwsim::trace::Kind::PollBegin).count(),
        1,
        "the wake was refused"
    );
}

#[test]
fn a_hung_poll_is_reported_by_the_watchdog() {
    // The poll waits (on the wall clock, bounded by the watchdog's own report) until the
    // watchdog has seen it hang; nothing here depends on machine speed.
    fwsim::scope(SimConfig::new().watchdog(Some(std::time::Duration::from_millis(30))), |sim| {
        sim.spawn("stuck", async move {
            while sim.watchdog_reports() == 0 {
                std::thread::yield_now();
            }
        });
        sim.run_until_stalled().unwrap();
        sim.run_until_stalled().unwrap(); // the report is read at the loop's next step
        let d = sim.take_diagnostics();
        assert!(
            matches!(d.as_slice(), [Diagnostic::PollHung { task, wall_ms, .. }] if task == "stuck#0" && *wall_ms >= 30),
            "{d:?}"
        );
    });
}

/// What `fwsim::long_polls` says about this thread's poll, from inside a poll the watchdog
/// has reported hung, and after it has returned.
fn long_polls_seen(config: SimConfig) -> (Vec<(String, SimTime)>, usize, usize) {
    let config = config.watchdog(Some(std::time::Duration::from_millis(30)));
    fwsim::scope(config, |sim| {
        let me = std::thread::current().id();
        let mine = move |min| fwsim::long_polls(min).into_iter().filter(|p| p.thread == me).collect::<Vec<_>>();
        let seen = sim.spawn("stuck", async move {
            Timer::after(Duration::from_millis(5)).await;
            while sim.watchdog_reports() == 0 {
                std::thread::yield_now();
            }
            let polls = mine(std::time::Duration::from_millis(30));
            assert!(polls.iter().all(|p| p.wall >= std::time::Duration::from_millis(30)), "{polls:?}");
            let longer = mine(std::time::Duration::from_secs(3600)).len();
            (polls.into_iter().map(|p| (p.task, p.at)).collect::<Vec<_>>(), longer)
        });
        sim.run_until_stalled().unwrap();
        let (polls, longer) = sim.join(seen).unwrap();
        (polls, longer, mine(std::time::Duration::ZERO).len())
    })
}

#[test]
fn a_harness_sees_which_thread_has_a_long_poll_and_in_which_task() {
    let (polls, longer, after) = long_polls_seen(SimConfig::new());
    assert_eq!(polls, [("stuck#0".to_string(), SimTime::from_millis(5))]);
    assert_eq!((longer, after), (0, 0), "none an hour long; none once the poll has returned");
    // An untraced run keeps no names: the task is named by its serial.
    let (polls, _, _) = long_polls_seen(SimConfig::new().no_trace());
    assert_eq!(polls, [("#0".to_string(), SimTime::from_millis(5))]);
}

#[test]
fn strict_mode_stops_at_the_first_diagnostic() {
    let reached = Cell::new(false);
    let sim = Sim::with_config(SimConfig::new().strict(true));
    sim.spawn("bad", async { panic!("no") });
    sim.spawn("later", async {
        Timer::after(Duration::from_millis(1)).await;
        reached.set(true);
    });
    let err = sim.run_for(ms(5)).unwrap_err();
    assert!(matches!(err, SimError::Strict(Diagnostic::TaskPanicked { .. })), "{err}");
    assert!(!reached.get());
}

#[test]
fn the_test_helper_catches_nondeterminism() {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let r = std::panic::catch_unwind(|| {
        fwsim::test(|sim| {
            // A static kept between runs: the classic reason a test passes once.
            let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            sim.spawn("t", async move { Timer::after(Duration::from_millis(1 + n)).await });
            sim.run_for(ms(10)).unwrap();
        })
    });
    let msg = *r.unwrap_err().downcast::<String>().unwrap();
    assert!(msg.contains("not deterministic"), "{msg}");
    assert!(msg.contains("TimerSet"), "names the first differing record: {msg}");
}

#[test]
fn the_test_helper_fails_on_errors_left_and_writes_artifacts() {
    let dir = std::env::temp_dir().join(format!("fwsim-artifacts-{}", std::process::id()));
    // SAFETY: this test is the only one in this binary to read or write this variable.
    unsafe { std::env::set_var("FWSIM_ARTIFACTS", &dir) };
    let r = std::panic::catch_unwind(|| {
        fwsim::test(|sim| {
            sim.spawn("crash", async { panic!("bad sensor") });
            sim.run_until_stalled().unwrap();
        })
    });
    let msg = *r.unwrap_err().downcast::<String>().unwrap();
    assert!(msg.contains("crash#0 panicked: bad sensor"), "{msg}");
    let written: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(written.len(), 1);
    let test_dir = written[0].as_ref().unwrap().path();
    for f in ["trace.jsonl", "trace.perfetto.json", "diagnostics.txt"] {
        assert!(test_dir.join(f).exists(), "{f}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_test_helper_runs_on_a_thread_named_main() {
    // embassy-sync's ThreadModeRawMutex asserts this name on std.
    fwsim::test(|_sim| assert_eq!(std::thread::current().name(), Some("main")));
}

/// A diagnostic about what an interrupt handler did names the source, when it has a name.
#[test]
fn an_isr_misuse_names_the_interrupt_source() {
    use embassy_sync::blocking_mutex::Mutex as BlockingMutex;
    let presses = BlockingMutex::<fwsim::IsrCheckedRawMutex, _>::new(Cell::new(0));
    let sim = Sim::new();
    let (named, unnamed) = (fwsim::Irq::new(1, 7), fwsim::Irq::new(1, 8));
    sim.enter(|| fwsim::isr::name(named, "BUTTON"));
    sim.schedule_isr(SimTime::from_millis(1), named, || presses.lock(|c| c.set(1)));
    sim.schedule_isr(SimTime::from_millis(2), unnamed, || presses.lock(|c| c.set(2)));
    sim.run_for(ms(3)).unwrap();
    let shown: Vec<String> = sim.take_diagnostics().iter().map(ToString::to_string).collect();
    assert!(shown[0].contains("interrupt 7 (BUTTON) locked"), "{shown:?}");
    assert!(shown[1].contains("interrupt 8 locked"), "{shown:?}");
}
