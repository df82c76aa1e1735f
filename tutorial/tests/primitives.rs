//! Chapter 3 of the tutorial: the toolkit's primitives, each with its use and its pitfall.

use std::cell::{Cell, RefCell};

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Instant, Timer};
use fwsim_primitives::{Barrier, Condition, DelayMs, Event, Lock, Message, Queue, RingbufQueue, Semaphore};

// ANCHOR: lock
/// Two tasks append a line in three writes each, yielding between writes (a slow display).
/// The lock keeps each task's writes together.
async fn show(lock: &Lock<NoopRawMutex>, screen: &RefCell<String>, who: &str) {
    let _held = lock.acquire().await; // released when `_held` is dropped
    for part in [who, ": ", "ready\n"] {
        screen.borrow_mut().push_str(part);
        fwsim::yield_now().await;
    }
}

#[test]
fn a_lock_keeps_a_multi_step_update_whole() {
    fwsim::test(|sim| {
        let lock = &*sim.alloc(Lock::<NoopRawMutex>::new());
        let screen = &*sim.alloc(RefCell::new(String::new()));
        sim.spawn("a", show(lock, screen, "pump"));
        sim.spawn("b", show(lock, screen, "valve"));
        sim.run_for(fwsim::ms(1)).unwrap();
        // Which task goes first is the executor's choice (embassy's order: "valve"); each
        // line is whole either way. Without the lock: "valvepump: : ready\nready\n".
        assert_eq!(*screen.borrow(), "valve: ready\npump: ready\n");
    });
}
// ANCHOR_END: lock

// ANCHOR: event
#[test]
fn an_event_wakes_every_waiter_and_stays_set() {
    fwsim::test(|sim| {
        let ready = &*sim.alloc(Event::<NoopRawMutex>::new());
        let woken = &*sim.alloc(Cell::new(0));
        for name in ["display", "logger"] {
            sim.spawn(name, async move {
                ready.wait().await;
                woken.set(woken.get() + 1);
            });
        }
        sim.spawn("init", async move {
            Timer::after_millis(10).await;
            ready.set(); // both waiters run; a later `wait` returns at once until `clear`
        });
        sim.run_for(fwsim::ms(20)).unwrap();
        assert_eq!((woken.get(), ready.is_set()), (2, true));
    });
}
// ANCHOR_END: event

// ANCHOR: barrier
#[test]
fn a_barrier_lets_no_one_start_the_next_phase_early() {
    fwsim::test(|sim| {
        let phase = &*sim.alloc(Barrier::<NoopRawMutex>::new(3));
        let log = &*sim.alloc(RefCell::new(Vec::new()));
        for (name, work_ms) in [("adc", 5), ("gps", 30), ("imu", 12)] {
            sim.spawn(name, async move {
                for round in 0..2 {
                    Timer::after_millis(work_ms).await; // sample
                    phase.wait().await; // everyone has sampled
                    log.borrow_mut().push((round, name, Instant::now().as_millis()));
                }
            });
        }
        sim.run_for(fwsim::ms(100)).unwrap();
        // Each round ends when the slowest (gps, 30 ms) arrives.
        assert!(log.borrow().iter().all(|&(round, _, at)| at == 30 * (round + 1)), "{:?}", log.borrow());
    });
}
// ANCHOR_END: barrier

// ANCHOR: semaphore
#[test]
fn a_semaphore_bounds_how_many_run_at_once() {
    fwsim::test(|sim| {
        let radio_slots = &*sim.alloc(Semaphore::<NoopRawMutex>::new(2));
        let (busy, most) = (&*sim.alloc(Cell::new(0)), &*sim.alloc(Cell::new(0)));
        for i in 0..5 {
            sim.spawn(format!("sender{i}"), async move {
                let _permit = radio_slots.acquire().await; // given back on drop
                busy.set(busy.get() + 1);
                most.set(most.get().max(busy.get()));
                Timer::after_millis(10).await; // transmit
                busy.set(busy.get() - 1);
            });
        }
        sim.run_for(fwsim::ms(100)).unwrap();
        assert_eq!(most.get(), 2);
        assert_eq!(sim.now().as_millis(), 100);
    });
}
// ANCHOR_END: semaphore

// ANCHOR: queue
#[test]
fn a_bounded_queue_makes_a_fast_producer_wait() {
    fwsim::test(|sim| {
        let samples = &*sim.alloc(Queue::<NoopRawMutex, u32, 4>::new());
        let done_at = sim.spawn("producer", async move {
            for i in 0..10 {
                samples.put(i).await; // waits while the queue holds 4
            }
            Instant::now().as_millis()
        });
        let got = &*sim.alloc(RefCell::new(Vec::new()));
        sim.spawn("consumer", async move {
            loop {
                let sample = samples.get().await;
                Timer::after_millis(5).await; // slow storage
                got.borrow_mut().push(sample);
            }
        });
        sim.run_for(fwsim::ms(100)).unwrap();
        assert_eq!(*got.borrow(), (0..10).collect::<Vec<_>>());
        assert_eq!(sim.join(done_at).unwrap(), 25, "paced by the consumer once the queue was full");
    });
}
// ANCHOR_END: queue

// ANCHOR: ringbuf
#[test]
fn a_ring_buffer_never_blocks_and_keeps_the_newest() {
    let readings = RingbufQueue::<NoopRawMutex, u32, 3>::new();
    for t in 20..25 {
        // From an interrupt handler too: `put_nowait` overwrites the oldest when full.
        let _ = readings.put_nowait(t);
    }
    let kept: Vec<u32> = std::iter::from_fn(|| readings.get_nowait().ok()).collect();
    assert_eq!(kept, [22, 23, 24]);
}
// ANCHOR_END: ringbuf

// ANCHOR: message
#[test]
fn a_message_carries_one_value_to_every_waiter() {
    fwsim::test(|sim| {
        let fix = &*sim.alloc(Message::<NoopRawMutex, (i32, i32)>::new());
        let seen = &*sim.alloc(RefCell::new(Vec::new()));
        for name in ["map", "log"] {
            sim.spawn(name, async move {
                let position = fix.wait().await;
                seen.borrow_mut().push((name, position));
            });
        }
        sim.spawn("gps", async move {
            Timer::after_millis(40).await;
            fix.set((515, -12));
        });
        sim.run_for(fwsim::ms(50)).unwrap();
        // Both waiters get the value (in embassy's order: the later waiter first).
        assert_eq!(*seen.borrow(), [("log", (515, -12)), ("map", (515, -12))]);
    });
}
// ANCHOR_END: message

// ANCHOR: delay_ms
#[test]
fn a_retriggered_delay_is_a_watchdog() {
    fwsim::test(|sim| {
        let watchdog = &*sim.alloc(DelayMs::<NoopRawMutex>::new(Duration::from_millis(100)));
        let bit_at = &*sim.alloc(Cell::new(None));
        sim.spawn("watchdog", watchdog.run(move || bit_at.set(Some(Instant::now().as_millis()))));
        sim.spawn("main loop", async move {
            for _ in 0..5 {
                watchdog.trigger().unwrap(); // "I am alive"
                Timer::after_millis(60).await;
            }
            // ...then it hangs: no more triggers.
        });
        sim.run_for(fwsim::secs(1)).unwrap();
        assert_eq!(bit_at.get(), Some(240 + 100), "fired 100 ms after the last trigger");
    });
}
// ANCHOR_END: delay_ms

// ANCHOR: condition
#[test]
fn a_condition_waits_for_a_state_under_its_lock() {
    fwsim::test(|sim| {
        let tank = &*sim.alloc(Condition::<NoopRawMutex>::new());
        let level = &*sim.alloc(Cell::new(0));
        let pumped_at = sim.spawn("pump", async move {
            let held = tank.acquire().await;
            // `wait_for` re-checks after every notify: a notify for another reason, or a
            // level that changed again before this task ran, does not slip through.
            let _held = tank.wait_for(held, || level.get() >= 3).await;
            Instant::now().as_millis()
        });
        sim.spawn("inflow", async move {
            for _ in 0..5 {
                Timer::after_millis(10).await;
                let held = tank.acquire().await;
                level.set(level.get() + 1);
                tank.notify_all(&held);
            }
        });
        sim.run_for(fwsim::ms(100)).unwrap();
        assert_eq!(sim.join(pumped_at).unwrap(), 30);
    });
}
// ANCHOR_END: condition
