//! The toolkit's `asyntest.py` `ack_test` (a `Message` with two waiters) and `barrier_test1`
//! (a barrier whose callback is a task), ported as `toolkit_asyntest.rs` ports the others.

mod programs;

use std::cell::Cell;

use embassy_time::Timer;
use fwsim_primitives::Event;
use programs::run_program;

type M = fwsim::IsrCheckedRawMutex;

/// `ack_test`: each second a `Message` is set for two fresh waiters, and the setter waits for
/// both acknowledgements before it clears the message, for ten seconds. The listing has waiter
/// 1 before waiter 2; the toolkit's `Message` (built on a `ThreadSafeFlag` for its first waiter,
/// as the port is) resumes waiter 2 first, which is what MicroPython prints with the module's
/// unix guard removed (PRIMITIVES.md).
#[test]
fn ack_test_two_waiters_acknowledge_each_message() {
    use fwsim_primitives::Message;
    let mut expected = Vec::new();
    let lines: Vec<(String, u64)> = (0..10u64)
        .flat_map(|n| {
            [
                "message was set".to_owned(),
                format!("Eventwait 2 got message with value {n}"),
                format!("Eventwait 1 got message with value {n}"),
                "Cleared ack1".to_owned(),
                "Cleared ack2".to_owned(),
                "Cleared message".to_owned(),
            ]
            .map(|l| (l, n * 1000))
        })
        .collect();
    expected.extend(lines.iter().map(|(l, t)| (l.as_str(), *t)));
    expected.push(("I've seen attack ships burn on the shoulder of Orion...", 10_000));
    expected.push(("Time to die...", 10_000));
    run_program(
        10,
        |sim, out| {
            let message: &'static Message<M, u32> = Box::leak(Box::new(Message::new()));
            let acks: &'static [Event<M>; 2] = Box::leak(Box::new([Event::new(), Event::new()]));
            let done: &'static Cell<bool> = Box::leak(Box::new(Cell::new(false)));
            sim.spawn("ack_coro", async move {
                fwsim::spawn("run_ack", async move {
                    // asyncio's run_until_complete returns when ack_coro does: this loop's
                    // turn at 10 s, queued after ack_coro's, never comes.
                    for count in 0.. {
                        if done.get() {
                            break;
                        }
                        for (n, ack) in [(1, &acks[0]), (2, &acks[1])] {
                            fwsim::spawn(format!("event_wait {n}"), async move {
                                let value = message.wait().await;
                                out.print(format!("Eventwait {n} got message with value {value}"));
                                ack.set();
                            });
                        }
                        message.set(count);
                        out.print("message was set");
                        for (n, ack) in [(1, &acks[0]), (2, &acks[1])] {
                            ack.wait().await;
                            ack.clear();
                            out.print(format!("Cleared ack{n}"));
                        }
                        message.clear();
                        out.print("Cleared message");
                        Timer::after_secs(1).await;
                    }
                });
                Timer::after_secs(10).await;
                out.print("I've seen attack ships burn on the shoulder of Orion...");
                out.print("Time to die...");
                done.set(true);
            });
        },
        &expected,
    );
}

/// `barrier_test1`: three reporters and main meet at a four-party barrier whose callback is a
/// coroutine (`my_coro`, started as a task, printing each second until main cancels it). The
/// port's callback is a closure, so it spawns the task and keeps its handle (the toolkit's
/// `barrier.result()`); a guard prints the cancellation when the task is dropped unfinished.
/// The listing shows the "done" lines in reverse (and says the order may vary); the toolkit's
/// `Barrier` now releases its waiters through an `Event`, in wait order, as the port does.
#[test]
fn barrier_test1_a_task_callback_runs_after_the_reporters_and_is_cancelled() {
    use fwsim::JoinHandle;
    use fwsim_primitives::Barrier;
    use std::cell::RefCell;
    /// `my_coro` never ends: it is dropped only when cancelled.
    struct OnCancel(&'static programs::Console);
    impl Drop for OnCancel {
        fn drop(&mut self) {
            self.0.print("my_coro was cancelled.");
        }
    }
    run_program(
        6,
        |sim, out| {
            let result: &'static RefCell<Option<JoinHandle<()>>> = Box::leak(Box::default());
            let barrier: &'static Barrier<M, _> = Box::leak(Box::new(Barrier::with_callback(4, move || {
                let task = fwsim::spawn("my_coro", async move {
                    let _guard = OnCancel(out);
                    fwsim::yield_now().await;
                    loop {
                        Timer::after_secs(1).await;
                        out.print("my_coro running");
                    }
                });
                *result.borrow_mut() = Some(task);
            })));
            sim.spawn("bart", async move {
                for x in 0..3u64 {
                    fwsim::spawn(format!("report1 {x}"), async move {
                        Timer::after_secs(x).await;
                        out.print(format!("report instance {x} waiting"));
                        barrier.wait().await;
                        out.print(format!("report instance {x} done"));
                    });
                }
                Timer::after_secs(4).await;
                assert!(barrier.busy());
                barrier.wait().await;
                fwsim::yield_now().await;
                assert!(!barrier.busy());
                Timer::after_millis(1500).await;
                result.borrow().as_ref().expect("the callback ran").abort();
                Timer::after_secs(2).await;
            });
        },
        &[
            ("report instance 0 waiting", 0),
            ("report instance 1 waiting", 1000),
            ("report instance 2 waiting", 2000),
            ("report instance 0 done", 4000),
            ("report instance 1 done", 4000),
            ("report instance 2 done", 4000),
            ("my_coro running", 5000),
            ("my_coro was cancelled.", 5500),
        ],
    );
}
