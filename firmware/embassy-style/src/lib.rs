//! Demo firmware in the usual embassy style, for `fwsim-embassy`: a sampler task reads a
//! counter every 100 ms and sends it through a `static` channel; a reporter task spawned by
//! the sampler's own `Spawner` logs what arrives, and an alarm task logs when a button
//! interrupt signals.
//!
//! A board spawns [`sampler`] and [`alarm`] from `#[embassy_executor::main]`; a test hosts
//! the same tasks in fwsim (`tests/hosted.rs`).
#![no_std]

use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embassy_time::{Instant, Timer};

/// Samples from [`sampler`] to [`reporter`].
pub static SAMPLES: Channel<CriticalSectionRawMutex, u32, 4> = Channel::new();
/// Raised by the button's interrupt handler.
pub static BUTTON: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// Where the firmware logs: `(ms since boot, what)`. A board points it at its UART or defmt.
pub type LogFn = fn(u64, &str, u32);

/// Spawns [`reporter`], then sends a sample every 100 ms, five times.
#[embassy_executor::task]
pub async fn sampler(spawner: Spawner, log: LogFn) {
    spawner.spawn(reporter(log).expect("one reporter"));
    for n in 1..=5 {
        Timer::after_millis(100).await;
        SAMPLES.send(n * 10).await;
    }
}

/// Logs every sample that arrives.
#[embassy_executor::task]
pub async fn reporter(log: LogFn) {
    loop {
        let sample = SAMPLES.receive().await;
        log(Instant::now().as_millis(), "sample", sample);
    }
}

/// Logs each button press the interrupt signals.
#[embassy_executor::task]
pub async fn alarm(log: LogFn) {
    for n in 1.. {
        BUTTON.wait().await;
        log(Instant::now().as_millis(), "button", n);
    }
}
