//! Message, ThreadSafeEvent, ELO, wait_any/wait_all.

use super::*;

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
