//! The toolkit's primitives, against PRIMITIVES.md's observed behaviour and the bugs of its
//! §5 (each regression test names the bug it would catch). Times are exact virtual times.

use std::cell::{Cell, RefCell};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::{Duration, Instant, Timer};
use fwsim::trace::Kind;
use fwsim::{Irq, IsrCheckedRawMutex, Policy, Sim, SimConfig, SimTime};
use fwsim_primitives::{
    Barrier, DelayMs, OverRelease, Overwritten, Queue, QueueEmpty, QueueFull, RingbufQueue, Semaphore,
    TaskDoneUnderflow, ThreadSafeFlag,
};

type M = IsrCheckedRawMutex;

fn now_ms() -> u64 {
    Instant::now().as_millis()
}

/// A log of `what@ms` lines.
#[derive(Default)]
struct Log(RefCell<Vec<String>>);
impl Log {
    fn at(&self, what: impl std::fmt::Display) {
        self.0.borrow_mut().push(format!("{what}@{}", now_ms()));
    }
    fn lines(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
}

/// Runs `body` under both policies (each twice, by `fwsim::test_with`'s determinism check).
fn both(body: impl for<'s> Fn(&'s Sim<'s>) + Sync) {
    for policy in [Policy::Embassy, Policy::MicroPython] {
        fwsim::test_with(SimConfig::new().policy(policy), &body);
    }
}

/// The policy of the current simulation (for the few expectations that depend on it).
fn micropython(sim: &Sim<'_>) -> bool {
    sim.config().policy.order() == fwsim::Order::MicroPython
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The names of the tasks woken by `waker`, in wake-call order (fwsim's trace).
fn woken_by(sim: &Sim<'_>, waker: &str) -> Vec<String> {
    let names = sim.trace_names();
    let recs = sim.trace_records();
    let source = recs.iter().find(|r| r.kind == Kind::Spawn && names.task(r.task) == waker).map(|r| r.task);
    recs.iter()
        .filter(|r| r.kind == Kind::Wake && Some(r.source) == source)
        .map(|r| names.task(r.task).to_string())
        .collect()
}

// ---- Semaphore --------------------------------------------------------------------------------

#[test]
fn semaphore_hands_permits_out_in_arrival_order() {
    for policy in [Policy::Embassy, Policy::MicroPython] {
        fwsim::test_with(SimConfig::new().policy(policy.clone()), |sim| {
            let sem: &Semaphore<M> = sim.alloc(Semaphore::new(2));
            let log = &*sim.alloc(Log::default());
            for (i, name) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
                sim.spawn(name, async move {
                    Timer::after_millis(i as u64).await;
                    let _permit = sem.acquire().await;
                    log.at(name);
                    Timer::after_millis(10).await;
                });
            }
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
            assert_eq!(log.lines(), strs(&["a@0", "b@1", "c@10", "d@11", "e@20"]), "{policy:?}");
            assert_eq!(sem.available(), 2);
        });
    }
}

#[test]
fn bounded_semaphore_refuses_over_release_and_plain_one_grows() {
    let bounded = Semaphore::<M>::bounded(2);
    assert_eq!(bounded.release(), Err(OverRelease));
    bounded.try_acquire().unwrap().forget();
    assert_eq!(bounded.release(), Ok(()));
    assert_eq!(bounded.available(), 2);
    let plain = Semaphore::<M>::new(1);
    plain.release().unwrap();
    assert_eq!(plain.available(), 2, "Semaphore.release() is unbounded, as in the toolkit");
}

#[test]
fn a_permit_handed_to_a_cancelled_waiter_passes_on() {
    both(|sim| {
        let sem: &Semaphore<M> = sim.alloc(Semaphore::new(1));
        let log = &*sim.alloc(Log::default());
        let victim_slot: &RefCell<Option<fwsim::JoinHandle<()>>> = sim.alloc(RefCell::new(None));
        sim.spawn("holder", async move {
            let p = sem.acquire().await;
            Timer::after_millis(5).await;
            drop(p); // handed to the victim...
            if let Some(v) = victim_slot.borrow().as_ref() {
                v.abort(); // ...aborted before it runs
            }
        });
        *victim_slot.borrow_mut() = Some(sim.spawn("victim", async move {
            Timer::after_millis(1).await;
            let _p = sem.acquire().await;
            log.at("victim");
        }));
        sim.spawn("next", async move {
            Timer::after_millis(2).await;
            let _p = sem.acquire().await;
            log.at("next");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(log.lines(), strs(&["next@5"]));
        assert_eq!(sem.available(), 1);
    });
}

// ---- Barrier ------------------------------------------------------------------------------------

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

// ---- Queue ------------------------------------------------------------------------------------------

#[test]
fn queue_serves_competing_getters_fifo_and_promised_items_cannot_be_stolen() {
    // Regression for the toolkit's queue bugs 4f28d9f, d76d075 and 68f8ec1: stale set state,
    // `if` instead of `while` with competing getters, lost wake-ups.
    both(|sim| {
        let q: &Queue<M, u32, 4> = sim.alloc(Queue::new());
        let log = &*sim.alloc(Log::default());
        for (i, name) in ["g0", "g1", "g2"].into_iter().enumerate() {
            sim.spawn(name, async move {
                Timer::after_millis(i as u64).await;
                let v = q.get().await;
                log.at(format!("{name} got {v}"));
            });
        }
        sim.spawn("producer", async move {
            Timer::after_millis(10).await;
            for v in [1, 2, 3] {
                q.put_nowait(v).unwrap();
            }
            // Every item is promised to a waiting getter: a barging get finds nothing.
            log.at(format!("barge {:?}", q.get_nowait()));
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        // Wake calls in wait order; each woken getter takes the front item when it runs: in
        // wait order under MicroPython (as the toolkit observed), reversed under embassy.
        assert_eq!(woken_by(sim, "producer"), strs(&["g0", "g1", "g2"]));
        let expected = if micropython(sim) {
            ["barge Err(QueueEmpty)@10", "g0 got 1@10", "g1 got 2@10", "g2 got 3@10"]
        } else {
            ["barge Err(QueueEmpty)@10", "g2 got 1@10", "g1 got 2@10", "g0 got 3@10"]
        };
        assert_eq!(log.lines(), strs(&expected));
    });
}

#[test]
fn queue_full_and_empty_errors_and_blocking_put() {
    both(|sim| {
        let q: &Queue<M, u32, 2> = sim.alloc(Queue::new());
        assert_eq!(q.get_nowait(), Err(QueueEmpty));
        q.put_nowait(1).unwrap();
        q.put_nowait(2).unwrap();
        assert_eq!(q.put_nowait(3), Err(QueueFull(3)));
        let mut putter = sim.spawn("putter", async move {
            q.put(3).await;
            now_ms()
        });
        sim.spawn("consumer", async move {
            Timer::after_millis(7).await;
            q.get().await
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(putter.try_take(), Some(Ok(7)), "room made at 7 ms");
        assert_eq!((q.get_nowait(), q.get_nowait()), (Ok(2), Ok(3)));
    });
}

#[test]
fn queue_join_waits_for_every_task_done_and_underflow_is_an_error() {
    both(|sim| {
        let q: &Queue<M, u32, 4> = sim.alloc(Queue::new());
        let mut joined = sim.spawn("joiner", async move {
            q.join().await; // nothing outstanding: at once
            q.put_nowait(1).unwrap();
            q.put_nowait(2).unwrap();
            q.join().await;
            now_ms()
        });
        sim.spawn("worker", async move {
            loop {
                let _ = q.get().await;
                Timer::after_millis(3).await;
                q.task_done().unwrap();
            }
        });
        sim.run_for(fwsim::ms(100)).unwrap();
        assert_eq!(joined.try_take(), Some(Ok(6)));
        // Regression for PRIMITIVES.md §5.2 L12: the toolkit ignores an extra task_done().
        assert_eq!(q.task_done(), Err(TaskDoneUnderflow));
    });
}

// ---- RingbufQueue ----------------------------------------------------------------------------------

#[test]
fn ringbuf_overwrites_the_oldest_and_hands_it_back() {
    let q = RingbufQueue::<M, u8, 3>::new();
    for v in 1..=3 {
        q.put_nowait(v).unwrap();
    }
    // Python: 1,2,3 + put 4 leaves [2,3,4] (and raises IndexError).
    assert_eq!(q.put_nowait(4), Err(Overwritten(1)));
    assert_eq!(q.peek(), Ok(2));
    assert_eq!(
        [q.get_nowait(), q.get_nowait(), q.get_nowait(), q.get_nowait()],
        [Ok(2), Ok(3), Ok(4), Err(QueueEmpty)]
    );
}

#[test]
fn ringbuf_get_nowait_releases_a_blocked_producer() {
    // Regression for the toolkit's 500906b: get_nowait() did not signal waiting putters.
    both(|sim| {
        let q: &RingbufQueue<M, u8, 1> = sim.alloc(RingbufQueue::new());
        q.put_nowait(1).unwrap();
        let mut producer = sim.spawn("producer", async move {
            q.put(2).await;
            now_ms()
        });
        sim.spawn("consumer", async move {
            Timer::after_millis(4).await;
            q.get_nowait()
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(producer.try_take(), Some(Ok(4)));
        assert_eq!(q.get_nowait(), Ok(2));
    });
}

#[test]
fn ringbuf_fed_by_an_interrupt_never_blocks_it() {
    let q = RingbufQueue::<CriticalSectionRawMutex, u32, 4>::new();
    let sim = Sim::new();
    let mut consumer = sim.spawn("consumer", async {
        let mut got = Vec::new();
        while got.len() < 3 {
            got.push((q.get().await, now_ms()));
        }
        got
    });
    for (i, at) in [2u64, 5, 9].into_iter().enumerate() {
        let q = &q;
        sim.schedule_isr(SimTime::from_millis(at), Irq::new(2, 20), move || {
            let _ = q.put_nowait(i as u32);
        });
    }
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert!(sim.diagnostics().is_empty());
    assert_eq!(consumer.try_take(), Some(Ok(vec![(0, 2), (1, 5), (2, 9)])));
}

// ---- DelayMs ----------------------------------------------------------------------------------------

/// Runs a DelayMs of 100 ms with `script` driving it; returns the expiry log.
fn delay_log(
    script: impl for<'s> Fn(&'s DelayMs<M>) -> std::pin::Pin<Box<dyn Future<Output = ()> + 's>> + Sync,
) -> Vec<String> {
    let out = std::sync::Mutex::new(None);
    both(|sim| {
        let log = &*sim.alloc(Log::default());
        let delay: &DelayMs<M> = sim.alloc(DelayMs::new(Duration::from_millis(100)));
        sim.spawn("delay", delay.run(move || log.at(format!("fired, running={}", delay.running()))));
        sim.spawn("waiter", async move {
            delay.wait().await;
            log.at("event");
        });
        sim.spawn("script", script(delay));
        sim.run_for(fwsim::secs(1)).unwrap();
        out.lock().unwrap().get_or_insert(log.lines());
    });
    out.into_inner().unwrap().unwrap()
}

use std::future::Future;

#[test]
fn delay_ms_refuses_a_trigger_after_its_run_future_is_dropped() {
    // The toolkit raises RuntimeError after deinit(); the port returned () and "ran" for ever.
    fwsim::test(|sim| {
        let delay = &*sim.alloc(DelayMs::<M>::new(Duration::from_millis(10)));
        let fired = &*sim.alloc(Cell::new(0));
        let runner = sim.spawn("delay", delay.run(move || fired.set(fired.get() + 1)));
        delay.trigger().unwrap();
        sim.run_for(fwsim::ms(20)).unwrap();
        assert_eq!(fired.get(), 1);
        delay.trigger().unwrap();
        runner.abort(); // deinit while counting down
        sim.run_for(fwsim::ms(1)).unwrap();
        assert!(!delay.running(), "a deinitialised delay is not running");
        assert_eq!(delay.trigger(), Err(fwsim_primitives::Deinitialised));
        sim.run_for(fwsim::ms(20)).unwrap();
        assert_eq!(fired.get(), 1, "nothing fires after deinit");
        // Dropped before it was ever polled: the same.
        let unpolled = &*sim.alloc(DelayMs::<M>::new(Duration::from_millis(10)));
        drop(unpolled.run(|| {}));
        assert_eq!(unpolled.trigger_for(Duration::from_millis(1)), Err(fwsim_primitives::Deinitialised));
    });
}

#[test]
fn delay_ms_retrigger_lengthens() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(60).await;
            d.trigger().unwrap();
        })
    });
    assert_eq!(log, strs(&["fired, running=false@160", "event@160"]));
}

#[test]
fn delay_ms_a_shorter_trigger_shortens() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(10).await;
            d.trigger_for(Duration::from_millis(20)).unwrap();
        })
    });
    assert_eq!(log, strs(&["fired, running=false@30", "event@30"]));
}

#[test]
fn delay_ms_stop_cancels_and_a_later_trigger_still_works() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(50).await;
            d.stop();
            assert!(!d.running());
            Timer::after_millis(200).await;
            d.trigger().unwrap();
        })
    });
    assert_eq!(log, strs(&["fired, running=false@350", "event@350"]));
}

#[test]
fn delay_ms_trigger_then_stop_in_one_step_never_fires() {
    // Regression for PRIMITIVES.md §5.2 L1: in the toolkit this fires 100 ms later and, in
    // the read-with-timeout pattern, cancels the caller after a complete read.
    let log = delay_log(|d| {
        Box::pin(async move {
            Timer::after_millis(5).await;
            d.trigger().unwrap();
            d.stop();
        })
    });
    assert_eq!(log, Vec::<String>::new());
}

#[test]
fn delay_ms_fires_each_time_it_is_triggered() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(150).await;
            d.trigger_for(Duration::from_millis(10)).unwrap();
        })
    });
    // The event stays set after the first expiry; the waiter already left.
    assert_eq!(log, strs(&["fired, running=false@100", "event@100", "fired, running=false@160"]));
}

#[test]
fn delay_ms_triggered_from_an_interrupt() {
    let delay = DelayMs::<CriticalSectionRawMutex>::new(Duration::from_millis(30));
    let fired = Cell::new(0);
    let sim = Sim::new();
    sim.spawn("delay", delay.run(|| fired.set(now_ms())));
    sim.schedule_isr(SimTime::from_millis(7), Irq::new(1, 4), || delay.trigger().unwrap());
    sim.run_for(fwsim::secs(1)).unwrap();
    assert!(sim.diagnostics().is_empty());
    assert_eq!(fired.get(), 37);
}

// ---- ThreadSafeFlag ---------------------------------------------------------------------------------

#[test]
fn thread_safe_flag_is_a_flag_not_a_counter() {
    for policy in [Policy::Embassy, Policy::MicroPython] {
        let flag = ThreadSafeFlag::<CriticalSectionRawMutex>::new();
        let woken = Cell::new(0);
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        sim.spawn("waiter", async {
            loop {
                flag.wait().await;
                woken.set(woken.get() + 1);
            }
        });
        sim.schedule_isr(SimTime::from_millis(3), Irq::new(1, 5), || {
            flag.set();
            flag.set();
        });
        sim.run_for(fwsim::ms(10)).unwrap();
        assert_eq!(woken.get(), 1, "two sets before the task runs satisfy one wait");
    }
}

#[test]
fn a_second_flag_waiter_is_not_lost_silently() {
    // MicroPython silently drops the first waiter. Here they evict each other, which fwsim
    // reports as a same-instant loop naming both.
    let flag = ThreadSafeFlag::<CriticalSectionRawMutex>::new();
    let sim = Sim::with_config(SimConfig::new().same_instant_poll_limit(50));
    sim.spawn("first", flag.wait());
    sim.spawn("second", flag.wait());
    sim.run_for(fwsim::ms(1)).unwrap();
    let d = sim.take_diagnostics();
    assert!(matches!(d.first(), Some(fwsim::Diagnostic::SameInstantLoop { tasks, .. }) if tasks.len() == 2), "{d:?}");
}

// ---- Condition ------------------------------------------------------------------------------------

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

// ---- Message, ThreadSafeEvent, wait_any/wait_all ---------------------------------------------------

#[test]
fn message_wakes_every_waiter_with_the_latest_value() {
    both(|sim| {
        let msg: &fwsim_primitives::Message<M, &str> = sim.alloc(fwsim_primitives::Message::new());
        let log = &*sim.alloc(Log::default());
        for name in ["r0", "r1"] {
            sim.spawn(name, async move {
                let v = msg.wait().await;
                log.at(format!("{name} {v}"));
            });
        }
        sim.spawn("writer", async move {
            Timer::after_millis(3).await;
            msg.set("one");
            msg.set("two");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        let mut lines = log.lines();
        lines.sort();
        assert_eq!(lines, strs(&["r0 two@3", "r1 two@3"]));
        assert!(msg.is_set());
    });
}

#[test]
fn thread_safe_event_set_by_an_interrupt_wakes_its_waiters_in_wait_order() {
    let ev = fwsim_primitives::ThreadSafeEvent::new();
    let order = RefCell::new(Vec::new());
    let sim = Sim::with_config(SimConfig::new().policy(Policy::MicroPython));
    for i in 0..3u64 {
        let (ev, order) = (&ev, &order);
        sim.spawn("waiter", async move {
            Timer::after_millis(i).await;
            ev.wait().await;
            order.borrow_mut().push(i);
        });
    }
    sim.schedule_isr(SimTime::from_millis(10), Irq::new(1, 2), || ev.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert!(sim.diagnostics().is_empty());
    assert_eq!(*order.borrow(), [0, 1, 2]);
}

#[test]
fn wait_any_reports_the_first_ready_in_argument_order() {
    // Regression for PRIMITIVES.md §5.2 L11: the toolkit reports whichever member task ran
    // last when several are already set.
    both(|sim| {
        let (e1, e2): (&fwsim_primitives::Event<M>, &fwsim_primitives::Event<M>) =
            (sim.alloc(fwsim_primitives::Event::new()), sim.alloc(fwsim_primitives::Event::new()));
        e1.set();
        e2.set();
        let mut both = sim.spawn("both", async move { fwsim_primitives::wait_any([e1.wait(), e2.wait()]).await.0 });
        let mut later = sim.spawn("later", async move {
            let r = fwsim_primitives::wait_any([Timer::after_millis(9), Timer::after_millis(4)]).await;
            (r.0, now_ms())
        });
        let mut all = sim.spawn("all", async move {
            fwsim_primitives::wait_all([Timer::after_millis(9), Timer::after_millis(4)]).await;
            now_ms()
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(both.try_take(), Some(Ok(0)));
        assert_eq!(later.try_take(), Some(Ok((1, 4))));
        assert_eq!(all.try_take(), Some(Ok(9)));
    });
}

// ---- Broker ----------------------------------------------------------------------------------------

struct Recorder<'a>(&'a RefCell<Vec<String>>, &'static str);
impl fwsim_primitives::Subscriber<u32> for Recorder<'_> {
    fn put(&self, topic: &'static str, message: &u32) {
        self.0.borrow_mut().push(format!("{} {topic} {message}", self.1));
    }
}

#[test]
fn broker_serves_every_agent_kind_in_subscription_order() {
    use fwsim_primitives::{Agent, Broker, Event, Topic};
    let order = RefCell::new(Vec::new());
    let ev = Event::<M>::new();
    let queue = Queue::<M, (&'static str, u32), 1>::new();
    let ring = RingbufQueue::<M, (&'static str, u32), 1>::new();
    let call = |topic: &'static str, m: &u32| order.borrow_mut().push(format!("call {topic} {m}"));
    let (first, last) = (Recorder(&order, "first"), Recorder(&order, "last"));
    let broker = Broker::<M, u32, 8>::new();
    broker.subscribe(Topic::Exact("t"), Agent::Subscriber(&first)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Event(&ev)).unwrap();
    broker.subscribe(Topic::Glob("*"), Agent::Queue(&queue)).unwrap();
    broker.subscribe(Topic::Glob("t*"), Agent::Queue(&ring)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Call(&call)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Subscriber(&last)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Subscriber(&last)).unwrap(); // a set: kept once
    assert_eq!(broker.len(), 6);

    let d = broker.publish("t", 1);
    assert_eq!(d, fwsim_primitives::Delivery { delivered: 6, dropped: 0 });
    // Deliberate: subscription order, where the toolkit's set gives hash order.
    assert_eq!(*order.borrow(), ["first t 1", "call t 1", "last t 1"]);
    assert!(ev.is_set());

    // Overflow: a full Queue drops the new message, a full RingbufQueue the oldest.
    let d = broker.publish("t", 2);
    assert_eq!(d, fwsim_primitives::Delivery { delivered: 5, dropped: 1 });
    assert_eq!(queue.get_nowait(), Ok(("t", 1)));
    assert_eq!(ring.get_nowait(), Ok(("t", 2)));

    assert!(broker.unsubscribe(Topic::Exact("t"), Agent::Subscriber(&first)));
    assert!(!broker.unsubscribe(Topic::Exact("t"), Agent::Subscriber(&first)));
    assert_eq!(broker.publish("other", 3).delivered, 1, "only the `*` queue");
}

#[test]
fn broker_event_agent_wakes_a_task_and_callbacks_may_publish() {
    use fwsim_primitives::{Agent, Broker, Event, Topic};
    for policy in [Policy::Embassy, Policy::MicroPython] {
        fwsim::test_with(SimConfig::new().policy(policy), |sim| {
            let ev: &Event<M> = sim.alloc(Event::new());
            let broker: &Broker<'_, M, u32, 4> = sim.alloc_borrowing(Broker::new());
            let relay = &*sim.alloc_borrowing(move |_: &'static str, m: &u32| {
                broker.publish("echo", m + 1);
            });
            broker.subscribe(Topic::Exact("in"), Agent::Call(relay)).unwrap();
            broker.subscribe(Topic::Exact("echo"), Agent::Event(ev)).unwrap();
            let mut waiter = sim.spawn("waiter", async move {
                ev.wait().await;
                now_ms()
            });
            sim.spawn("publisher", async move {
                Timer::after_millis(7).await;
                broker.publish("in", 1);
            });
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
            assert_eq!(waiter.try_take(), Some(Ok(7)));
        });
    }
}

#[test]
fn a_message_set_from_an_interrupt_releases_every_waiter() {
    // Regression for PRIMITIVES.md §5.2 L3: the toolkit's Message.set() from an ISR runs
    // asyncio's Event.set(), which must not run in interrupt context (≥ 2 waiters).
    let msg = fwsim_primitives::Message::<CriticalSectionRawMutex, u8>::new();
    let got = RefCell::new(Vec::new());
    let sim = Sim::new();
    for _ in 0..3 {
        sim.spawn("reader", async {
            let v = msg.wait().await;
            got.borrow_mut().push((v, now_ms()));
        });
    }
    sim.schedule_isr(SimTime::from_millis(4), Irq::new(1, 6), || msg.set(9));
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    assert_eq!(*got.borrow(), [(9, 4); 3]);
    // With a task-only mutex the same set is caught.
    let task_only = fwsim_primitives::Message::<M, u8>::new();
    let sim = Sim::new();
    sim.spawn("reader", task_only.wait());
    sim.schedule_isr(SimTime::from_millis(4), Irq::new(1, 6), || task_only.set(9));
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert_eq!(sim.diagnostics()[0].kind(), "IsrMisuse");
}

#[test]
fn an_elo_whose_work_is_aborted_reports_cancelled_and_releases_waiters() {
    use fwsim_primitives::{Cancelled, Elo, wait_any};
    both(|sim| {
        let slow: &Elo<M, u32> = sim.alloc(Elo::new());
        let fast: &Elo<M, u32> = sim.alloc(Elo::new());
        let slow_task = sim.spawn(
            "slow",
            slow.run(async {
                Timer::after_millis(100).await;
                1
            }),
        );
        sim.spawn(
            "fast",
            fast.run(async {
                Timer::after_millis(10).await;
                2
            }),
        );
        // Nested: WaitAny over two ELOs, as in the toolkit's elo_test.
        let mut first = sim.spawn("any", async move { wait_any([slow.wait(), fast.wait()]).await.0 });
        sim.run_for(fwsim::ms(20)).unwrap();
        assert_eq!(first.try_take(), Some(Ok(1)));
        slow_task.abort();
        let mut waiter = sim.spawn("waiter", async move {
            slow.wait().await;
            slow.result()
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(waiter.try_take(), Some(Ok(Some(Err(Cancelled)))));
        assert_eq!(fast.result(), Some(Ok(2)));
    });
}

#[test]
fn delay_ms_across_the_32_bit_microsecond_wrap() {
    // Regression for the toolkit's 5eade0c: a deadline compared with `>` broke at the tick
    // wrap. Start 10 ms before 2^32 µs (and 2^30 ms) so the delay straddles both.
    for start_ms in [(1u64 << 32) / 1000 - 10, (1 << 30) - 10] {
        let delay = DelayMs::<M>::new(Duration::from_millis(100));
        let fired = Cell::new(0);
        let sim = Sim::with_config(SimConfig::new().start(SimTime::from_millis(start_ms)));
        sim.spawn("delay", delay.run(|| fired.set(now_ms())));
        sim.spawn("user", async {
            delay.trigger().unwrap();
        });
        sim.run_for(fwsim::secs(1)).unwrap();
        assert_eq!(fired.get(), start_ms + 100);
    }
}

#[test]
fn delay_ms_retriggered_a_thousand_times_keeps_one_timer() {
    // Regression for the toolkit's c273af4 and 9a1939c: stale timer coroutines piled up.
    both(|sim| {
        let delay: &DelayMs<M> = sim.alloc(DelayMs::new(Duration::from_millis(50)));
        let fired = &*sim.alloc(Cell::new(0u32));
        sim.spawn("delay", delay.run(move || fired.set(fired.get() + 1)));
        sim.spawn("user", async move {
            for i in 0..1000 {
                delay.trigger().unwrap();
                if i % 3 == 0 {
                    delay.stop();
                    delay.trigger().unwrap();
                }
                Timer::after_millis(1).await;
            }
        });
        let report = sim.run_until_quiescent(fwsim::secs(10)).unwrap();
        assert_eq!(fired.get(), 1, "fired once, 50 ms after the last trigger");
        assert_eq!(report.waiting.len(), 1, "only the runner is left: {report:?}");
    });
}

#[test]
fn thread_safe_flag_state_can_be_polled() {
    // The toolkit's tutorial polls a ThreadSafeFlag's state instead of awaiting it.
    fwsim::test(|sim| {
        let flag = &*sim.alloc(ThreadSafeFlag::<CriticalSectionRawMutex>::new());
        assert!(!flag.is_set());
        sim.schedule_isr(SimTime::from_millis(2), Irq::new(1, 5), move || flag.set());
        sim.run_for(fwsim::ms(3)).unwrap();
        assert!(flag.is_set(), "set by the interrupt, not yet consumed");
        let waiter = sim.spawn("waiter", async move { flag.wait().await });
        sim.join(waiter).unwrap();
        assert!(!flag.is_set(), "a wait consumes it");
    });
}

#[test]
fn message_wakes_its_first_waiter_after_the_others() {
    // The toolkit's Message parks its first waiter on a ThreadSafeFlag, noticed at the loop's
    // next step, and the others on an Event released at once: under MicroPython the first
    // waiter resumes last (the independent check's "2 then 1").
    let order = |policy: Policy| {
        let log = Log::default();
        fwsim::scope(SimConfig::new().policy(policy), |sim| {
            let msg = &*sim.alloc(fwsim_primitives::Message::<M, u8>::new());
            let log = &*sim.alloc(Log::default());
            for name in ["w1", "w2", "w3"] {
                sim.spawn(name, async move {
                    let v = msg.wait().await;
                    log.at(format!("{name}={v}"));
                });
            }
            sim.spawn("setter", async move {
                Timer::after_millis(5).await;
                msg.set(7);
            });
            sim.run_for(fwsim::ms(10)).unwrap();
            log.lines()
        })
        .into_iter()
        .chain(log.lines())
        .collect::<Vec<_>>()
    };
    assert_eq!(order(Policy::MicroPython), strs(&["w2=7@5", "w3=7@5", "w1=7@5"]));
    // Under embassy the first batch runs w3, w2, w1, so w3 waits longest and is woken last;
    // the next batch polls in reverse wake order: w3 first, then w1, w2.
    assert_eq!(order(Policy::Embassy), strs(&["w3=7@5", "w1=7@5", "w2=7@5"]));
}
