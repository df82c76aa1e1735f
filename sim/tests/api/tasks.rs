//! Tasks: joining, aborting, panics, abort-on-drop handles and task pools.

use super::*;

#[test]
fn join_handle_returns_output_and_is_awaitable_from_tasks() {
    let sim = Sim::new();
    let child = sim.spawn("child", async {
        Timer::after(Duration::from_millis(3)).await;
        21
    });
    let parent = sim.spawn("parent", async move { child.await.unwrap() * 2 });
    assert_eq!(sim.join(parent).unwrap(), 42);
}

#[test]
fn abort_a_blocked_task_drops_its_future_without_polling_it() {
    struct DropFlag<'a>(&'a Cell<bool>);
    impl Drop for DropFlag<'_> {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Cell::new(false);
    let polls = Cell::new(0);
    let sim = Sim::new();
    let victim = sim.spawn("victim", async {
        let _flag = DropFlag(&dropped);
        loop {
            polls.set(polls.get() + 1);
            Timer::after(Duration::from_secs(10)).await;
        }
    });
    sim.run_for(ms(1)).unwrap();
    victim.abort();
    assert!(!dropped.get(), "abort is scheduled, not immediate");
    sim.run_until_stalled().unwrap();
    assert!(dropped.get());
    assert_eq!(polls.get(), 1, "the aborted task is dropped instead of polled");
    assert_eq!(sim.now(), SimTime::from_millis(1), "the 10 s sleep does not elapse");
    assert_eq!(sim.block_on(victim).unwrap(), Err(JoinError::Aborted));
}

#[test]
fn abort_is_scheduled_in_the_policys_order() {
    // Under Embassy the abort is a wake: pushed after the bystander's wake, so the victim is
    // dropped first (LIFO); under MicroPython it is queued behind the ready bystander.
    for (policy, expected) in
        [(Policy::Embassy, ["victim dropped", "bystander"]), (Policy::MicroPython, ["bystander", "victim dropped"])]
    {
        let got = common::logged(policy.clone(), |sim, log| {
            struct OnDrop<'a>(&'a Log);
            impl Drop for OnDrop<'_> {
                fn drop(&mut self) {
                    self.0.push("victim dropped");
                }
            }
            let victim = sim.spawn("victim", async move {
                let _d = OnDrop(log);
                std::future::pending::<()>().await
            });
            sim.run_until_stalled().unwrap();
            let bystander = sim.spawn("bystander", async move { log.push("bystander") });
            drop(bystander);
            victim.abort();
            sim.run_until_stalled().unwrap();
        });
        assert_eq!(got, strs(&expected), "{policy:?}");
    }
}

#[test]
fn a_slot_reused_after_an_abort_keeps_nothing_of_the_aborted_task() {
    // MicroPython: a task woken twice while queued keeps the place of the second wake for its
    // next self-wake. Aborted while queued, it never ends a poll; the task that reuses its slot
    // must yield to the tail, not back to that place.
    let got = common::logged(Policy::MicroPython, |sim, log| {
        let waker: &std::cell::RefCell<Option<std::task::Waker>> = sim.alloc(Default::default());
        let victim = sim.spawn(
            "victim",
            std::future::poll_fn(move |cx| {
                *waker.borrow_mut() = Some(cx.waker().clone());
                std::task::Poll::<()>::Pending
            }),
        );
        sim.run_until_stalled().unwrap();
        let w = waker.borrow_mut().take().unwrap();
        w.wake_by_ref(); // queued
        w.wake(); // coalesced: a held place
        victim.abort();
        drop(victim);
        sim.run_until_stalled().unwrap();
        drop(sim.spawn("reuser", async move {
            log.push("reuser");
            fwsim::yield_now().await;
            log.push("reuser again");
        }));
        drop(sim.spawn("other", async move { log.push("other") }));
        sim.run_until_stalled().unwrap();
    });
    assert_eq!(got, strs(&["reuser", "other", "reuser again"]));
}

#[test]
fn self_abort_takes_effect_when_the_poll_returns() {
    let after = Cell::new(0);
    let sim = Sim::new();
    let handle: Rc<Cell<Option<fwsim::JoinHandle<()>>>> = Rc::new(Cell::new(None));
    let h2 = handle.clone();
    let after_ref = &after;
    let t = sim.spawn("self", async move {
        let after = after_ref;
        let me = h2.take().unwrap();
        me.abort();
        after.set(1); // still runs: the poll continues to its next await
        h2.set(Some(me));
        fwsim::yield_now().await;
        after.set(2);
    });
    handle.set(Some(t));
    sim.run_until_stalled().unwrap();
    assert_eq!(after.get(), 1);
    let t = handle.take().unwrap();
    assert!(t.is_finished());
    assert_eq!(sim.block_on(t).unwrap(), Err(JoinError::Aborted));
}

#[test]
fn abort_all_stops_every_unfinished_task_on_every_executor_and_spares_later_spawns() {
    let log = Rc::new(Log::default());
    let sim = Sim::new();
    let second = sim.add_executor(Order::MicroPython);
    let done = sim.spawn("done", async { 1 });
    let ticker = |name: &'static str| {
        let log = log.clone();
        async move {
            loop {
                Timer::after(Duration::from_millis(10)).await;
                log.push(format!("{name} {}", Instant::now().as_millis()));
            }
        }
    };
    let a = sim.spawn("a", ticker("a"));
    let b = sim.spawn_on(second, "b", ticker("b"));
    let ready = sim.spawn("ready", async {}); // queued, never polled yet
    sim.run_for(ms(15)).unwrap();
    let queued_now = sim.spawn("queued", async {});
    struct Released(Rc<Log>);
    impl Drop for Released {
        fn drop(&mut self) {
            self.0.push("released");
        }
    }
    let held = Released(log.clone());
    let holder = sim.spawn("holder", async move {
        let _held = held;
        std::future::pending::<()>().await
    });
    sim.run_for(ms(1)).unwrap();
    let l = log.clone();
    let fresh = sim.spawn("fresh", async move { l.push("fresh ran") }); // queued: its entry goes stale
    sim.abort_all();
    assert_eq!(log.take(), strs(&["a 10", "b 10", "released"]), "outside a poll the futures are dropped at once");
    let after = sim.spawn("after", ticker("after"));
    sim.run_for(ms(15)).unwrap();
    assert_eq!(log.take(), strs(&["after 26"]), "the aborted tickers never ran again");
    assert_eq!(sim.block_on(holder).unwrap(), Err(JoinError::Aborted));
    assert_eq!(sim.block_on(done).unwrap(), Ok(1), "a finished task keeps its output");
    for t in [a, b] {
        assert_eq!(sim.block_on(t).unwrap(), Err(JoinError::Aborted));
    }
    assert_eq!(sim.block_on(ready).unwrap(), Ok(()), "it had finished before the reset");
    assert_eq!(sim.block_on(queued_now).unwrap(), Ok(()), "it ran in the millisecond before");
    assert_eq!(sim.block_on(fresh).unwrap(), Err(JoinError::Aborted));
    assert!(!after.is_finished());
}

#[test]
fn firmware_that_resets_itself_stops_when_its_poll_returns() {
    let log = Rc::new(Log::default());
    let sim = Sim::new();
    let handle = sim.handle();
    let l = log.clone();
    let other = sim.spawn("other", std::future::pending::<()>());
    let me = sim.spawn("resetter", async move {
        handle.abort_all();
        l.push("poll goes on");
        fwsim::yield_now().await;
        l.push("never");
    });
    sim.run_until_stalled().unwrap();
    assert_eq!(log.take(), strs(&["poll goes on"]));
    assert_eq!(sim.block_on(me).unwrap(), Err(JoinError::Aborted));
    assert_eq!(sim.block_on(other).unwrap(), Err(JoinError::Aborted));
}

#[test]
fn a_watchdog_interrupt_resets_the_firmware_and_the_boot_after_it_runs() {
    let log = Rc::new(Log::default());
    let sim = Sim::new();
    let l = log.clone();
    let stuck = sim.spawn("stuck", async move {
        Timer::after(Duration::from_millis(1)).await;
        l.push("stuck waits for ever");
        std::future::pending::<()>().await
    });
    let (handle, l) = (sim.handle(), log.clone());
    sim.schedule_isr(SimTime::from_millis(5), Irq::new(1, 1), move || {
        handle.abort_all();
        let l = l.clone();
        handle.spawn("rebooted", async move { l.push(format!("boot at {}", Instant::now().as_millis())) });
    });
    sim.run_for(ms(10)).unwrap();
    assert_eq!(log.take(), strs(&["stuck waits for ever", "boot at 5"]));
    assert_eq!(sim.block_on(stuck).unwrap(), Err(JoinError::Aborted));
}

#[test]
fn abort_of_a_finished_task_has_no_effect() {
    let sim = Sim::new();
    let t = sim.spawn("quick", async { 5 });
    sim.run_until_stalled().unwrap();
    t.abort();
    assert_eq!(sim.block_on(t).unwrap(), Ok(5));
}

#[test]
fn a_task_panic_is_caught_named_and_the_sim_goes_on() {
    let sim = Sim::new();
    let bad = sim.spawn("bad", async {
        Timer::after(Duration::from_millis(2)).await;
        panic!("sensor out of range");
    });
    let good = sim.spawn("good", async {
        Timer::after(Duration::from_millis(5)).await;
        "fine"
    });
    sim.run_for(ms(10)).unwrap();
    let diags = sim.take_diagnostics();
    assert_eq!(diags.len(), 1);
    assert!(
        matches!(&diags[0], fwsim::Diagnostic::TaskPanicked { task, at, message }
            if task == "bad#0" && *at == SimTime::from_millis(2) && message == "sensor out of range"),
        "{diags:?}"
    );
    assert_eq!(sim.block_on(bad).unwrap(), Err(JoinError::Panicked("sensor out of range".into())));
    assert_eq!(sim.block_on(good).unwrap(), Ok("fine"));
}

#[test]
fn block_on_reports_a_panicking_main() {
    let sim = Sim::new();
    let err = sim.block_on(async { panic!("boom") }).map(|_: ()| ()).unwrap_err();
    assert_eq!(err, SimError::MainPanicked("boom".into()));
}

#[test]
fn abort_on_drop_forwards_an_abort_to_the_awaited_task_and_a_plain_handle_does_not() {
    for forward in [true, false] {
        let sim = Sim::new();
        let inner = sim.spawn("inner", async { Timer::after(Duration::from_secs(10)).await });
        let inner_id = inner.id();
        let outer = sim.spawn("outer", async move {
            if forward { inner.abort_on_drop().await.unwrap() } else { inner.await.unwrap() }
        });
        sim.run_for(ms(1)).unwrap();
        outer.abort();
        sim.run_for(ms(1)).unwrap();
        let waiting: Vec<String> = sim.wait_report().waiting.into_iter().map(|w| w.task).collect();
        if forward {
            assert_eq!(waiting, Vec::<String>::new(), "the abort reached {inner_id:?}");
        } else {
            assert_eq!(waiting, ["inner#0"], "a plain handle detaches: inner runs on");
        }
    }
    // Taken back out, the handle detaches again.
    let sim = Sim::new();
    let inner = sim.spawn("inner", async { Timer::after(Duration::from_secs(10)).await });
    drop(inner.abort_on_drop().into_inner());
    sim.run_for(ms(1)).unwrap();
    assert_eq!(sim.live_tasks(), 1);
}

#[test]
fn a_task_pool_refuses_a_spawn_when_full_and_frees_slots_as_tasks_end() {
    use fwsim::{SpawnError, TaskPool};
    let sim = Sim::new();
    let pool = TaskPool::new(2);
    let results = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let (p, r) = (pool.clone(), results.clone());
    sim.spawn("spawner", async move {
        for i in 0..4u64 {
            let spawned =
                p.spawn_here("worker", async move { Timer::after(Duration::from_millis(10 * (i + 1))).await });
            r.borrow_mut().push((fwsim::now().as_millis(), spawned.map(drop)));
        }
        Timer::after(Duration::from_millis(15)).await;
        let again = p.spawn_here("worker", async {});
        r.borrow_mut().push((fwsim::now().as_millis(), again.map(drop)));
    });
    sim.run_for(ms(1)).unwrap();
    assert_eq!(pool.busy(), 2);
    let aborted = pool.spawn(&sim, "extra", async {});
    assert_eq!(aborted.unwrap_err(), SpawnError::Busy);
    sim.run_for(ms(100)).unwrap();
    assert_eq!(
        *results.borrow(),
        [(0, Ok(())), (0, Ok(())), (0, Err(SpawnError::Busy)), (0, Err(SpawnError::Busy)), (15, Ok(()))]
    );
    assert_eq!(pool.busy(), 0);
    // An aborted task gives its slot back too.
    let h = pool.spawn(&sim, "long", async { Timer::after(Duration::from_secs(5)).await }).unwrap();
    h.abort();
    sim.run_for(ms(1)).unwrap();
    assert_eq!(pool.busy(), 0);
}
