//! `rate`: how fast the scheduler turns over minimal coroutines — each yields, then counts —
//! with 100, 200, 500 and 1,000 of them, [`DURATION_S`] seconds each, and the time one turn
//! of one coroutine takes. The toolkit prints that time in whole µs; joined futures share a
//! task's turn, so here it is a fraction of a µs, printed to the nanosecond.
//!
//! The toolkit adds coroutines as it goes (100 more, then 300…); here each stage starts its
//! own set, so a stage's count is its own coroutines' alone, as the toolkit's is after it
//! resets the count.

use core::cell::Cell;

use embassy_futures::join::join_array;
use embassy_futures::select::select;
use embassy_time::Timer;
use embedded_io_async::Write;

use crate::Console;

/// How many coroutines each stage runs.
pub const CORO_COUNTS: [usize; 4] = [100, 200, 500, 1000];
/// How long each stage runs, in seconds.
pub const DURATION_S: u64 = 2;

async fn foo(count: &Cell<u32>) {
    loop {
        embassy_futures::yield_now().await;
        count.set(count.get() + 1);
    }
}

/// Runs `N` coroutines for [`DURATION_S`]; returns their turns.
async fn stage<const N: usize>(console: &Console) -> u32 {
    console.line(format_args!("Testing {N} coros for {DURATION_S}secs"));
    let count = Cell::new(0);
    let coros = join_array(core::array::from_fn::<_, N, _>(|_| foo(&count)));
    select(coros, Timer::after_secs(DURATION_S)).await;
    count.get()
}

/// Runs the four stages, then prints a line for each.
pub async fn run<W: Write>(mut out: W) {
    let console = Console::new();
    let console = &console;
    let main = async {
        let turns = [
            stage::<100>(console).await,
            stage::<200>(console).await,
            stage::<500>(console).await,
            stage::<1000>(console).await,
        ];
        for (n, turns) in CORO_COUNTS.iter().zip(turns) {
            let per_second = u64::from(turns) / DURATION_S;
            let turn_ns = (DURATION_S * 1_000_000_000).checked_div(u64::from(turns)).unwrap_or(0);
            let (us, ns) = (turn_ns / 1000, turn_ns % 1000);
            console.line(format_args!("Coros {n:4}  Iterations/sec {per_second:7}  Duration {us:3}.{ns:03}us"));
        }
    };
    console.run(&mut out, main).await;
}
