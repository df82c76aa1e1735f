//! The toolkit's `elo_test.py`, ported: an `ELO` cancelled, one returning a value, one around
//! a task already running, and a delayed read of a value. Each printed line is compared with
//! the listing the program shows, at the virtual millisecond it is printed.
//!
//! Python's `ELO(coro, *args)` schedules the coroutine as a task; here the work is
//! `Elo::run`, spawned, and "cancel the ELO's task" is an abort of that spawned task.

mod programs;

use embassy_time::Timer;
use fwsim_primitives::{Cancelled, Elo, Event, wait_any};
use programs::run_program;

type M = embassy_sync::blocking_mutex::raw::NoopRawMutex;

/// `foo(t, n)`: sleeps `t` seconds and returns `n`.
async fn foo(t: u64, n: u32) -> u32 {
    Timer::after_secs(t).await;
    n
}

/// An event wait and an ELO wait as one type, for `wait_any` (Python's `WaitAny` takes
/// objects of mixed kinds).
fn both<'a>(
    a: impl core::future::Future<Output = ()> + 'a,
    b: impl core::future::Future<Output = ()> + 'a,
) -> [core::pin::Pin<Box<dyn core::future::Future<Output = ()> + 'a>>; 2] {
    [Box::pin(a), Box::pin(b)]
}

#[test]
fn elo_test_cancels_returns_wraps_a_running_task_and_returns_late() {
    run_program(
        14,
        |sim, out| {
            let evt: &Event<M> = sim.alloc(Event::new());
            let elo = || -> &Elo<M, u32> { sim.alloc(Elo::new()) };
            let (e1, e2, e3, e4) = (elo(), elo(), elo(), elo());
            sim.spawn("main", async move {
                out.print("Test cancellation.");
                let work = sim.spawn("elo1", e1.run(foo(5, 42)));
                // can_after(elo, 1): a task that cancels the ELO's task a second later.
                sim.spawn("can_after", async move {
                    Timer::after_secs(1).await;
                    work.abort();
                });
                wait_any(both(evt.wait(), e1.wait())).await;
                if e1.result() == Some(Err(Cancelled)) {
                    out.print("Canned");
                }

                out.print("Test return of value.");
                sim.spawn("elo2", e2.run(foo(5, 42)));
                wait_any(both(evt.wait(), e2.wait())).await;
                out.print(format!("Result: {}", e2.result().unwrap().unwrap()));

                out.print("Instantiate with running task");
                let task = sim.spawn("task", foo(3, 99));
                sim.spawn("elo3", e3.run(async move { task.await.unwrap() }));
                wait_any(both(e3.wait(), evt.wait())).await;
                out.print(format!("Result: {}", e3.result().unwrap().unwrap()));

                out.print("Delayed return of value.");
                sim.spawn("elo4", e4.run(foo(5, 88)));
                wait_any(both(evt.wait(), e4.wait())).await;
                // set_after(1): an early exit, after which the value is still read.
                sim.spawn("set_after", async move {
                    Timer::after_secs(1).await;
                    out.print("set");
                    evt.set();
                    evt.clear();
                });
                e4.wait().await; // `await elo()`: done already
                out.print(format!("Result: {}", e4.result().unwrap().unwrap()));
            });
        },
        &[
            ("Test cancellation.", 0),
            ("Canned", 1000),
            ("Test return of value.", 1000),
            ("Result: 42", 6000),
            ("Instantiate with running task", 6000),
            ("Result: 99", 9000),
            ("Delayed return of value.", 9000),
            ("Result: 88", 14000),
        ],
    );
}
