//! `gather`: three kinds of coroutine run together — one that finishes, one under a timeout,
//! one cancelled by another task — and what `gather` returns.
//!
//! The toolkit documents the output; with `return_exceptions` false:
//!
//! ```text
//! Start cancellable bar()
//! Start normal coro barking()
//! Start timeout coro foo()
//! About to cancel bar
//! Trapped bar cancellation.
//! Done barking.
//! Trapped foo timeout.
//! foo timed out.
//! Result:  No result
//! ```
//!
//! and with it true, the last two lines become `Result:  [42, TimeoutError()]`. Cancelling a
//! Rust future is dropping it, so "trapping" the cancellation is a drop guard.

use core::future::Future;
use core::pin::{Pin, pin};

use embassy_futures::join::join3;
use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer};
use embedded_io_async::Write;
use fwsim_primitives::{TimeoutError, gather as gather_first_error, gather_all, wait_for};

use crate::Console;

/// Prints its line when dropped: the coroutine it lives in was cancelled.
struct Trap<'a>(&'a Console, &'static str);

impl Drop for Trap<'_> {
    fn drop(&mut self) {
        self.0.line(format_args!("{}", self.1));
    }
}

async fn barking(console: &Console, n: u32) -> u32 {
    console.line(format_args!("Start normal coro barking()"));
    for _ in 0..6 {
        Timer::after_secs(1).await;
    }
    console.line(format_args!("Done barking."));
    2 * n
}

/// Ticks every second until cancelled (the toolkit's `foo` and `bar` count, but their count
/// is never returned: they only end by cancellation); `start` and `trapped` are its lines.
async fn ticking(console: &Console, start: &'static str, trapped: &'static str) -> u32 {
    console.line(format_args!("{start}"));
    let _trap = Trap(console, trapped);
    loop {
        Timer::after_secs(1).await;
    }
}

type Child<'a> = Pin<&'a mut dyn Future<Output = Result<u32, TimeoutError>>>;

/// Runs the demo for 7 s of its own time, printing on `out`; `return_exceptions` as
/// asyncio's `gather`.
pub async fn run<W: Write>(mut out: W, return_exceptions: bool) {
    let console = Console::new();
    let console = &console;
    let cancel_bar: Signal<CriticalSectionRawMutex, ()> = Signal::new();
    let bar = select(ticking(console, "Start cancellable bar()", "Trapped bar cancellation."), cancel_bar.wait());
    let do_cancel = async {
        Timer::after_secs(5).await;
        console.line(format_args!("About to cancel bar"));
        cancel_bar.signal(());
    };
    let main = async {
        let barking = pin!(async { Ok::<u32, TimeoutError>(barking(console, 21).await) });
        let timed_foo = pin!(wait_for(
            Duration::from_secs(7),
            ticking(console, "Start timeout coro foo()", "Trapped foo timeout.")
        ));
        let children: [Child<'_>; 2] = [barking, timed_foo];
        if return_exceptions {
            let [a, b] = gather_all(children).await;
            let show = |r: Result<u32, TimeoutError>| match r {
                Ok(v) => Shown::Value(v),
                Err(TimeoutError) => Shown::Timeout,
            };
            console.line(format_args!("Result:  [{}, {}]", show(a), show(b)));
        } else {
            match gather_first_error(children).await {
                Ok([a, b]) => console.line(format_args!("Result:  [{a}, {b}]")),
                Err(TimeoutError) => {
                    console.line(format_args!("foo timed out."));
                    console.line(format_args!("Result:  No result"));
                }
            }
        }
    };
    console
        .run(&mut out, async {
            join3(bar, do_cancel, main).await;
        })
        .await;
}

/// A result as asyncio prints it in a list.
enum Shown {
    Value(u32),
    Timeout,
}

impl core::fmt::Display for Shown {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Shown::Value(v) => write!(f, "{v}"),
            Shown::Timeout => f.write_str("TimeoutError()"),
        }
    }
}
