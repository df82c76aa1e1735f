//! # The toolkit's scheduling demos
//!
//! Three demos of the MicroPython asyncio toolkit (`v3/as_demos/`), written as portable
//! `async fn`s that print over any `embedded_io_async::Write` (a UART on a board, a simulated
//! one under fwsim):
//!
//! * [`gather`]: a normal coroutine, one with a timeout and one cancelled, gathered; prints the
//!   toolkit's documented output, with and without `return_exceptions`;
//! * [`roundrobin`]: three coroutines that yield in turns, and how many turns a second the
//!   scheduler gives them;
//! * [`rate`]: 100 to 1,000 minimal coroutines, and the time each scheduling turn takes.
//!
//! Under fwsim, `roundrobin` and `rate` measure the simulation's cost model, not the host:
//! the `roundrobin` and `rate` apps of the CLI charge 195 µs per poll of a task, the turn the
//! toolkit measured on a Pyboard 1.1, so the figures are the same every run.
//!
//! **What they teach in Rust.** The toolkit's coroutines are tasks, each scheduled on its
//! own. Here they are futures joined inside one task (no allocator, no task pool), and one
//! poll of that task turns every one of them: the scheduler's cost is paid once for all. So
//! `roundrobin`'s three coroutines make three turns per 195 µs, and `rate`'s time per turn
//! falls as coroutines are added — where on MicroPython it stays at 195 µs. Join where you
//! can; spawn what must run on its own.
#![no_std]
#![warn(missing_docs)]

use core::fmt::Write as _;
use core::future::Future;

use embassy_futures::join::join;
use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embedded_io_async::Write;

pub mod gather;
pub mod rate;
pub mod roundrobin;

/// One printed line.
pub type Line = heapless::String<64>;

/// Lines printed by the demo's futures — from anywhere, a drop guard included — written out in
/// order by [`Console::run`].
pub struct Console {
    lines: Channel<CriticalSectionRawMutex, Line, 16>,
}

impl Console {
    /// An empty console.
    pub const fn new() -> Self {
        Console { lines: Channel::new() }
    }

    /// Queues a line. The demos print at most a few lines between two of the writer's turns;
    /// a full queue drops the line rather than block a drop guard.
    pub fn line(&self, args: core::fmt::Arguments<'_>) {
        let mut line = Line::new();
        let _ = line.write_fmt(args);
        let _ = self.lines.try_send(line);
    }

    /// Runs `main`, writing each queued line to `out` followed by `\r\n`; once `main` ends,
    /// writes what is left and returns.
    pub async fn run<W: Write>(&self, out: &mut W, main: impl Future<Output = ()>) {
        let done: Signal<CriticalSectionRawMutex, ()> = Signal::new();
        let writer = async {
            while let Either::First(line) = select(self.lines.receive(), done.wait()).await {
                write_line(out, &line).await;
            }
            while let Ok(line) = self.lines.try_receive() {
                write_line(out, &line).await;
            }
        };
        join(writer, async {
            main.await;
            done.signal(());
        })
        .await;
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

async fn write_line<W: Write>(out: &mut W, line: &str) {
    let _ = out.write_all(line.as_bytes()).await;
    let _ = out.write_all(b"\r\n").await;
}
