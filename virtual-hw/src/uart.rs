//! UART: exact byte timing, a receive FIFO that overruns, line errors, and peers.
//!
//! ## Timing
//!
//! A frame is a start bit, the data bits, an optional parity bit and the stop bits: 10 bits
//! at 8N1. Bytes written back to back form a *stream*; byte `k` of a stream that began at
//! `t0` ends at `t0 + round((k+1) · frame_bits · 10⁹ / baud)` ns, so one 9600 8N1 byte takes
//! 1,041,667 ns and 9,600 bytes take exactly 10 s. Decoded bytes are stamped (in the
//! [signal record](crate::signal) and at the receiver) when their last stop bit ends.
//!
//! * `write` returns as soon as at least one byte is in the 32-byte TX FIFO (waiting while
//!   it is full); `flush` returns when the last stop bit has left the pin.
//! * `read` returns the bytes received so far (at least one), waiting if there are none.
//!
//! ## Receiving: unbuffered and buffered
//!
//! [`RxMode::Unbuffered`] is a bare peripheral: a read *arms* DMA for up to its buffer's
//! length; bytes arriving while no read is armed queue in the 32-byte hardware FIFO, and the
//! 33rd is lost: **overrun**, the classic "bytes lost between reads" bug of a task that
//! does something else between reads. [`RxMode::Buffered`] is an interrupt-driven ring
//! (embassy's `BufferedUart`): bytes are kept until the ring is full.
//!
//! A line error ([`UartError`]: overrun, framing, parity, noise, break) is reported **once**,
//! by the next read, which returns it instead of data; the read after that returns the data.
//!
//! **Where an overrun's gap is.** The FIFO keeps the bytes that arrived *before* it filled;
//! the ones lost are those that arrived while it was full. So the gap sits *after* the kept
//! bytes, although the error comes first: the read that returns `Overrun` is followed by the
//! kept bytes, and then by what arrived once there was room again — the missing bytes lie
//! between those two. ([`Uart::overruns`] counts them.)
//! A receiver whose baud rate or frame format differs from the sender's gets `Framing`
//! errors instead of bytes.
//!
//! ## Cancel safety
//!
//! * Dropping a `write` future before it returns writes nothing; after `write` returned,
//!   bytes in the TX FIFO go out whatever happens to the caller.
//! * Dropping an unbuffered `read` that has received bytes into its armed DMA buffer
//!   **loses those bytes**, as stopping a DMA transfer into a dropped buffer does on
//!   hardware. A buffered read loses nothing. Use buffered mode under `with_timeout`.
//! * Dropping a `flush` future has no effect on the line.
//!
//! ```
//! use embedded_io_async::{Read, Write};
//! use fwsim_hw::Board;
//! use fwsim_hw::uart::UartConfig;
//!
//! fwsim::test(|sim| {
//!     let board = Board::new();
//!     let mut uart = board.uart("UART1", UartConfig::new(9600));
//!     let peer = uart.peer();
//!     peer.send_at(fwsim::SimTime::from_millis(1), b"hi");
//!     let echo = sim.spawn("echo", async move {
//!         let mut buf = [0u8; 8];
//!         let n = uart.read(&mut buf).await.unwrap();
//!         uart.write_all(&buf[..n]).await.unwrap();
//!         uart.flush().await.unwrap();
//!         fwsim::now()
//!     });
//!     sim.run_for(fwsim::ms(10)).unwrap();
//!     // The first byte ends at 1 ms + 1,041,667 ns; the echo of it one frame later.
//!     assert_eq!(sim.join(echo).unwrap().as_nanos(), 1_000_000 + 2 * 1_041_667);
//! });
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::task::{Context, Poll, Waker};

use fwsim::{Irq, SimTime};

use crate::bit_time_ns;
use crate::board::Board;
use crate::signal::{SignalKind, Value};

/// The priority of UART interrupts.
pub const UART_IRQ_PRIORITY: u8 = 3;

/// Parity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parity {
    /// No parity bit.
    None,
    /// Even parity.
    Even,
    /// Odd parity.
    Odd,
}

/// Stop bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopBits {
    /// One.
    One,
    /// Two.
    Two,
}

/// How received bytes are kept until a read takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxMode {
    /// A bare peripheral: the hardware FIFO, plus the buffer of an armed read.
    Unbuffered,
    /// An interrupt fills a ring of this many bytes.
    Buffered(usize),
}

/// A UART's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UartConfig {
    /// Bits per second.
    pub baud: u32,
    /// Data bits per frame (5–9).
    pub data_bits: u8,
    /// Parity.
    pub parity: Parity,
    /// Stop bits.
    pub stop_bits: StopBits,
    /// Receive buffering.
    pub rx: RxMode,
    /// The hardware RX FIFO's depth.
    pub rx_fifo: usize,
    /// The hardware TX FIFO's depth.
    pub tx_fifo: usize,
}

impl UartConfig {
    /// 8N1 at `baud`, unbuffered, 32-byte FIFOs.
    pub fn new(baud: u32) -> Self {
        UartConfig {
            baud,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: StopBits::One,
            rx: RxMode::Unbuffered,
            rx_fifo: 32,
            tx_fifo: 32,
        }
    }

    /// With receive mode `rx`.
    pub fn rx(mut self, rx: RxMode) -> Self {
        self.rx = rx;
        self
    }

    /// With parity and stop bits.
    pub fn format(mut self, data_bits: u8, parity: Parity, stop_bits: StopBits) -> Self {
        assert!((5..=9).contains(&data_bits), "fwsim-hw: a UART frame has 5 to 9 data bits, not {data_bits}");
        self.data_bits = data_bits;
        self.parity = parity;
        self.stop_bits = stop_bits;
        self
    }

    /// Bits per frame: start + data + parity + stop.
    pub fn frame_bits(&self) -> u64 {
        let parity = if self.parity == Parity::None { 0 } else { 1 };
        let stop = if self.stop_bits == StopBits::One { 1 } else { 2 };
        1 + self.data_bits as u64 + parity + stop
    }

    /// When byte `index` (from 0) of a stream that began at `start` ends.
    pub fn byte_end(&self, start: u64, index: u64) -> u64 {
        start + bit_time_ns(self.frame_bits() * (index + 1), self.baud as u64)
    }

    fn line_compatible(&self, other: &UartConfig) -> bool {
        self.baud == other.baud
            && self.data_bits == other.data_bits
            && self.parity == other.parity
            && self.stop_bits == other.stop_bits
    }
}

/// A UART line error, reported once by the next read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UartError {
    /// A byte arrived with the receive FIFO (or ring) full and was lost.
    Overrun,
    /// A stop bit was not where it should be (wrong baud rate, wrong format).
    Framing,
    /// The parity bit did not match.
    Parity,
    /// The line was noisy inside a frame.
    Noise,
    /// The line was held low for longer than a frame.
    Break,
}

impl fmt::Display for UartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            UartError::Overrun => "receive overrun: a byte was lost",
            UartError::Framing => "framing error",
            UartError::Parity => "parity error",
            UartError::Noise => "noise on the line",
            UartError::Break => "break condition",
        };
        f.write_str(s)
    }
}

impl std::error::Error for UartError {}

impl embedded_io::Error for UartError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            UartError::Overrun => embedded_io::ErrorKind::Other,
            _ => embedded_io::ErrorKind::InvalidData,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    None,
    Uart(usize),
    Peer,
}

struct UartState {
    /// The UART's interrupt (bytes sent and received).
    irq: Irq,
    name: String,
    cfg: UartConfig,
    link: Link,
    tx_signal: usize,
    rx_signal: usize,
    // Transmit: the current stream's start and length, and the start times of the bytes
    // still waiting in the TX FIFO.
    tx_anchor: u64,
    tx_index: u64,
    tx_last_end: u64,
    tx_queued_starts: VecDeque<u64>,
    tx_waker: Option<Waker>,
    flush_waker: Option<Waker>,
    // Receive.
    fifo: VecDeque<u8>,
    armed: usize,
    dma: Vec<u8>,
    pending_error: Option<UartError>,
    rx_waker: Option<Waker>,
    overruns: u64,
    lost_on_cancel: u64,
    // A scripted peer's side.
    peer_line_end: u64,
    peer_received: Vec<(SimTime, u8)>,
}

impl UartState {
    fn fifo_cap(&self) -> usize {
        match self.cfg.rx {
            RxMode::Unbuffered => self.cfg.rx_fifo,
            RxMode::Buffered(n) => n,
        }
    }

    fn tx_space(&mut self, now: u64) -> usize {
        while self.tx_queued_starts.front().is_some_and(|&s| s <= now) {
            self.tx_queued_starts.pop_front();
        }
        self.cfg.tx_fifo - self.tx_queued_starts.len()
    }

    fn available(&self) -> usize {
        self.dma.len() + self.fifo.len()
    }

    fn take_into(&mut self, buf: &mut [u8]) -> usize {
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
    all: Vec<UartState>,
}

impl Board {
    /// A UART called `name` (signals `name.tx` and `name.rx`), not connected yet.
    pub fn uart(&self, name: &str, cfg: UartConfig) -> Uart {
        assert!(cfg.baud > 0 && cfg.tx_fifo > 0, "fwsim-hw: a UART needs a baud rate and a TX FIFO");
        let mut b = self.borrow();
        let b = &mut *b;
        let tx_signal = b.rec.add(&format!("{name}.tx"), SignalKind::Text);
        let rx_signal = b.rec.add(&format!("{name}.rx"), SignalKind::Text);
        let irq = b.allocate_irq(UART_IRQ_PRIORITY);
        b.uarts.all.push(UartState {
            irq,
            name: name.to_string(),
            cfg,
            link: Link::None,
            tx_signal,
            rx_signal,
            tx_anchor: 0,
            tx_index: 0,
            tx_last_end: 0,
            tx_queued_starts: VecDeque::new(),
            tx_waker: None,
            flush_waker: None,
            fifo: VecDeque::new(),
            armed: 0,
            dma: Vec::new(),
            pending_error: None,
            rx_waker: None,
            overruns: 0,
            lost_on_cancel: 0,
            peer_line_end: 0,
            peer_received: Vec::new(),
        });
        Uart { board: self.clone(), id: b.uarts.all.len() - 1 }
    }

    /// Crosses the TX and RX lines of two UARTs.
    pub fn connect_uarts(&self, a: &Uart, b: &Uart) {
        let mut board = self.borrow();
        board.uarts.all[a.id].link = Link::Uart(b.id);
        board.uarts.all[b.id].link = Link::Uart(a.id);
    }

    /// Byte `byte` (or a line error) reaches UART `to`'s receiver now; runs in its
    /// interrupt.
    fn uart_receive(&self, to: usize, byte: Result<u8, UartError>) {
        let waker = {
            let mut board = self.borrow();
            let b = &mut *board;
            let u = &mut b.uarts.all[to];
            let text = match byte {
                Ok(v) => format!("{v:#04x}"),
                Err(e) => format!("{e:?}"),
            };
            match byte {
                Err(e) => {
                    u.pending_error.get_or_insert(e);
                }
                Ok(v) => {
                    let dma_room = u.cfg.rx == RxMode::Unbuffered && u.dma.len() < u.armed;
                    if dma_room {
                        u.dma.push(v);
                    } else if u.fifo.len() < u.fifo_cap() {
                        u.fifo.push_back(v);
                    } else {
                        u.overruns += 1;
                        u.pending_error.get_or_insert(UartError::Overrun);
                    }
                }
            }
            let w = u.rx_waker.take();
            let signal = u.rx_signal;
            b.rec.record(signal, Value::Text(text));
            w
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn uart_irq(&self, id: usize) -> Irq {
        self.inner.borrow().uarts.all[id].irq
    }
}

/// A UART. Implements `embedded_io_async::{Read, Write}` and blocking `embedded_io::{Read,
/// Write, ReadReady, WriteReady}`. See the [module docs](self).
pub struct Uart {
    board: Board,
    id: usize,
}

/// A UART's counters, readable by the test while the firmware owns the [`Uart`]
/// ([`Uart::monitor`]).
#[derive(Clone)]
pub struct UartMonitor {
    board: Board,
    id: usize,
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
    fn try_write(&self, buf: &[u8]) -> usize {
        let now = fwsim::now().as_nanos();
        let mut board = self.board.borrow();
        let u = &mut board.uarts.all[self.id];
        let mut ends = Vec::new();
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
            fwsim::isr::schedule(SimTime(end), board.uart_irq(id), move || board.uart_sent(id, byte));
        }
        n
    }

    fn flushed(&self) -> bool {
        self.board.inner.borrow().uarts.all[self.id].tx_last_end <= fwsim::now().as_nanos()
    }

    fn try_read(&self, buf: &mut [u8]) -> Option<Result<usize, UartError>> {
        let mut board = self.board.borrow();
        let u = &mut board.uarts.all[self.id];
        if let Some(e) = u.pending_error.take() {
            return Some(Err(e));
        }
        if buf.is_empty() {
            return Some(Ok(0));
        }
        if u.available() > 0 {
            u.armed = 0;
            return Some(Ok(u.take_into(buf)));
        }
        None
    }

    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<Result<usize, UartError>> {
        if let Some(r) = self.try_read(buf) {
            return Poll::Ready(r);
        }
        let mut board = self.board.borrow();
        let u = &mut board.uarts.all[self.id];
        u.armed = buf.len();
        u.rx_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn disarm(&self) {
        let mut board = self.board.borrow();
        let u = &mut board.uarts.all[self.id];
        u.armed = 0;
        u.lost_on_cancel += u.dma.len() as u64;
        u.dma.clear();
        u.rx_waker = None;
    }

    fn frame_ns(&self) -> u64 {
        let cfg = self.config();
        bit_time_ns(cfg.frame_bits(), cfg.baud as u64)
    }
}

impl Board {
    /// UART `id`'s byte has left its TX pin: record it and hand it to the other end.
    fn uart_sent(&self, id: usize, byte: u8) {
        let (link, cfg, wakers) = {
            let mut board = self.borrow();
            let b = &mut *board;
            let u = &mut b.uarts.all[id];
            let wakers: Vec<Waker> = [u.tx_waker.take(), u.flush_waker.take()].into_iter().flatten().collect();
            let (link, cfg, signal) = (u.link, u.cfg, u.tx_signal);
            if link == Link::Peer {
                u.peer_received.push((fwsim::now(), byte));
            }
            b.rec.record(signal, Value::Text(format!("{byte:#04x}")));
            (link, cfg, wakers)
        };
        for w in wakers {
            w.wake();
        }
        if let Link::Uart(other) = link {
            let compatible = self.inner.borrow().uarts.all[other].cfg.line_compatible(&cfg);
            self.uart_receive(other, if compatible { Ok(byte) } else { Err(UartError::Framing) });
        }
    }
}

struct Disarm<'a>(&'a Uart, bool);

impl Drop for Disarm<'_> {
    fn drop(&mut self) {
        if self.1 {
            self.0.disarm();
        }
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = UartError;
}

impl embedded_io_async::Read for Uart {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        let mut guard = Disarm(self, true);
        let r = std::future::poll_fn(|cx| guard.0.poll_read(cx, buf)).await;
        guard.1 = false;
        r
    }
}

impl embedded_io_async::Write for Uart {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        std::future::poll_fn(|cx| {
            let n = self.try_write(buf);
            if n > 0 {
                return Poll::Ready(Ok(n));
            }
            self.board.borrow().uarts.all[self.id].tx_waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    async fn flush(&mut self) -> Result<(), UartError> {
        std::future::poll_fn(|cx| {
            if self.flushed() {
                return Poll::Ready(Ok(()));
            }
            self.board.borrow().uarts.all[self.id].flush_waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// How long a blocking read spins before the simulator calls it a hang.
pub const BLOCKING_READ_LIMIT: SimTime = SimTime::from_secs(3600);

impl embedded_io::Read for Uart {
    /// Spins (busy time) until a byte or an error arrives. A read that would spin for an
    /// hour of virtual time with nothing scheduled to arrive is reported (`BlockingReadHang`)
    /// and panics the task: on a board it would hang forever.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        let start = fwsim::now();
        let step = self.frame_ns();
        loop {
            if let Some(r) = self.try_read(buf) {
                return r;
            }
            if fwsim::now().as_nanos() - start.as_nanos() > BLOCKING_READ_LIMIT.as_nanos() {
                let name = self.name();
                fwsim::diag::report_hardware(
                    format!("uart {name}"),
                    "BlockingReadHang",
                    format!("a blocking read has waited since {start} and nothing arrived"),
                );
                panic!("fwsim-hw: blocking read on {name} would hang forever");
            }
            fwsim::busy_wait(std::time::Duration::from_nanos(step));
        }
    }
}

impl embedded_io::Write for Uart {
    /// Spins (busy time) while the TX FIFO is full.
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let n = self.try_write(buf);
            if n > 0 {
                return Ok(n);
            }
            fwsim::busy_wait(std::time::Duration::from_nanos(self.frame_ns()));
        }
    }

    /// Spins (busy time) until the last stop bit has left.
    fn flush(&mut self) -> Result<(), UartError> {
        let end = self.board.inner.borrow().uarts.all[self.id].tx_last_end;
        let now = fwsim::now().as_nanos();
        if end > now {
            fwsim::busy_wait(std::time::Duration::from_nanos(end - now));
        }
        Ok(())
    }
}

impl embedded_io::ReadReady for Uart {
    fn read_ready(&mut self) -> Result<bool, UartError> {
        let b = self.board.inner.borrow();
        let u = &b.uarts.all[self.id];
        Ok(u.available() > 0 || u.pending_error.is_some())
    }
}

impl embedded_io::WriteReady for Uart {
    fn write_ready(&mut self) -> Result<bool, UartError> {
        let now = fwsim::now().as_nanos();
        Ok(self.board.borrow().uarts.all[self.id].tx_space(now) > 0)
    }
}

/// The far end of a UART's cable, played by the test: sends bytes and line errors at given
/// times, and keeps what the firmware sent.
#[derive(Clone)]
pub struct UartPeer {
    board: Board,
    id: usize,
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

    /// Every byte the firmware has sent so far, with the time its stop bit ended.
    pub fn received(&self) -> Vec<(SimTime, u8)> {
        self.board.inner.borrow().uarts.all[self.id].peer_received.clone()
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
            u.fifo.clear();
            u.dma.clear();
            u.armed = 0;
            u.pending_error = None;
        }
    }
}
