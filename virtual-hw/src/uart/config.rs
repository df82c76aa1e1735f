//! A UART's configuration and line errors.

use super::*;

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

/// Where a read reports a line error, relative to the bytes received before it.
///
/// Either way the bytes kept are the same; what differs is whether firmware can tell where in
/// the stream the error sits. See the [module docs](super#where-an-overruns-gap-is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorOrder {
    /// The next read returns the error, then the bytes received before it: a driver that
    /// checks the status flags before the data it has. The error says "something was lost
    /// since the last read", not where.
    First,
    /// Reads return the bytes received before the error, then the error, then what came
    /// after it: embassy-rp's `BufferedUart`, which stops filling its ring at a byte with an
    /// error and reports the error once the ring is drained. The gap sits exactly where the
    /// error is read.
    InStream,
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
    /// Where reads report line errors.
    pub errors: ErrorOrder,
}

impl UartConfig {
    /// 8N1 at `baud`, unbuffered, 32-byte FIFOs, errors reported first.
    pub fn new(baud: u32) -> Self {
        UartConfig {
            baud,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: StopBits::One,
            rx: RxMode::Unbuffered,
            rx_fifo: 32,
            tx_fifo: 32,
            errors: ErrorOrder::First,
        }
    }

    /// With line errors reported at `order` (default [`ErrorOrder::First`]).
    pub fn errors(mut self, order: ErrorOrder) -> Self {
        self.errors = order;
        self
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

    pub(super) fn line_compatible(&self, other: &UartConfig) -> bool {
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
