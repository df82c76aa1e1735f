//! Demo firmware in the usual embassy style, for `fwsim-embassy`: a sampler task sends a
//! number every 100 ms through a `static` channel to a reporter task it spawns with its own
//! `Spawner`; an alarm task reports each button press its interrupt signals. It logs with
//! `defmt`, as most embassy firmware does.
//!
//! A board spawns [`sampler`] and [`alarm`] from `#[embassy_executor::main]` and links a defmt
//! transport (RTT); a test hosts the same tasks in fwsim, where `fwsim-defmt` decodes the log
//! into the trace (`hosted/tests/embassy_style.rs`).
#![no_std]

use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embassy_time::Timer;

/// Samples from [`sampler`] to [`reporter`].
pub static SAMPLES: Channel<CriticalSectionRawMutex, u32, 4> = Channel::new();
/// Raised by the button's interrupt handler.
pub static BUTTON: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// Spawns [`reporter`], then sends a sample every 100 ms, five times.
#[embassy_executor::task]
pub async fn sampler(spawner: Spawner) {
    spawner.spawn(reporter().expect("one reporter"));
    for n in 1..=5 {
        Timer::after_millis(100).await;
        SAMPLES.send(n * 10).await;
    }
    defmt::warn!("sampler done after {=u32} samples", 5);
}

/// Logs every sample that arrives.
#[embassy_executor::task]
pub async fn reporter() {
    loop {
        let sample = SAMPLES.receive().await;
        defmt::info!("sample {=u32}", sample);
    }
}

/// Logs each button press the interrupt signals.
#[embassy_executor::task]
pub async fn alarm() {
    for n in 1u32.. {
        BUTTON.wait().await;
        defmt::info!("button press {=u32}", n);
    }
}
