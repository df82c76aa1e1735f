//! A small app that spawns its sub-tasks through the seam: a ticker logs three times, 10 ms
//! apart, and a one-shot logs once at 15 ms.

use std::sync::Mutex;

use embassy_time::Timer;
use portable_spawn::{SendTask, Spawn, SpawnSend, Task};

/// `(ms, what)` as logged, per test binary.
pub static LOG: Mutex<Vec<(u64, &'static str)>> = Mutex::new(Vec::new());

fn log(what: &'static str) {
    LOG.lock().unwrap().push((embassy_time::Instant::now().as_millis(), what));
}

async fn tick(times: u32) {
    for _ in 0..times {
        Timer::after_millis(10).await;
        log("tick");
    }
}

async fn once(after_ms: u64) {
    Timer::after_millis(after_ms).await;
    log("once");
}

#[embassy_executor::task]
async fn tick_task(times: u32) {
    tick(times).await
}

#[embassy_executor::task]
async fn once_task(after_ms: u64) {
    once(after_ms).await
}

pub struct Ticker;
impl Task for Ticker {
    type Args = u32;
    const NAME: &'static str = "ticker";
    fn future(times: u32) -> impl Future<Output = ()> + 'static {
        tick(times)
    }
    fn token(times: u32) -> Result<embassy_executor::SpawnToken<impl Sized>, embassy_executor::SpawnError> {
        tick_task(times)
    }
}

pub struct Once;
impl Task for Once {
    type Args = u64;
    const NAME: &'static str = "once";
    fn future(after_ms: u64) -> impl Future<Output = ()> + 'static {
        once(after_ms)
    }
    fn token(after_ms: u64) -> Result<embassy_executor::SpawnToken<impl Sized>, embassy_executor::SpawnError> {
        once_task(after_ms)
    }
}

impl SendTask for Ticker {
    fn send_token(times: u32) -> Result<embassy_executor::SpawnToken<impl Sized + Send>, embassy_executor::SpawnError> {
        tick_task(times)
    }
}

impl SendTask for Once {
    fn send_token(
        after_ms: u64,
    ) -> Result<embassy_executor::SpawnToken<impl Sized + Send>, embassy_executor::SpawnError> {
        once_task(after_ms)
    }
}

/// The same start-up through the `Send` seam (a `SendSpawner` on a board).
#[allow(dead_code)] // each test binary uses one of the two start-ups
pub fn start_send(spawner: &impl SpawnSend) {
    spawner.spawn_send::<Ticker>(3).expect("a ticker");
    spawner.spawn_send::<Once>(15).expect("a one-shot");
}

/// The app's start-up: spawns both sub-tasks through whatever spawner it is given.
#[allow(dead_code)] // each test binary uses one of the two start-ups
pub fn start(spawner: &impl Spawn) {
    spawner.spawn::<Ticker>(3).expect("a ticker");
    spawner.spawn::<Once>(15).expect("a one-shot");
}

/// What the app logs in 50 ms.
pub const EXPECTED: [(u64, &str); 4] = [(10, "tick"), (15, "once"), (20, "tick"), (30, "tick")];
