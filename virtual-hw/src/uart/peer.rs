//! [`UartPeer`]: the test's end of the line, and links between UARTs.

use super::*;

/// The far end of a UART's cable, played by the test: sends bytes and line errors at given
/// times, and keeps what the firmware sent.
#[derive(Clone)]
pub struct UartPeer {
    pub(super) board: Board,
    pub(super) id: usize,
}

impl UartPeer {
    /// Sends `bytes` back to back at the UART's configured rate, starting at `at` (or when
    /// the peer's previous transmission ends, if later). Returns when the last byte will
    /// have arrived.
    pub fn send_at(&self, at: SimTime, bytes: &[u8]) -> SimTime {
        let (cfg, start) = {
            let mut board = self.board.borrow();
            let u = &mut board.uarts.all[self.id];
            let start = at.as_nanos().max(u.peer_line_end);
            let end = u.cfg.byte_end(start, bytes.len().saturating_sub(1) as u64);
            if !bytes.is_empty() {
                u.peer_line_end = end;
            }
            (u.cfg, start)
        };
        for (k, &byte) in bytes.iter().enumerate() {
            let t = SimTime(cfg.byte_end(start, k as u64));
            let board = self.board.clone();
            let id = self.id;
            fwsim::isr::schedule(t, board.uart_irq(id), move || board.uart_receive(id, Ok(byte)));
        }
        SimTime(self.board.inner.borrow().uarts.all[self.id].peer_line_end)
    }

    /// A line error reaches the receiver at `at`.
    pub fn error_at(&self, at: SimTime, error: UartError) {
        let board = self.board.clone();
        let id = self.id;
        fwsim::isr::schedule(at, board.uart_irq(id), move || board.uart_receive(id, Err(error)));
    }

    /// Every byte the firmware has sent so far (the latest ones, when a limit is set), with the
    /// time its stop bit ended.
    pub fn received(&self) -> Vec<(SimTime, u8)> {
        self.board.inner.borrow().uarts.all[self.id].peer_received.clone()
    }

    /// How many bytes the firmware has sent so far, dropped ones included: the index the next
    /// byte will have.
    pub fn received_count(&self) -> u64 {
        let b = self.board.inner.borrow();
        let u = &b.uarts.all[self.id];
        u.peer_dropped + u.peer_received.len() as u64
    }

    /// The bytes kept whose index (counting every byte ever received from 0) is `from` or
    /// later — what arrived since a [`received_count`](Self::received_count), without copying
    /// the rest.
    pub fn received_since(&self, from: u64) -> Vec<(SimTime, u8)> {
        let b = self.board.inner.borrow();
        let u = &b.uarts.all[self.id];
        let skip = from.saturating_sub(u.peer_dropped).min(u.peer_received.len() as u64) as usize;
        u.peer_received[skip..].to_vec()
    }

    /// How many of the earliest received bytes were dropped (see
    /// [`set_received_limit`](Self::set_received_limit)).
    pub fn dropped(&self) -> u64 {
        self.board.inner.borrow().uarts.all[self.id].peer_dropped
    }

    /// Keeps only about the latest `limit` received bytes (between `limit` and 1.25 ×
    /// `limit`), so that a long run stays in bounded memory; `None` (the default) keeps all.
    pub fn set_received_limit(&self, limit: Option<usize>) {
        self.board.borrow().uarts.all[self.id].peer_limit = limit.map(|l| l.max(1));
    }

    /// The bytes the firmware has sent so far, without times.
    pub fn received_bytes(&self) -> Vec<u8> {
        self.received().into_iter().map(|(_, b)| b).collect()
    }
}

impl Board {
    /// Empties every UART's receive side (FIFO, DMA buffer, pending line error): power lost.
    pub(crate) fn uart_power_cycle(&self) {
        for u in self.borrow().uarts.all.iter_mut() {
            u.empty_receiver();
        }
    }
}
