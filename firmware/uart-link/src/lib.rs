//! # A half-duplex link between two boards
//!
//! The toolkit's `auart_hd` demo: a *master* board talks to a *device* board (an AT-command
//! modem, say) over a UART. The device never speaks unasked; asked anything, it answers with
//! [`RESPONSES`], one line every [`REPLY_GAP`]. The master cannot know how many lines a reply
//! has, so it takes the reply as complete once [`END_OF_REPLY`] passes without a line — a
//! [`DelayMs`] retriggered by each line, the toolkit's `Delay_ms` pattern.
//!
//! The master prints on its console what the toolkit documents:
//!
//! ```text
//! This test takes 10s to complete.
//!
//! Command sent: Run
//! Result is:
//! Line 1
//! Line 2
//! Line 3
//! Goodbye
//!
//! Timeout test.
//! Timed out waiting for result.
//! ```
//!
//! Each side is a plain `async fn` for its own board; fwsim runs the two on two executors of
//! one simulation, their UARTs crossed.

#![no_std]
#![warn(missing_docs)]

use core::cell::RefCell;

use embassy_futures::join::join;
use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Timer};
use embedded_io_async::{Read, Write};
use fwsim_primitives::DelayMs;

/// What the device answers, line by line.
pub const RESPONSES: [&str; 4] = ["Line 1", "Line 2", "Line 3", "Goodbye"];
/// The pause after each line of an answer (the device is slow, and the master copes).
pub const REPLY_GAP: Duration = Duration::from_millis(300);
/// How long the master waits after the last line before it takes the reply as complete.
pub const END_OF_REPLY: Duration = Duration::from_secs(4);

/// One line, without its line end.
pub type Line = heapless::String<32>;

/// Reads one line (up to `\n`, `\r` dropped, cut at 32 bytes); `None` if the UART fails.
async fn read_line<R: Read>(rx: &mut R) -> Option<Line> {
    let mut line = Line::new();
    loop {
        let mut byte = [0u8; 1];
        match rx.read(&mut byte).await {
            Ok(0) => continue,
            Ok(_) if byte[0] == b'\n' => return Some(line),
            Ok(_) if byte[0] == b'\r' => {}
            Ok(_) => {
                let _ = line.push(char::from(byte[0]));
            }
            Err(_) => return None,
        }
    }
}

async fn write_line<W: Write>(out: &mut W, text: &str) {
    let _ = out.write_all(text.as_bytes()).await;
    let _ = out.write_all(b"\r\n").await;
}

/// The device: answers every line it receives with [`RESPONSES`], for ever.
pub async fn device<R: Read, T: Write>(mut rx: R, mut tx: T) {
    while read_line(&mut rx).await.is_some() {
        for response in RESPONSES {
            write_line(&mut tx, response).await;
            Timer::after(REPLY_GAP).await;
        }
    }
}

/// The master: sends `Run`, prints the reply, then waits for a reply to nothing (the timeout
/// test), printing on `console` as the toolkit does. Returns when both are done.
pub async fn master<R: Read, T: Write, C: Write>(mut rx: R, mut tx: T, mut console: C) {
    let end_of_reply: DelayMs<NoopRawMutex> = DelayMs::new(END_OF_REPLY);
    let reply: RefCell<heapless::Vec<Line, 8>> = RefCell::new(heapless::Vec::new());
    let receiver = async {
        while let Some(line) = read_line(&mut rx).await {
            let _ = reply.borrow_mut().push(line);
            let _ = end_of_reply.trigger();
        }
    };
    let commands = async {
        write_line(&mut console, "This test takes 10s to complete.").await;
        for command in [Some("Run"), None] {
            write_line(&mut console, "").await;
            reply.borrow_mut().clear();
            match command {
                Some(command) => {
                    write_line(&mut tx, command).await;
                    let _ = console.write_all(b"Command sent: ").await;
                    write_line(&mut console, command).await;
                }
                None => write_line(&mut console, "Timeout test.").await,
            }
            end_of_reply.clear();
            let _ = end_of_reply.trigger();
            end_of_reply.wait().await;
            let lines = core::mem::take(&mut *reply.borrow_mut());
            if lines.is_empty() {
                write_line(&mut console, "Timed out waiting for result.").await;
            } else {
                write_line(&mut console, "Result is:").await;
                for line in &lines {
                    write_line(&mut console, line).await;
                }
            }
        }
    };
    select(commands, join(end_of_reply.run(|| {}), receiver)).await;
}
