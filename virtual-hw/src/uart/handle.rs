//! [`Uart`], the firmware's handle, and [`UartMonitor`], the test's view of its counters.

use super::*;

/// A UART. Implements `embedded_io_async::{Read, Write}` and blocking `embedded_io::{Read,
/// Write, ReadReady, WriteReady}`. See the [module docs](super).
pub struct Uart {
    pub(super) board: Board,
    pub(super) id: usize,
}

/// A UART's counters, readable by the test while the firmware owns the [`Uart`]
/// ([`Uart::monitor`]).
#[derive(Clone)]
pub struct UartMonitor {
    pub(super) board: Board,
    pub(super) id: usize,
}

impl UartMonitor {
    /// Bytes lost to overrun so far.
    pub fn overruns(&self) -> u64 {
        self.board.inner.borrow().uarts.all[self.id].overruns
    }

    /// Bytes lost because an unbuffered read was dropped after receiving them.
    pub fn lost_on_cancel(&self) -> u64 {
        self.board.inner.borrow().uarts.all[self.id].lost_on_cancel
    }

    /// The UART's name.
    pub fn name(&self) -> String {
        self.board.inner.borrow().uarts.all[self.id].name.clone()
    }
}

impl Uart {
    /// The interrupt its sent and received bytes are delivered on.
    pub fn irq(&self) -> Irq {
        self.board.inner.borrow().uarts.all[self.id].irq
    }

    /// The UART's name.
    pub fn name(&self) -> String {
        self.board.inner.borrow().uarts.all[self.id].name.clone()
    }

    /// The configuration.
    pub fn config(&self) -> UartConfig {
        self.board.inner.borrow().uarts.all[self.id].cfg
    }

    /// Connects this UART to a scripted peer (the other end of the cable) and returns it.
    pub fn peer(&self) -> UartPeer {
        self.board.borrow().uarts.all[self.id].link = Link::Peer;
        UartPeer { board: self.board.clone(), id: self.id }
    }

    /// A handle that keeps reading this UART's counters after the `Uart` itself has moved
    /// into the firmware.
    ///
    /// ```
    /// use fwsim_hw::{Board, uart::UartConfig};
    /// fwsim::test(|sim| {
    ///     let board = Board::new();
    ///     let uart = board.uart("GPS", UartConfig::new(9600));
    ///     let monitor = uart.monitor();
    ///     sim.spawn("firmware", async move { let _uart = uart; /* … */ });
    ///     sim.run_for(fwsim::ms(10)).unwrap();
    ///     assert_eq!(monitor.overruns(), 0);
    /// });
    /// ```
    pub fn monitor(&self) -> UartMonitor {
        UartMonitor { board: self.board.clone(), id: self.id }
    }

    /// Bytes lost to overrun so far.
    pub fn overruns(&self) -> u64 {
        self.board.inner.borrow().uarts.all[self.id].overruns
    }

    /// Bytes lost because an unbuffered read was dropped after receiving them.
    pub fn lost_on_cancel(&self) -> u64 {
        self.board.inner.borrow().uarts.all[self.id].lost_on_cancel
    }

    /// Queues as many bytes of `buf` as the TX FIFO takes now; 0 if it is full.
    pub(super) fn try_write(&self, buf: &[u8]) -> usize {
        let now = fwsim::now().as_nanos();
        let mut board = self.board.borrow();
        let u = &mut board.uarts.all[self.id];
        let mut ends = Vec::new();
        let epoch = u.tx_epoch;
        // One byte at a time: a byte that starts at once goes straight to the shift
        // register and takes no FIFO place.
        for &byte in buf {
            if u.tx_space(now) == 0 {
                break;
            }
            if u.tx_last_end <= now {
                // The line is idle: a new stream starts now.
                u.tx_anchor = now;
                u.tx_index = 0;
            }
            let start = if u.tx_index == 0 { u.tx_anchor } else { u.cfg.byte_end(u.tx_anchor, u.tx_index - 1) };
            let end = u.cfg.byte_end(u.tx_anchor, u.tx_index);
            u.tx_index += 1;
            u.tx_last_end = end;
            if start > now {
                u.tx_queued_starts.push_back(start);
            }
            ends.push((end, byte));
        }
        let n = ends.len();
        drop(board);
        for (end, byte) in ends {
            let board = self.board.clone();
            let id = self.id;
            fwsim::isr::schedule(SimTime(end), board.uart_irq(id), move || board.uart_sent(id, byte, epoch));
        }
        n
    }

    pub(super) fn flushed(&self) -> bool {
        self.board.inner.borrow().uarts.all[self.id].tx_last_end <= fwsim::now().as_nanos()
    }

    pub(super) fn try_read(&self, buf: &mut [u8]) -> Option<Result<usize, UartError>> {
        let mut board = self.board.borrow();
        board.uarts.all[self.id].read_now(buf)
    }

    pub(super) fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<Result<usize, UartError>> {
        if let Some(r) = self.try_read(buf) {
            return Poll::Ready(r);
        }
        let mut board = self.board.borrow();
        let u = &mut board.uarts.all[self.id];
        u.armed = buf.len();
        u.rx_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    pub(super) fn disarm(&self) {
        let mut board = self.board.borrow();
        let u = &mut board.uarts.all[self.id];
        u.armed = 0;
        u.lost_on_cancel += u.dma.len() as u64;
        u.dma.clear();
        u.rx_waker = None;
    }

    pub(super) fn frame_ns(&self) -> u64 {
        let cfg = self.config();
        bit_time_ns(cfg.frame_bits(), cfg.baud as u64)
    }
}
