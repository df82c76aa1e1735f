//! An NEC infrared remote decoder: the toolkit's `nec_ir`.
//!
//! An IR receiver module's output idles high and goes low for each burst of carrier. The
//! decoder timestamps every edge of it (its own task, woken by the pin's edge interrupt), and
//! decodes a block of edges once 73 ms (80 ms with extended addresses, as in the toolkit) have
//! passed since the first: longer than any NEC frame (about 68 ms), shorter than the 108 ms
//! from a frame's start to a held key's first repeat code.
//!
//! The thresholds are the toolkit's, deliberately loose: a leading burst over 4 ms, a space
//! over 3 ms for a frame or over 1.7 ms for a repeat code, a bit's space over 1.12 ms for a 1.
//!
//! A frame is 68 edges: a 9 ms burst, a 4.5 ms space, 32 bits (a 562.5 µs burst, then a
//! 562.5 µs space for 0 or 1687.5 µs for 1, least significant first) and a closing burst. The
//! bytes are the address and its complement, the command and its complement; a 16-bit
//! *extended* address takes both address bytes. A repeat code is 4 edges: a 9 ms burst, a
//! 2.25 ms space and a burst.

use embassy_futures::select::{Either, select};
use embassy_time::{Duration, Instant, Timer};
use embedded_hal::digital::InputPin;
use embedded_hal_async::digital::Wait;

/// How long after the first edge a block is decoded (with extended addresses: 80 ms).
pub const NEC_BLOCK: Duration = Duration::from_millis(73);
/// [`NEC_BLOCK`] with extended addresses, whose transmitters the toolkit allows more slack.
pub const NEC_BLOCK_EXTENDED: Duration = Duration::from_millis(80);

/// Edges of a whole frame.
const FRAME_EDGES: usize = 68;

/// What a block decoded to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NecEvent {
    /// A key: its address (8-bit, or 16-bit when extended) and command.
    Key {
        /// The address.
        address: u16,
        /// The command.
        command: u8,
    },
    /// A key is still held: the last key's address (0 before any key).
    Repeat {
        /// The address of the last key decoded.
        address: u16,
    },
}

/// Why a block did not decode (the toolkit's error codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NecError {
    /// The leading burst was not a 9 ms one (4 ms or shorter), or the space after it was too
    /// short for a frame or a repeat code.
    BadStart,
    /// A frame's header with fewer than a frame's 68 edges.
    BadBlock,
    /// A repeat code's header with other than a repeat code's 4 edges.
    BadRepeat,
    /// More edges than a frame has: noise, or two frames run together.
    Overrun,
    /// The command and its complement disagree.
    BadData,
    /// The address and its complement disagree, and extended addresses are off.
    BadAddress,
}

/// The decoder's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NecDecoder {
    /// Accept 16-bit addresses (the second address byte is not the first's complement).
    pub extended: bool,
}

impl NecDecoder {
    /// Decodes one block of edge times (µs from its first edge); `last_address` is the last
    /// key's, which a repeat code reports.
    pub fn decode(&self, edges: &[u64], last_address: u16) -> Result<NecEvent, NecError> {
        if edges.len() > FRAME_EDGES {
            return Err(NecError::Overrun);
        }
        if edges.len() < 2 || edges[1] - edges[0] <= 4_000 {
            return Err(NecError::BadStart);
        }
        let Some(&after) = edges.get(2) else { return Err(NecError::BadBlock) };
        let space = after - edges[1];
        if space <= 1_700 {
            return Err(NecError::BadStart);
        }
        if space <= 3_000 {
            return if edges.len() == 4 {
                Ok(NecEvent::Repeat { address: last_address })
            } else {
                Err(NecError::BadRepeat)
            };
        }
        if edges.len() < FRAME_EDGES {
            return Err(NecError::BadBlock);
        }
        let mut bits = 0u32;
        for i in 0..32 {
            // Bit i's space runs from the end of its burst to the start of the next burst.
            if edges[4 + 2 * i] - edges[3 + 2 * i] > 1_120 {
                bits |= 1 << i;
            }
        }
        let [a0, a1, command, check] = bits.to_le_bytes();
        let address = match (a0 == !a1, self.extended) {
            (true, _) => u16::from(a0),
            (false, true) => u16::from_le_bytes([a0, a1]),
            (false, false) => return Err(NecError::BadAddress),
        };
        if command != !check {
            return Err(NecError::BadData);
        }
        Ok(NecEvent::Key { address, command })
    }

    /// Decodes the receiver's output on `pin` for ever, calling `on_event` with each block's
    /// result.
    pub async fn run<P: Wait + InputPin>(&self, mut pin: P, mut on_event: impl FnMut(Result<NecEvent, NecError>)) -> ! {
        let mut edges: heapless::Vec<u64, { FRAME_EDGES + 1 }> = heapless::Vec::new();
        let mut last_address = 0;
        let block = if self.extended { NEC_BLOCK_EXTENDED } else { NEC_BLOCK };
        loop {
            edges.clear();
            if pin.wait_for_falling_edge().await.is_err() {
                // A pin that cannot wait cannot decode; try again a block later.
                Timer::after(NEC_BLOCK).await;
                continue;
            }
            let start = Instant::now();
            let _ = edges.push(0);
            let mut overrun = false;
            let end = start + block;
            while let Either::First(_) = select(pin.wait_for_any_edge(), Timer::at(end)).await {
                overrun |= edges.push((Instant::now() - start).as_micros()).is_err();
            }
            let result = if overrun { Err(NecError::Overrun) } else { self.decode(&edges, last_address) };
            if let Ok(NecEvent::Key { address, .. }) = result {
                last_address = address;
            }
            on_event(result);
        }
    }
}
