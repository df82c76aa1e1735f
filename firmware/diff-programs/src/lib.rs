//! Programs for the simulator-versus-board differential test.
//!
//! Each program is a few tasks written as plain `async fn`s over embassy-time and
//! embassy-sync, which log *marks* — a label at a virtual (or real) time — through [`Log`].
//! `boards/qemu` runs them under the real embassy-executor on an emulated Cortex-M3 (QEMU
//! `mps2-an385`, a tickless 1 MHz time driver, a hardware timer interrupt); the differential test
//! runs them under fwsim's `Embassy` order, and the two lists of marks must be equal: same
//! order, the same instant within a few µs of the board's instruction time.
//!
//! Nothing here knows where it runs; a board wraps each task in `#[embassy_executor::task]`,
//! a test spawns them on a `Sim`.
#![no_std]

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Instant, Timer};

/// Sleeps until `ms` after time zero. The programs sleep to absolute instants, not for
/// durations: on a board a task wakes a few instructions after its deadline, and a duration
/// counted from there would move every later deadline off the tie it is there to make.
async fn until_ms(ms: u64) {
    Timer::at(Instant::from_millis(ms)).await
}

/// Where marks go; the implementation stamps each with the current time.
pub trait Log {
    /// Logs `label` now.
    fn mark(&self, label: &'static str);
}

/// The signal a hardware interrupt raises in the `interrupt` program.
pub type IrqSignal = Signal<CriticalSectionRawMutex, ()>;

/// The programs, by name; each lists its tasks' names in spawn order.
pub const PROGRAMS: [(&str, &[&str]); 4] = [
    ("ties", &["a", "b", "c"]),
    ("yields", &["x", "y", "z", "sleeper"]),
    ("interrupt", &["waiter", "ticker"]),
    // `interrupt` again, with the interrupt raised in the same instant as the timer alarm.
    ("interrupt_tie", &["waiter", "ticker"]),
];

/// When every program is over (ms): the board exits then.
pub const END_MS: u64 = 60;

/// The interrupt program's hardware timer period (ms) and how many times it fires.
pub const IRQ_PERIOD_MS: u64 = 7;
/// See [`IRQ_PERIOD_MS`].
pub const IRQ_COUNT: u32 = 4;

/// `ties`: "a" and "b" wake every 10 ms three times, "c" every 15 ms twice: a and b share
/// every deadline, and all three meet at 30 ms. The integrated timer queue decides their order.
pub async fn ties(task: &str, log: &impl Log) {
    let (label, period, times) = match task {
        "a" => ("a", 10, 3),
        "b" => ("b", 10, 3),
        _ => ("c", 15, 2),
    };
    for k in 1..=times {
        until_ms(k * period).await;
        log.mark(label);
    }
}

/// `yields`: three tasks log and yield in turns (embassy's batches order them), while a
/// fourth sleeps until 1 ms and logs between batches; then the three meet at 2 ms.
pub async fn yields(task: &str, log: &impl Log) {
    match task {
        "sleeper" => {
            until_ms(1).await;
            log.mark("sleeper");
        }
        _ => {
            let label = match task {
                "x" => "x",
                "y" => "y",
                _ => "z",
            };
            for _ in 0..3 {
                log.mark(label);
                embassy_futures::yield_now().await;
            }
            until_ms(2).await;
            log.mark(label);
        }
    }
}

/// `interrupt`: "waiter" waits for the signal a hardware timer interrupt raises every
/// [`IRQ_PERIOD_MS`]; "ticker" wakes with the same period: at every period the timer alarm and
/// the interrupt fall due together.
pub async fn interrupt(task: &str, log: &impl Log, irq: &IrqSignal) {
    if task == "waiter" {
        for _ in 0..IRQ_COUNT {
            irq.wait().await;
            log.mark("irq");
        }
    } else {
        for k in 1..=u64::from(IRQ_COUNT) {
            until_ms(k * IRQ_PERIOD_MS).await;
            log.mark("tick");
        }
    }
}
