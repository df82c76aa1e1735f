//! # A GPS logger
//!
//! An MTK GPS receiver (MTK3339, as on Adafruit's Ultimate GPS) on one UART, a 16×2 LCD, and
//! a log on another UART:
//!
//! 1. At start it sets the receiver up — RMC and GGA only, a fix a second — and logs each
//!    acknowledgement: `receiver: PMTK314 done`.
//! 2. Until the receiver has a fix, the LCD shows `no fix` and the UTC time the receiver
//!    sends; the log says `waiting for a fix` once.
//! 3. With a fix, each second (once the GGA that follows the RMC has given the altitude):
//!    the LCD shows latitude and altitude, longitude and local time
//!
//!    ```text
//!     51.50000N   11m
//!      0.12000W 23:13
//!    ```
//!
//!    and the log gets `2023-11-14 23:13:23 51.500000 N 0.120000 W 11.0 m 0.00 km/h` (local
//!    date and time, [`LOCAL_OFFSET_MIN`] east of UTC). A lost fix is logged as `fix lost`.
//!
//! The receiver talks from power-up, so its first burst fills the RX FIFO while the set-up
//! commands are still going out: the log shows `receiver: UART error (Other)` (an overrun)
//! once, and reading resumes at once — the parser drops the line that was cut.
//!
//! The toolkit's `as_GPS` demos, ported: plain `async fn`s over embedded-io-async, the
//! drivers' [`Gps`] and [`Lcd`] (whose own task refreshes the glass).

#![no_std]
#![warn(missing_docs)]

use core::fmt::Write as _;

use embassy_futures::join::join;
use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, RawMutex};
use embassy_sync::channel::Channel;
use embassy_time::{Instant, Timer};
use embedded_io_async::{Error as _, Read, Write};
use fwsim_drivers::gps::{AckStatus, MtkCommand, MtkReply, SentenceRates};
use fwsim_drivers::{Gps, GpsFix, Lcd, Sentence};

/// The local time zone, minutes east of UTC (Central European Time).
pub const LOCAL_OFFSET_MIN: i32 = 60;
/// How long reading pauses after a UART error that repeats in the same instant.
pub const ERROR_BACKOFF_MS: u64 = 10;

/// What the parser hands the logger.
enum Event {
    Ack(u16, AckStatus),
    UartError(embedded_io_async::ErrorKind),
    Waiting,
    Fix(GpsFix),
    Lost,
}

/// Runs the logger: sets the receiver up through `gps_tx`, reads it on `gps_rx`, shows the fix
/// on `lcd` and logs to `log`, for ever.
///
/// A receive error (an overrun, typically: the receiver starts talking while the set-up
/// commands are still going out) is logged, and reading goes on; the parser drops the line it
/// cut.
pub async fn run<R: Read, T: Write, L: Write, M: RawMutex>(
    mut gps_rx: R,
    mut gps_tx: T,
    mut log: L,
    lcd: &Lcd<M, 16, 2>,
) {
    let _ = log.write_all(b"gps-logger ready\r\n").await;
    lcd.set_row(0, "no fix");
    let setup =
        [MtkCommand::Enable(SentenceRates { rmc: 1, gga: 1, ..SentenceRates::OFF }), MtkCommand::UpdateInterval(1000)];
    for command in setup {
        if let Ok(line) = command.sentence() {
            let _ = gps_tx.write_all(line.as_bytes()).await;
        }
    }
    let events: Channel<CriticalSectionRawMutex, Event, 4> = Channel::new();
    let mut gps = Gps::new();
    let mut had_fix = None;
    let mut on_sentence = |sentence, fix: &GpsFix| {
        let event = match sentence {
            Sentence::Mtk(MtkReply::Ack { command, status }) => Some(Event::Ack(command, status)),
            // RMC says whether there is a fix; the GGA after it in each burst adds the
            // altitude, so a fix is shown and logged once that has come.
            Sentence::Rmc => match (had_fix.replace(fix.valid), fix.valid) {
                (_, true) => None,
                (previous, false) => {
                    show(lcd, fix);
                    match previous {
                        None => Some(Event::Waiting),
                        Some(true) => Some(Event::Lost),
                        Some(false) => None,
                    }
                }
            },
            Sentence::Gga if fix.valid => {
                show(lcd, fix);
                Some(Event::Fix(*fix))
            }
            _ => None,
        };
        // A line a second at most: the queue is never full unless the log UART is stuck.
        if let Some(event) = event {
            let _ = events.try_send(event);
        }
    };
    let reader = async {
        let mut last_error = None;
        loop {
            let error = gps.run(&mut gps_rx, &mut on_sentence).await;
            let _ = events.try_send(Event::UartError(error.kind()));
            // Read again at once: the FIFO is full, and waiting would overrun it again. Only a
            // UART that fails again in the same instant (unplugged, say) is given a pause, so
            // that it cannot starve the other tasks.
            let now = Instant::now();
            if last_error.replace(now) == Some(now) {
                Timer::after_millis(ERROR_BACKOFF_MS).await;
            }
        }
    };
    let logger = async {
        loop {
            let mut line: heapless::String<96> = heapless::String::new();
            match events.receive().await {
                Event::Ack(command, status) => {
                    let _ = write!(
                        line,
                        "receiver: PMTK{command} {}",
                        if status == AckStatus::Done { "done" } else { "refused" }
                    );
                }
                Event::UartError(kind) => {
                    let _ = write!(line, "receiver: UART error ({kind:?})");
                }
                Event::Waiting => {
                    let _ = line.push_str("waiting for a fix");
                }
                Event::Lost => {
                    let _ = line.push_str("fix lost");
                }
                Event::Fix(fix) => log_line(&mut line, &fix),
            }
            let _ = line.push_str("\r\n");
            let _ = log.write_all(line.as_bytes()).await;
        }
    };
    join(reader, logger).await;
}

/// `2023-11-14 23:13:23 51.500000 N 0.120000 W 11.0 m 0.00 km/h`.
fn log_line(line: &mut heapless::String<96>, fix: &GpsFix) {
    if let Some(t) = fix.local_datetime(LOCAL_OFFSET_MIN) {
        let _ = write!(line, "{}-{:02}-{:02} {} ", t.year, t.month, t.day, t.time_string());
    }
    let (ns, ew) = hemispheres(fix);
    let _ = write!(
        line,
        "{:.6} {ns} {:.6} {ew} {:.1} m {}",
        fix.latitude.abs(),
        fix.longitude.abs(),
        fix.altitude,
        fix.speed_string(fwsim_drivers::gps::SpeedUnit::Kph)
    );
}

/// `('N' or 'S', 'E' or 'W')` of `fix`'s position.
fn hemispheres(fix: &GpsFix) -> (char, char) {
    (if fix.latitude < 0.0 { 'S' } else { 'N' }, if fix.longitude < 0.0 { 'W' } else { 'E' })
}

/// The two LCD rows for `fix`.
fn show<M: RawMutex>(lcd: &Lcd<M, 16, 2>, fix: &GpsFix) {
    let mut top: heapless::String<16> = heapless::String::new();
    let mut bottom: heapless::String<16> = heapless::String::new();
    let [h, m, s] = fix.utc;
    if fix.valid {
        let local = fix.local_datetime(LOCAL_OFFSET_MIN).map_or((h, m), |t| (t.hour, t.minute));
        let (ns, ew) = hemispheres(fix);
        let _ = write!(top, "{:9.5}{ns} {:4.0}m", fix.latitude.abs(), fix.altitude);
        let _ = write!(bottom, "{:9.5}{ew} {:02}:{:02}", fix.longitude.abs(), local.0, local.1);
    } else {
        let _ = top.push_str("no fix");
        let _ = write!(bottom, "{h:02}:{m:02}:{s:02} UTC");
    }
    lcd.set_row(0, &top);
    lcd.set_row(1, &bottom);
}
