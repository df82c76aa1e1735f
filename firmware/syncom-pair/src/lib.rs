//! # Two boards over SynCom
//!
//! The initiator board sends `ping 1`, `ping 2`… every [`PERIOD`] over the toolkit's 4-wire
//! SynCom link ([`SynCom`]); the passive board answers each with `pong <n>`. Each logs on its
//! own UART what it received (`A got pong 1`, `B got ping 1`), and the initiator logs
//! `A: no answer to ping <n>` when an answer has not come by the next ping — as it will
//! while the link is resynchronising after a restart.

#![no_std]
#![warn(missing_docs)]

use core::fmt::Write as _;

use embassy_futures::join::join;
use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::{Duration, Ticker};
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal_async::digital::Wait;
use embedded_io_async::Write;
use fwsim_drivers::{SynCom, SynComPins};

/// How often the initiator pings.
pub const PERIOD: Duration = Duration::from_millis(500);
/// How long either side waits for the other's clock before starting the link over.
pub const TIMEOUT: Duration = Duration::from_millis(50);

async fn log_line<W: Write>(log: &mut W, args: core::fmt::Arguments<'_>) {
    let mut line: heapless::String<80> = heapless::String::new();
    let _ = line.write_fmt(args);
    let _ = line.push_str("\r\n");
    let _ = log.write_all(line.as_bytes()).await;
}

/// The initiator board: pings and logs the answers, for ever.
pub async fn initiator<CI, CO, DI, DO, W>(mut pins: SynComPins<CI, CO, DI, DO>, mut log: W)
where
    CI: InputPin + Wait,
    CO: OutputPin,
    DI: InputPin,
    DO: OutputPin,
    W: Write,
{
    let link: SynCom<CriticalSectionRawMutex> = SynCom::new(false, TIMEOUT);
    let pinger = async {
        let mut ticker = Ticker::every(PERIOD);
        let mut n = 0u32;
        ticker.next().await;
        loop {
            n += 1;
            let mut ping: heapless::String<16> = heapless::String::new();
            let _ = write!(ping, "ping {n}");
            let _ = link.send(ping.as_bytes());
            match select(link.receive(), ticker.next()).await {
                Either::First(answer) => {
                    let text = core::str::from_utf8(&answer).unwrap_or("?");
                    log_line(&mut log, format_args!("A got {text}")).await;
                    ticker.next().await;
                }
                Either::Second(()) => log_line(&mut log, format_args!("A: no answer to ping {n}")).await,
            }
        }
    };
    join(link.run(&mut pins), pinger).await;
}

/// The passive board: answers each `ping <n>` with `pong <n>`, for ever.
pub async fn passive<CI, CO, DI, DO, W>(mut pins: SynComPins<CI, CO, DI, DO>, mut log: W)
where
    CI: InputPin + Wait,
    CO: OutputPin,
    DI: InputPin,
    DO: OutputPin,
    W: Write,
{
    let link: SynCom<CriticalSectionRawMutex> = SynCom::new(true, TIMEOUT);
    let answerer = async {
        loop {
            let message = link.receive().await;
            let text = core::str::from_utf8(&message).unwrap_or("?");
            log_line(&mut log, format_args!("B got {text}")).await;
            if let Some(n) = text.strip_prefix("ping ") {
                let mut pong: heapless::String<16> = heapless::String::new();
                let _ = write!(pong, "pong {n}");
                let _ = link.send(pong.as_bytes());
            }
        }
    };
    join(link.run(&mut pins), answerer).await;
}
