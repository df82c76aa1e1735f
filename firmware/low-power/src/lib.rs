//! # A low-power data logger
//!
//! What a battery-powered logger does, as tasks that sleep long:
//!
//! * read an HTU21D every [`SAMPLE_PERIOD`] and log `T=21.0C RH=45%` on a UART;
//! * log `button` each time a button (active low) is pressed;
//! * blink a heartbeat LED for [`BLINK`] every [`HEARTBEAT`].
//!
//! Between those the core has nothing to do, and on a board it sleeps (embassy's executor
//! waits for an interrupt). How long it sleeps depends on how the button is watched:
//!
//! * [`run`] waits for the pin's falling edge (`Wait`: a pin interrupt on a board): the core
//!   wakes only when something happens;
//! * [`run_polling`] reads the pin every [`POLL`] instead: a thousand wake-ups a second with
//!   nothing to do.
//!
//! fwsim measures the difference: with a cost model for the board (the CLI's `low-power` and
//! `low-power-polling` apps charge a Cortex-M0+'s poll), a scenario's report gives the share
//! of the time the core was idle, and `expect-idle` checks it.

#![no_std]
#![warn(missing_docs)]

use core::fmt::Write as _;

use embassy_futures::join::join3;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::mutex::Mutex;
use embassy_time::{Duration, Ticker, Timer};
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal_async::digital::Wait;
use embedded_hal_async::i2c::I2c;
use embedded_io_async::Write;
use fwsim_drivers::Htu21d;

/// How often the sensor is read.
pub const SAMPLE_PERIOD: Duration = Duration::from_secs(10);
/// How often the heartbeat LED blinks.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long each blink lasts.
pub const BLINK: Duration = Duration::from_millis(5);
/// How often [`run_polling`] reads the button.
pub const POLL: Duration = Duration::from_millis(1);
/// How long a press is ignored after it starts (contact bounce).
pub const SETTLE: Duration = Duration::from_millis(50);

/// The logger, with the button watched by its edge interrupt.
pub async fn run<I: I2c, B: Wait, L: OutputPin, W: Write>(i2c: I, mut button: B, led: L, log: W) {
    let log: Mutex<NoopRawMutex, W> = Mutex::new(log);
    let presses = async {
        loop {
            if button.wait_for_falling_edge().await.is_err() {
                return;
            }
            let _ = log.lock().await.write_all(b"button\r\n").await;
            Timer::after(SETTLE).await;
            if button.wait_for_high().await.is_err() {
                return;
            }
        }
    };
    join3(sampler(i2c, &log), presses, heartbeat(led)).await;
}

/// The logger, with the button read every [`POLL`]: it works the same and sleeps far less.
pub async fn run_polling<I: I2c, B: InputPin, L: OutputPin, W: Write>(i2c: I, mut button: B, led: L, log: W) {
    let log: Mutex<NoopRawMutex, W> = Mutex::new(log);
    let presses = async {
        let mut was_pressed = false;
        let mut ticker = Ticker::every(POLL);
        loop {
            ticker.next().await;
            let pressed = button.is_low().unwrap_or(false);
            if pressed && !was_pressed {
                let _ = log.lock().await.write_all(b"button\r\n").await;
                Timer::after(SETTLE).await;
            }
            was_pressed = pressed;
        }
    };
    join3(sampler(i2c, &log), presses, heartbeat(led)).await;
}

/// Reads the sensor every [`SAMPLE_PERIOD`] and logs the reading (or `E sensor`).
async fn sampler<I: I2c, W: Write>(mut i2c: I, log: &Mutex<NoopRawMutex, W>) {
    let mut ticker = Ticker::every(SAMPLE_PERIOD);
    loop {
        let mut line: heapless::String<32> = heapless::String::new();
        match Htu21d::<NoopRawMutex>::read(&mut i2c).await {
            Ok((t, h)) => {
                let _ = write!(line, "T={t:.1}C RH={h:.0}%\r\n");
            }
            Err(_) => {
                let _ = line.push_str("E sensor\r\n");
            }
        }
        // The button task writes too: the lock keeps each line whole.
        let _ = log.lock().await.write_all(line.as_bytes()).await;
        ticker.next().await;
    }
}

/// Blinks `led` for [`BLINK`] every [`HEARTBEAT`].
async fn heartbeat<L: OutputPin>(mut led: L) {
    let mut ticker = Ticker::every(HEARTBEAT);
    loop {
        ticker.next().await;
        let _ = led.set_high();
        Timer::after(BLINK).await;
        let _ = led.set_low();
    }
}
