//! The UART state a board keeps: configuration, link, FIFOs, counters.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    None,
    Uart(usize),
    Peer,
}

pub(super) struct UartState {
    /// The UART's interrupt (bytes sent and received).
    pub(super) irq: Irq,
    pub(super) name: String,
    pub(super) cfg: UartConfig,
    pub(super) link: Link,
    pub(super) tx_signal: usize,
    pub(super) rx_signal: usize,
    // Transmit: the current stream's start and length, and the start times of the bytes
    // still waiting in the TX FIFO.
    pub(super) tx_anchor: u64,
    pub(super) tx_index: u64,
    pub(super) tx_last_end: u64,
    pub(super) tx_queued_starts: VecDeque<u64>,
    /// Counts the transmitter's resets: a byte queued before the last one never leaves.
    pub(super) tx_epoch: u64,
    pub(super) tx_waker: Option<Waker>,
    pub(super) flush_waker: Option<Waker>,
    // Receive.
    pub(super) fifo: VecDeque<u8>,
    pub(super) armed: usize,
    pub(super) dma: Vec<u8>,
    pub(super) pending_error: Option<UartError>,
    /// With [`ErrorOrder::InStream`](super::ErrorOrder::InStream): how many received bytes
    /// precede the pending error.
    pub(super) bytes_before_error: usize,
    pub(super) rx_waker: Option<Waker>,
    pub(super) overruns: u64,
    pub(super) lost_on_cancel: u64,
    // A scripted peer's side.
    pub(super) peer_line_end: u64,
    pub(super) peer_received: Vec<(SimTime, u8)>,
    /// How many of the earliest received bytes were dropped to keep within `peer_limit`.
    pub(super) peer_dropped: u64,
    /// Keep at most about this many received bytes (`None`: all).
    pub(super) peer_limit: Option<usize>,
    /// A device model at the peer's end ([`UartPeer::attach`]).
    pub(super) device: Option<super::device::Attached>,
}

impl UartState {
    /// Stops the transmitter at `now` (the MCU reset): the byte on the wire and those in the
    /// TX FIFO are lost, and the line is idle.
    pub(super) fn stop_transmitter(&mut self, now: u64) {
        self.tx_epoch += 1;
        self.tx_queued_starts.clear();
        self.tx_last_end = self.tx_last_end.min(now);
        self.tx_index = 0;
        self.tx_waker = None;
        self.flush_waker = None;
    }

    /// Empties the receive side (FIFO, DMA buffer, pending line error): power lost, or the
    /// MCU reset.
    pub(super) fn empty_receiver(&mut self) {
        self.fifo.clear();
        self.dma.clear();
        self.armed = 0;
        self.pending_error = None;
        self.bytes_before_error = 0;
    }

    pub(super) fn fifo_cap(&self) -> usize {
        match self.cfg.rx {
            RxMode::Unbuffered => self.cfg.rx_fifo,
            RxMode::Buffered(n) => n,
        }
    }

    pub(super) fn tx_space(&mut self, now: u64) -> usize {
        while self.tx_queued_starts.front().is_some_and(|&s| s <= now) {
            self.tx_queued_starts.pop_front();
        }
        self.cfg.tx_fifo - self.tx_queued_starts.len()
    }

    pub(super) fn available(&self) -> usize {
        self.dma.len() + self.fifo.len()
    }

    /// A line error at this point of the received stream.
    pub(super) fn line_error(&mut self, e: UartError) {
        if self.pending_error.is_none() {
            self.pending_error = Some(e);
            self.bytes_before_error = self.available();
        }
    }

    /// The next read's result, if it has one now: the pending error where the configured
    /// [`ErrorOrder`](super::ErrorOrder) puts it, else the bytes received.
    pub(super) fn read_now(&mut self, buf: &mut [u8]) -> Option<Result<usize, UartError>> {
        let in_stream = self.cfg.errors == super::ErrorOrder::InStream;
        if self.pending_error.is_some() && (!in_stream || self.bytes_before_error == 0) {
            return self.pending_error.take().map(Err);
        }
        if buf.is_empty() {
            return Some(Ok(0));
        }
        if self.available() == 0 {
            return None;
        }
        self.armed = 0;
        let limit = if self.pending_error.is_some() { self.bytes_before_error.min(buf.len()) } else { buf.len() };
        let n = self.take_into(&mut buf[..limit]);
        self.bytes_before_error = self.bytes_before_error.saturating_sub(n);
        Some(Ok(n))
    }

    pub(super) fn take_into(&mut self, buf: &mut [u8]) -> usize {
        let from_dma = self.dma.len().min(buf.len());
        buf[..from_dma].copy_from_slice(&self.dma[..from_dma]);
        self.dma.drain(..from_dma);
        let mut n = from_dma;
        while n < buf.len() {
            let Some(b) = self.fifo.pop_front() else { break };
            buf[n] = b;
            n += 1;
        }
        n
    }
}

/// The UARTs of a board.
#[derive(Default)]
pub(crate) struct Uarts {
    pub(super) all: Vec<UartState>,
}
