//! The toolkit's `as_demos/gather.py` (with `return_exceptions=False`), ported: a normal
//! coroutine, one under a timeout and a cancellable task, gathered; its listing is compared
//! line by line, at the virtual millisecond each line is printed.
//!
//! Python traps `CancelledError` in `except` blocks; the Rust form of that trap is a guard
//! whose `Drop` runs when the future is dropped unfinished (by an abort or a timeout).

mod programs;

use core::future::Future;
use core::pin::Pin;

use embassy_time::{Duration, Timer};
use fwsim_primitives::{TimeoutError, gather, wait_for};
use programs::{Console, run_program};

/// Prints `line` when dropped: Python's `except CancelledError: print(...)` around a loop
/// that only a cancel ends.
struct Trap<'a> {
    out: &'a Console,
    line: &'static str,
}

impl Drop for Trap<'_> {
    fn drop(&mut self) {
        self.out.print(self.line);
    }
}

async fn barking(out: &Console, n: u32) -> Result<u32, TimeoutError> {
    out.print("Start normal coro barking()");
    for _ in 0..6 {
        Timer::after_secs(1).await;
    }
    out.print("Done barking.");
    Ok(2 * n)
}

/// `foo` and `bar`: tick every second for ever (their count is never read), trapping their
/// cancellation.
async fn counter(out: &Console, start: &'static str, trapped: &'static str) -> u32 {
    out.print(start);
    let _trap = Trap { out, line: trapped };
    loop {
        Timer::after_secs(1).await;
    }
}

type Child<'a> = Pin<Box<dyn Future<Output = Result<u32, TimeoutError>> + 'a>>;

#[test]
fn gather_demo_prints_its_listing() {
    run_program(
        10,
        |sim, out| {
            sim.spawn("main", async move {
                let bar = sim.spawn("bar", counter(out, "Start cancellable bar()", "Trapped bar cancellation."));
                let tasks: [Child<'_>; 2] = [
                    Box::pin(barking(out, 21)),
                    Box::pin(wait_for(
                        Duration::from_secs(7),
                        counter(out, "Start timeout coro foo()", "Trapped foo timeout."),
                    )),
                ];
                sim.spawn("do_cancel", async move {
                    Timer::after_secs(5).await;
                    out.print("About to cancel bar");
                    bar.abort();
                });
                match gather(tasks).await {
                    Err(TimeoutError) => {
                        out.print("foo timed out.");
                        out.print("Result:  No result");
                    }
                    Ok(res) => out.print(format!("Result:  {res:?}")),
                }
            });
        },
        &[
            ("Start cancellable bar()", 0),
            ("Start normal coro barking()", 0),
            ("Start timeout coro foo()", 0),
            ("About to cancel bar", 5000),
            ("Trapped bar cancellation.", 5000),
            ("Done barking.", 6000),
            ("Trapped foo timeout.", 7000),
            ("foo timed out.", 7000),
            ("Result:  No result", 7000),
        ],
    );
}
