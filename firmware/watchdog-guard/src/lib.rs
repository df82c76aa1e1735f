//! # A watchdog that is fed on progress
//!
//! A watchdog only helps if a hung task stops its feeding. Fed from a timer of its own, it
//! goes on being fed while the task that does the work waits for ever. So here a
//! [`supervisor`] feeds it every [`CHECK_EVERY`] only if the worker has checked in
//! ([`Heartbeat::beat`]) since the last check; the worker checks in from its own loop.
//!
//! The worker, [`link`], brings up a modem on a UART: it sends `AT` and waits for `OK`. It
//! waits with no timeout, a bug of the kind the watchdog exists for: a modem that stays
//! silent hangs the worker, the supervisor stops feeding, and [`WATCHDOG_TIMEOUT`] later the
//! watchdog resets the MCU. The firmware boots again and logs why it started
//! (`boot: power-on` or `boot: watchdog`), which the board tells it (a reset-cause register).
//! Once the modem answers, the log says `link up` and the worker checks in for ever.
//!
//! Plain `async fn`s over embedded-hal 0.2's watchdog traits (embedded-hal 1.0 has none),
//! embedded-io-async and embassy-time, with no allocator.

#![no_std]
#![warn(missing_docs)]

use core::cell::Cell;

use embassy_time::{Duration, Timer};
use embedded_hal_02::watchdog::{Watchdog, WatchdogEnable};
use embedded_io_async::{Read, Write};

/// How often the supervisor looks for a check-in (and feeds if there was one).
pub const CHECK_EVERY: Duration = Duration::from_millis(100);
/// How long the watchdog waits for a feed before it resets the MCU.
pub const WATCHDOG_TIMEOUT: core::time::Duration = core::time::Duration::from_secs(1);

/// The worker's check-ins since the supervisor last looked.
pub struct Heartbeat {
    beat: Cell<bool>,
}

impl Heartbeat {
    /// No check-in yet.
    pub const fn new() -> Self {
        Heartbeat { beat: Cell::new(false) }
    }

    /// The worker checks in: it is making progress.
    pub fn beat(&self) {
        self.beat.set(true);
    }

    /// Whether the worker checked in since the last call.
    fn take(&self) -> bool {
        self.beat.replace(false)
    }
}

impl Default for Heartbeat {
    fn default() -> Self {
        Self::new()
    }
}

/// Why the firmware started, as the board's reset-cause register tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boot {
    /// The power came on.
    PowerOn,
    /// The watchdog reset the MCU.
    Watchdog,
}

/// Starts the watchdog and feeds it every [`CHECK_EVERY`] while the worker checks in.
pub async fn supervisor<D>(mut dog: D, heartbeat: &Heartbeat)
where
    D: WatchdogEnable<Time = core::time::Duration> + Watchdog,
{
    dog.start(WATCHDOG_TIMEOUT);
    loop {
        Timer::after(CHECK_EVERY).await;
        if heartbeat.take() {
            dog.feed();
        }
    }
}

/// Logs why it booted, brings the modem on `uart` up (`AT`, then waits for a line `OK`, with
/// no timeout), logs `link up`, then checks in every half [`CHECK_EVERY`] for ever.
pub async fn link<U: Read + Write>(mut uart: U, boot: Boot, heartbeat: &Heartbeat) {
    let why: &[u8] = match boot {
        Boot::PowerOn => b"boot: power-on\r\n",
        Boot::Watchdog => b"boot: watchdog\r\n",
    };
    let _ = uart.write_all(why).await;
    let _ = uart.write_all(b"AT\r\n").await;
    if !wait_for_ok(&mut uart).await {
        return; // the UART failed: the supervisor stops feeding, and the watchdog resets
    }
    let _ = uart.write_all(b"link up\r\n").await;
    loop {
        heartbeat.beat();
        Timer::after(CHECK_EVERY / 2).await;
    }
}

/// Reads lines until one is `OK`; `false` if the UART fails.
async fn wait_for_ok<U: Read>(uart: &mut U) -> bool {
    let (mut line, mut len) = ([0u8; 16], 0);
    let mut byte = [0u8];
    loop {
        if uart.read_exact(&mut byte).await.is_err() {
            return false;
        }
        match byte[0] {
            b'\r' => {}
            b'\n' if &line[..len] == b"OK" => return true,
            b'\n' => len = 0,
            b if len < line.len() => {
                line[len] = b;
                len += 1;
            }
            _ => {}
        }
    }
}
