//! An NEC infrared remote decoder: the toolkit's `nec_ir`.
//!
//! An IR receiver module's output idles high and goes low for each burst of carrier. The
//! decoder timestamps every edge of it (its own task, woken by the pin's edge interrupt), and
//! decodes a block of edges once 80 ms have passed since the first: longer than any NEC frame
//! (about 68 ms), shorter than the 110 ms between a held key's repeat codes.
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

/// How long after the first edge the block is decoded.
pub const NEC_BLOCK: Duration = Duration::from_millis(80);

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
    /// The last key is still held.
    Repeat,
}

/// Why a block did not decode (the toolkit's error codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NecError {
    /// The leading burst was not about 9 ms.
    BadStart,
    /// Not a frame's 68 edges, nor a repeat code's 4.
    BadBlock,
    /// A repeat code with no key before it.
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

/// `value` within `tolerance` percent of `nominal_us`.
fn near(value_us: u64, nominal_us: u64, tolerance: u64) -> bool {
    value_us.abs_diff(nominal_us) * 100 <= nominal_us * tolerance
}

impl NecDecoder {
    /// Decodes one block of edge times (µs); `had_key` says whether a key came before (for a
    /// repeat code).
    pub fn decode(&self, edges: &[u64], had_key: bool) -> Result<NecEvent, NecError> {
        if edges.len() > FRAME_EDGES {
            return Err(NecError::Overrun);
        }
        if edges.len() >= 2 && !near(edges[1] - edges[0], 9_000, 15) {
            return Err(NecError::BadStart);
        }
        if edges.len() < 4 {
            return Err(NecError::BadBlock);
        }
        let space = edges[2] - edges[1];
        if edges.len() == 4 && near(space, 2_250, 20) {
            return if had_key { Ok(NecEvent::Repeat) } else { Err(NecError::BadRepeat) };
        }
        if edges.len() != FRAME_EDGES || !near(space, 4_500, 15) {
            return Err(NecError::BadBlock);
        }
        let mut bits = 0u32;
        for i in 0..32 {
            // Bit i's space runs from the end of its burst to the start of the next burst.
            let space = edges[4 + 2 * i] - edges[3 + 2 * i];
            if space > 1_125 {
                bits |= 1 << i;
            }
        }
        let [a0, a1, command, check] = bits.to_le_bytes();
        if command != !check {
            return Err(NecError::BadData);
        }
        let address = match (a0 == !a1, self.extended) {
            (true, _) => u16::from(a0),
            (false, true) => u16::from_le_bytes([a0, a1]),
            (false, false) => return Err(NecError::BadAddress),
        };
        Ok(NecEvent::Key { address, command })
    }

    /// Decodes the receiver's output on `pin` for ever, calling `on_event` with each block's
    /// result.
    pub async fn run<P: Wait + InputPin>(&self, mut pin: P, mut on_event: impl FnMut(Result<NecEvent, NecError>)) -> ! {
        let mut edges: heapless::Vec<u64, { FRAME_EDGES + 1 }> = heapless::Vec::new();
        let mut had_key = false;
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
            let end = start + NEC_BLOCK;
            while let Either::First(_) = select(pin.wait_for_any_edge(), Timer::at(end)).await {
                overrun |= edges.push((Instant::now() - start).as_micros()).is_err();
            }
            let result = if overrun { Err(NecError::Overrun) } else { self.decode(&edges, had_key) };
            match result {
                Ok(NecEvent::Key { .. }) => had_key = true,
                Ok(NecEvent::Repeat) => {}
                Err(_) => had_key = false,
            }
            on_event(result);
        }
    }
}
