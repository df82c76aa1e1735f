//! The toolkit's test programs with listed outputs, ported: `delay_test.py` (all five),
//! `event_test.py`'s `wait_test`. Each runs under `Policy::MicroPython` and what it prints is
//! compared, line by line and at the virtual millisecond it is printed, with the expected
//! output the program shows before it runs.
//!
//! Where the port's API differs from Python's, the program says so where it matters: a
//! callback's return value is kept by the callback itself (the port's `run` takes
//! `FnMut()`), a hardware timer is a train of scheduled interrupts, and `WaitAny`/`WaitAll`
//! are functions over futures of one type (so members of mixed kinds are boxed).

mod programs;

use std::cell::Cell;

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::with_timeout;
use embassy_time::{Duration, Timer};
use fwsim::JoinError;
use fwsim::{Irq, Sim, SimTime};
use fwsim_primitives::{DelayMs, Event, wait_all, wait_any};
use programs::{Console, run_program};

type M = fwsim::IsrCheckedRawMutex;

/// A delay whose callback prints `cb callback`.
fn delay_with_callback<'s>(sim: &'s Sim<'s>, console: &'s Console, duration_ms: u64) -> &'s DelayMs<M> {
    let delay: &DelayMs<M> = sim.alloc(DelayMs::new(Duration::from_millis(duration_ms)));
    sim.spawn("delay", delay.run(move || console.print("cb callback")));
    delay
}

#[test]
fn stop_test_stops_a_running_delay_and_reads_the_callbacks_value() {
    run_program(
        12,
        |sim, out| {
            let returned = &*sim.alloc(Cell::new(None));
            let d: &DelayMs<M> = sim.alloc(DelayMs::new(Duration::from_millis(1000)));
            sim.spawn(
                "delay",
                d.run(move || {
                    out.print("cb callback");
                    returned.set(Some(42)); // the Python callback's `return 42`
                }),
            );
            sim.spawn("main", async move {
                out.print("Trigger 5 sec delay");
                d.trigger_for(Duration::from_millis(5000)).unwrap();
                Timer::after_secs(4).await;
                if d.running() {
                    out.print("Running");
                }
                out.print("Callback should run");
                Timer::after_secs(2).await;
                out.print(format!("Callback returned {}", returned.get().unwrap()));
                d.trigger_for(Duration::from_millis(3000)).unwrap();
                Timer::after_secs(1).await;
                d.stop();
                Timer::after_secs(1).await;
                if d.running() {
                    out.print("Running");
                }
                out.print("Callback should not run");
                Timer::after_secs(4).await;
                out.print("Done");
            });
        },
        &[
            ("Trigger 5 sec delay", 0),
            ("Running", 4000),
            ("Callback should run", 4000),
            ("cb callback", 5000),
            ("Callback returned 42", 6000),
            ("Callback should not run", 8000),
            ("Done", 12000),
        ],
    );
}

#[test]
fn reduce_test_shortens_a_running_delay() {
    run_program(
        11,
        |sim, out| {
            let d = delay_with_callback(sim, out, 1000);
            sim.spawn("main", async move {
                out.print("Trigger 5 sec delay");
                d.trigger_for(Duration::from_millis(5000)).unwrap();
                Timer::after_secs(4).await;
                out.print("Callback should run");
                Timer::after_secs(2).await;
                d.trigger_for(Duration::from_millis(10_000)).unwrap();
                Timer::after_secs(1).await;
                d.trigger_for(Duration::from_millis(3000)).unwrap();
                Timer::after_secs(2).await;
                out.print("Callback should run");
                Timer::after_secs(2).await;
                out.print("Done");
            });
        },
        &[
            ("Trigger 5 sec delay", 0),
            ("Callback should run", 4000),
            ("cb callback", 5000),
            ("Callback should run", 9000),
            // The toolkit's listing leaves this line out, but the original prints it (checked
            // with the real MicroPython): 10 s is the reduced deadline (7 s + 3 s).
            ("cb callback", 10_000),
            ("Done", 11_000),
        ],
    );
}

#[test]
fn ctor_test_uses_the_constructors_duration_and_a_retrigger_postpones_it() {
    run_program(
        12,
        |sim, out| {
            let d = delay_with_callback(sim, out, 5000);
            sim.spawn("main", async move {
                out.print("Trigger 5 sec delay");
                d.trigger().unwrap();
                Timer::after_secs(4).await;
                out.print("Retrigger 5 sec delay");
                d.trigger().unwrap();
                Timer::after_secs(4).await;
                out.print("Callback should run");
                Timer::after_secs(2).await;
                out.print("Done");
            });
        },
        &[
            ("Trigger 5 sec delay", 0),
            ("Retrigger 5 sec delay", 4000),
            ("Callback should run", 8000),
            ("cb callback", 9000),
            ("Done", 10_000),
        ],
    );
}

#[test]
fn isr_test_a_10_hz_timer_interrupt_holds_the_callback_off() {
    run_program(
        6,
        |sim, out| {
            // Triggered from an interrupt, so over a mutex an interrupt may take.
            let d: &DelayMs<CriticalSectionRawMutex> = sim.alloc(DelayMs::new(Duration::from_millis(1000)));
            sim.spawn("delay", d.run(move || out.print("cb callback")));
            // pyb.Timer(1, freq=10): an interrupt every 100 ms, each `trigger(200)`, until the
            // program deinitialises it at 5 s (its last tick before that is at 4.9 s).
            for tick in 1..50 {
                sim.schedule_isr(SimTime::from_millis(tick * 100), Irq::new(1, 1), move || {
                    d.trigger_for(Duration::from_millis(200)).unwrap()
                });
            }
            sim.spawn("main", async move {
                out.print("Timer holds off cb for 5 secs");
                Timer::after_secs(5).await;
                out.print("cb should now run");
                Timer::after_secs(1).await;
                out.print("Done");
            });
        },
        &[("Timer holds off cb for 5 secs", 0), ("cb should now run", 5000), ("cb callback", 5100), ("Done", 6000)],
    );
}

// ---- event_test.py: wait_test ------------------------------------------------------------------------

type Member<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>;

/// The program's `set_events`: one second before each, then sets it.
async fn set_events(events: &'static [Event<M>; 4], out: &'static Console, which: &'static [usize]) {
    for &n in which {
        Timer::after_secs(1).await;
        out.print(format!("Setting {n}"));
        events[n].set();
    }
}

fn clear(events: &[Event<M>; 4], out: &Console, msg: &str) {
    out.print(msg);
    events.iter().for_each(Event::clear);
}

#[test]
fn wait_test_nests_wait_any_and_wait_all_and_survives_cancel_and_timeout() {
    run_program(
        14,
        |sim, out| {
            let events: &'static [Event<M>; 4] = Box::leak(Box::new(std::array::from_fn(|_| Event::new())));
            // WaitAny((e0, e1, WaitAll((e2, e3))))
            let any_of_0_1_all_2_3 = move || {
                let members: [Member<'static>; 3] = [
                    Box::pin(events[0].wait()),
                    Box::pin(events[1].wait()),
                    Box::pin(async move {
                        wait_all([events[2].wait(), events[3].wait()]).await;
                    }),
                ];
                wait_any(members)
            };
            // WaitAll((WaitAny((e0, e1)), WaitAny((e2, e3))))
            let all_of_two_anys = move || async move {
                wait_all([
                    Box::pin(async move {
                        wait_any([events[0].wait(), events[1].wait()]).await;
                    }) as Member<'static>,
                    Box::pin(async move {
                        wait_any([events[2].wait(), events[3].wait()]).await;
                    }),
                ])
                .await;
            };
            sim.spawn("main", async move {
                fwsim::spawn("set", set_events(events, out, &[0]));
                any_of_0_1_all_2_3().await;
                clear(events, out, "Tested WaitAny 0");
                fwsim::spawn("set", set_events(events, out, &[1]));
                any_of_0_1_all_2_3().await;
                clear(events, out, "Tested WaitAny 1");
                fwsim::spawn("set", set_events(events, out, &[2, 3]));
                any_of_0_1_all_2_3().await;
                clear(events, out, "Tested WaitAll 2, 3");
                fwsim::spawn("set", set_events(events, out, &[0, 3]));
                all_of_two_anys().await;
                clear(events, out, "Tested WaitAny 0, 3");
                let mut task = fwsim::spawn("wait", all_of_two_anys());
                fwsim::spawn("set", set_events(events, out, &[0, 1])); // does nothing for `task`
                out.print("Cancel in 3s");
                // The program's `can(task, 3)`.
                let cancel_in_3s = async {
                    Timer::after_secs(3).await;
                    out.print("About to cancel");
                };
                if let Either::Second(()) = select(&mut task, cancel_in_3s).await {
                    task.abort();
                }
                if let Err(JoinError::Aborted) = task.await {
                    out.print("Cancelled.");
                }
                out.print("Waiting for 4s");
                if with_timeout(Duration::from_secs(4), all_of_two_anys()).await.is_err() {
                    out.print("Timeout");
                }
                out.print("done");
            });
        },
        &[
            ("Setting 0", 1000),
            ("Tested WaitAny 0", 1000),
            ("Setting 1", 2000),
            ("Tested WaitAny 1", 2000),
            ("Setting 2", 3000),
            ("Setting 3", 4000),
            ("Tested WaitAll 2, 3", 4000),
            ("Setting 0", 5000),
            ("Setting 3", 6000),
            ("Tested WaitAny 0, 3", 6000),
            ("Cancel in 3s", 6000),
            ("Setting 0", 7000),
            ("Setting 1", 8000),
            ("About to cancel", 9000),
            ("Cancelled.", 9000),
            ("Waiting for 4s", 9000),
            ("Timeout", 13_000),
            ("done", 13_000),
        ],
    );
}

/// `launch_test`: the delay's callback is a coroutine, which the toolkit starts as a task and
/// keeps as the delay's `rvalue()`. The port's callback is a closure: it spawns the task and
/// keeps its handle, which main then aborts (the cancellation) or awaits. The listing
/// capitalises "Coroutine starts"; the program prints its argument, `coroutine`.
#[test]
fn launch_test_a_delay_starts_a_task_that_can_be_cancelled_or_awaited() {
    use fwsim::JoinHandle;
    use std::cell::RefCell;
    run_program(
        22,
        |sim, out| {
            let delay = |ms: u64| -> (&'static DelayMs<M>, &'static RefCell<Option<JoinHandle<()>>>) {
                let d: &'static DelayMs<M> = Box::leak(Box::new(DelayMs::new(Duration::from_millis(1000))));
                let rvalue: &'static RefCell<Option<JoinHandle<()>>> = Box::leak(Box::default());
                sim.spawn(
                    "delay",
                    d.run(move || {
                        let task = fwsim::spawn("cb", async move {
                            out.print("coroutine starts");
                            Timer::after_millis(ms).await;
                            out.print("coroutine ends");
                        });
                        *rvalue.borrow_mut() = Some(task);
                    }),
                );
                (d, rvalue)
            };
            let (first, (second, rvalue)) = (delay(1000), delay(3000));
            sim.spawn("main", async move {
                out.print("Trigger 5 sec delay");
                first.0.trigger_for(Duration::from_millis(5000)).unwrap();
                Timer::after_secs(4).await;
                out.print("Coroutine should run: run to completion.");
                Timer::after_secs(3).await;
                second.trigger_for(Duration::from_millis(5000)).unwrap();
                Timer::after_secs(4).await;
                out.print("Coroutine should run: test cancellation.");
                Timer::after_secs(2).await;
                rvalue.borrow().as_ref().expect("started").abort();
                second.trigger_for(Duration::from_millis(5000)).unwrap();
                Timer::after_secs(4).await;
                out.print("Coroutine should run: test awaiting.");
                Timer::after_secs(2).await;
                let task = rvalue.borrow_mut().take().expect("started again");
                task.await.unwrap();
                out.print("Done");
            });
        },
        &[
            ("Trigger 5 sec delay", 0),
            ("Coroutine should run: run to completion.", 4000),
            ("coroutine starts", 5000),
            ("coroutine ends", 6000),
            ("Coroutine should run: test cancellation.", 11_000),
            ("coroutine starts", 12_000),
            ("Coroutine should run: test awaiting.", 17_000),
            ("coroutine starts", 18_000),
            ("coroutine ends", 21_000),
            ("Done", 21_000),
        ],
    );
}
