//! Queue; RingbufQueue.

use super::*;

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
