//! Chapter 1 and 2 of the tutorial: tasks, time, cancellation.

use std::cell::RefCell;

use embassy_futures::select::{Either, select};
use embassy_time::{Duration, Instant, Timer};
use fwsim_primitives::{TimeoutError, wait_for};

// ANCHOR: tasks
/// Firmware: a task is an `async fn`; `.await` is where it lets the others run.
async fn blink(name: &'static str, period_ms: u64, log: &RefCell<Vec<(u64, &'static str)>>) {
    loop {
        Timer::after_millis(period_ms).await;
        log.borrow_mut().push((Instant::now().as_millis(), name));
    }
}

#[test]
fn two_tasks_share_one_core() {
    fwsim::test(|sim| {
        let log = &*sim.alloc(RefCell::new(Vec::new()));
        sim.spawn("fast", blink("fast", 300, log));
        sim.spawn("slow", blink("slow", 500, log));
        // A second of firmware time; the test takes microseconds.
        sim.run_for(fwsim::secs(1)).unwrap();
        let expected = [(300, "fast"), (500, "slow"), (600, "fast"), (900, "fast"), (1000, "slow")];
        assert_eq!(*log.borrow(), expected);
    });
}
// ANCHOR_END: tasks

// ANCHOR: cancel
/// Cancelling a future is dropping it; a guard's `drop` is the place to tidy up (the
/// toolkit's `except CancelledError`).
struct OnCancel<'a> {
    log: &'a RefCell<Vec<&'static str>>,
    finished: bool,
}

impl Drop for OnCancel<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.log.borrow_mut().push("sensor read cancelled: bus released");
        }
    }
}

async fn read_sensor(log: &RefCell<Vec<&'static str>>) -> u16 {
    let mut guard = OnCancel { log, finished: false };
    Timer::after_millis(80).await; // a conversion that takes too long today
    guard.finished = true;
    42
}

#[test]
fn a_timeout_cancels_the_slow_read() {
    fwsim::test(|sim| {
        let log = &*sim.alloc(RefCell::new(Vec::new()));
        let reading = sim.spawn("reader", async move {
            // `wait_for`: asyncio's `wait_for`, the read dropped when 50 ms have passed.
            let first = wait_for(Duration::from_millis(50), read_sensor(log)).await;
            // `select` races two futures and drops the loser.
            let second = select(read_sensor(log), Timer::after_millis(100)).await;
            (first, matches!(second, Either::First(42)), Instant::now().as_millis())
        });
        sim.run_for(fwsim::secs(1)).unwrap();
        assert_eq!(sim.join(reading).unwrap(), (Err(TimeoutError), true, 130));
        assert_eq!(*log.borrow(), ["sensor read cancelled: bus released"], "only the first was cut");
    });
}
// ANCHOR_END: cancel
