//! A UART whose input is scripted and whose output lines are marks.

use core::convert::Infallible;

use crate::{Marks, now_us, until};

/// Input: each `(µs, bytes)` of `input` arrives whole at its time (a sender typing faster than
/// the app reads); after the last, reads wait for ever. Output: every byte goes on to `tx`
/// (the board's real transmitter), and each line — up to `\n`, without its `\r` — is marked
/// as `"uart <line>"`.
pub struct ScriptedUart<'a, M, T> {
    marks: &'a M,
    tx: T,
    input: &'a [(u64, &'a [u8])],
    next: usize,
    taken: usize,
    line: heapless::Vec<u8, 96>,
}

impl<'a, M: Marks, T: embedded_io::Write> ScriptedUart<'a, M, T> {
    /// A UART that receives `input` and transmits on `tx`, marking on `marks`.
    pub fn new(marks: &'a M, tx: T, input: &'a [(u64, &'a [u8])]) -> Self {
        ScriptedUart { marks, tx, input, next: 0, taken: 0, line: heapless::Vec::new() }
    }

    fn mark_line(&mut self) {
        let mut text: heapless::String<104> = heapless::String::new();
        let _ = text.push_str("uart ");
        let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
        let _ = text.push_str(core::str::from_utf8(line).unwrap_or("<not text>"));
        self.marks.mark(&text);
        self.line.clear();
    }
}

impl<M, T: embedded_io::ErrorType> embedded_io::ErrorType for ScriptedUart<'_, M, T> {
    type Error = T::Error;
}

impl<M: Marks, T: embedded_io::Write> embedded_io_async::Read for ScriptedUart<'_, M, T> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        let Some(&(at, bytes)) = self.input.get(self.next) else {
            return core::future::pending().await;
        };
        if now_us() < at {
            until(at).await;
        }
        let n = buf.len().min(bytes.len() - self.taken);
        buf[..n].copy_from_slice(&bytes[self.taken..self.taken + n]);
        self.taken += n;
        if self.taken == bytes.len() {
            (self.next, self.taken) = (self.next + 1, 0);
        }
        Ok(n)
    }
}

impl<M: Marks, T: embedded_io::Write> embedded_io_async::Write for ScriptedUart<'_, M, T> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, T::Error> {
        self.tx.write_all(buf)?;
        for &b in buf {
            if b == b'\n' {
                self.mark_line();
            } else if let Err(b) = self.line.push(b) {
                // A line longer than the buffer is marked in pieces, no byte lost.
                self.mark_line();
                let _ = self.line.push(b);
            }
        }
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), T::Error> {
        self.tx.flush()
    }
}

/// A transmitter wired to nothing (the simulator's side of a [`ScriptedUart`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTx;

impl embedded_io::ErrorType for NoTx {
    type Error = Infallible;
}

impl embedded_io::Write for NoTx {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
