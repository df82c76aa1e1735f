//! # A command shell on a UART
//!
//! Prints `fwsim shell` and a `> ` prompt, then reads lines (ended by CR or LF) and answers:
//!
//! | command | answer |
//! |---|---|
//! | `help` | the command list |
//! | `led on`, `led off` | switches the LED, answers `ok` |
//! | `status` | `led=on uptime=1234ms` |
//! | `echo <text>` | the text |
//! | anything else | `error: unknown command '<it>'` |
//!
//! Robustness is what the demo is for, so each failure has its answer and loses at most the
//! line it hit:
//! * a line started but not ended within [`IDLE_TIMEOUT`] is dropped: `error: timeout`;
//! * a line error (framing, parity, noise, break, overrun) drops the line being typed:
//!   `error: line`;
//! * a line longer than [`MAX_LINE`] bytes is dropped when it ends: `error: too long`.
//!
//! Plain `async fn`s over embedded-io-async, embedded-hal and embassy-time.

#![no_std]
#![warn(missing_docs)]

use core::fmt::Write as _;

use embassy_futures::select::{Either, select};
use embassy_time::{Duration, Instant, Timer};
use embedded_hal::digital::OutputPin;
use embedded_io_async::{Read, Write};

/// How long a started line may wait for its next byte.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest line the shell accepts, in bytes.
pub const MAX_LINE: usize = 64;

/// What one line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// `help`.
    Help,
    /// `led on` / `led off`.
    Led(bool),
    /// `status`.
    Status,
    /// `echo <text>`.
    Echo(&'a str),
    /// Empty line: just a new prompt.
    Nothing,
    /// Anything else.
    Unknown(&'a str),
}

/// Parses one line (without its ending).
pub fn parse(line: &str) -> Command<'_> {
    let line = line.trim();
    match line {
        "" => Command::Nothing,
        "help" => Command::Help,
        "led on" => Command::Led(true),
        "led off" => Command::Led(false),
        "status" => Command::Status,
        _ => match line.strip_prefix("echo ") {
            Some(text) => Command::Echo(text),
            None => Command::Unknown(line),
        },
    }
}

/// Runs the shell on `uart` for ever, switching `led`; returns only if writing fails.
pub async fn run<U: Read + Write, L: OutputPin>(mut uart: U, mut led: L) {
    let mut led_on = false;
    let _ = led.set_low();
    if uart.write_all(b"fwsim shell\r\n> ").await.is_err() {
        return;
    }
    let mut line: heapless::Vec<u8, MAX_LINE> = heapless::Vec::new();
    let mut too_long = false;
    loop {
        let mut byte = [0u8; 1];
        // Waiting for the first byte of a line has no limit; inside a line the idle timeout runs.
        let started = !line.is_empty() || too_long;
        let read = if started {
            match select(uart.read(&mut byte), Timer::after(IDLE_TIMEOUT)).await {
                Either::First(r) => Some(r),
                Either::Second(()) => None,
            }
        } else {
            Some(uart.read(&mut byte).await)
        };
        let answer: Option<heapless::String<96>> = match read {
            None => Some(text("error: timeout")),
            Some(Err(_)) => Some(text("error: line")),
            Some(Ok(0)) => continue,
            Some(Ok(_)) if byte[0] == b'\r' || byte[0] == b'\n' => {
                if core::mem::take(&mut too_long) {
                    Some(text("error: too long"))
                } else if line.is_empty() {
                    // An LF after a CR, or an empty line: no answer, no new prompt for LF.
                    if byte[0] == b'\n' {
                        continue;
                    }
                    Some(heapless::String::new())
                } else {
                    let reply = match core::str::from_utf8(&line) {
                        Ok(s) => execute(parse(s), &mut led, &mut led_on),
                        Err(_) => text("error: not text"),
                    };
                    Some(reply)
                }
            }
            Some(Ok(_)) => {
                if line.push(byte[0]).is_err() {
                    too_long = true;
                    line.clear();
                }
                None
            }
        };
        if let Some(answer) = answer {
            line.clear();
            too_long = false;
            let mut out: heapless::String<104> = heapless::String::new();
            let _ = out.push_str("\r\n");
            if !answer.is_empty() {
                let _ = out.push_str(&answer);
                let _ = out.push_str("\r\n");
            }
            let _ = out.push_str("> ");
            if uart.write_all(out.as_bytes()).await.is_err() {
                return;
            }
        }
    }
}

fn text(s: &str) -> heapless::String<96> {
    let mut t = heapless::String::new();
    let _ = t.push_str(s);
    t
}

fn execute(command: Command<'_>, led: &mut impl OutputPin, led_on: &mut bool) -> heapless::String<96> {
    let mut reply = heapless::String::new();
    match command {
        Command::Help => {
            let _ = reply.push_str("commands: help, led on, led off, status, echo <text>");
        }
        Command::Led(on) => {
            *led_on = on;
            let _ = led.set_state(on.into());
            let _ = reply.push_str("ok");
        }
        Command::Status => {
            let state = if *led_on { "on" } else { "off" };
            let _ = write!(reply, "led={state} uptime={}ms", Instant::now().as_millis());
        }
        Command::Echo(t) => {
            let _ = write!(reply, "{t}");
        }
        Command::Nothing => {}
        Command::Unknown(what) => {
            let _ = write!(reply, "error: unknown command '{what}'");
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(parse(" led on "), Command::Led(true));
        assert_eq!(parse("echo a b"), Command::Echo("a b"));
        assert_eq!(parse("reboot"), Command::Unknown("reboot"));
        assert_eq!(parse(""), Command::Nothing);
    }
}
