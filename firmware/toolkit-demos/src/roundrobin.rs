//! `roundrobin`: three coroutines that each yield, count and go round again. The scheduler
//! runs them in turns — `Foo 1`, `Foo 2`, `Foo 3`, `Foo 1`… — and the demo reports how many
//! turns a second they got.
//!
//! The toolkit prints every turn (and notes that printing slows it down); this port prints
//! the first [`SHOWN`] turns, enough to see the order, then only counts.

use core::cell::Cell;

use embassy_futures::join::join3;
use embassy_futures::select::select;
use embassy_time::Timer;
use embedded_io_async::Write;

use crate::Console;

/// How long the coroutines run, in seconds.
pub const PERIOD_S: u64 = 5;
/// How many turns are printed.
pub const SHOWN: u32 = 6;

async fn foo(console: &Console, count: &Cell<u32>, n: u32) {
    loop {
        embassy_futures::yield_now().await;
        count.set(count.get() + 1);
        if count.get() <= SHOWN {
            console.line(format_args!("Foo {n}"));
        }
    }
}

/// Runs the demo for [`PERIOD_S`], printing on `out`.
pub async fn run<W: Write>(mut out: W) {
    let console = Console::new();
    let console = &console;
    let count = Cell::new(0);
    let count = &count;
    let main = async {
        let coros = join3(foo(console, count, 1), foo(console, count, 2), foo(console, count, 3));
        select(coros, async {
            console.line(format_args!("Testing for {PERIOD_S} seconds"));
            Timer::after_secs(PERIOD_S).await;
        })
        .await;
        let per_second = u64::from(count.get()) * 10 / PERIOD_S;
        console.line(format_args!("Coro executions per sec = {}.{}", per_second / 10, per_second % 10));
    };
    console.run(&mut out, main).await;
}
