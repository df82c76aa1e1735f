//! [`NecRemote`]: an infrared remote control as an IR receiver module's output sees it.
//!
//! A receiver module (TSOP-style) demodulates the 38 kHz carrier: its output idles high and is
//! low while a burst is received. The NEC protocol sends a 9 ms burst and a 4.5 ms space,
//! then 32 bits least significant first — each a 562.5 µs burst and a 562.5 µs (0) or
//! 1687.5 µs (1) space — and a final burst. The bytes are the address and its complement (or,
//! extended, a 16-bit address), the command and its complement. Holding a key sends a repeat
//! code: a 9 ms burst, a 2.25 ms space and a burst, every 110 ms.

use std::cell::RefCell;

use fwsim::SimTime;
use fwsim::rng::SimRng;

use crate::{Level, Pin};

/// Half a bit: one burst, and a 0's space (ns).
const UNIT_NS: u64 = 562_500;

/// An infrared remote control (NEC protocol) as an IR receiver module's output sees it: idle
/// high, low during each 38 kHz burst. A frame is a 9 ms burst, a 4.5 ms space, 32 bits least
/// significant first (a 562.5 µs burst, then a 562.5 µs space for 0 or 1687.5 µs for 1: the
/// address and its complement, or a 16-bit address, then the command and its complement) and a
/// closing burst; a held key repeats a 9 ms burst, a 2.25 ms space and a burst.
pub struct NecRemote {
    pin: Pin,
    jitter_ns: u64,
    rng: RefCell<SimRng>,
}

impl NecRemote {
    /// A remote whose receiver output is `pin` (driven high, idle, from now on).
    pub fn new(pin: &Pin) -> Self {
        pin.drive(Some(Level::High));
        let seed = fwsim::SimHandle::try_current().map_or(0, |h| h.seed());
        NecRemote { pin: pin.handle(), jitter_ns: 0, rng: RefCell::new(SimRng::new(seed ^ 0x004E_4543)) }
    }

    /// Moves every edge later by up to `max` (drawn from the simulation's seed): a receiver's
    /// and a remote's timing slack.
    pub fn with_jitter(mut self, max: std::time::Duration) -> Self {
        self.jitter_ns = max.as_nanos() as u64;
        self
    }

    fn jitter(&self) -> u64 {
        if self.jitter_ns == 0 { 0 } else { self.rng.borrow_mut().below(self.jitter_ns + 1) }
    }

    /// Schedules bursts: `(burst_ns, space_ns)` pairs from `at`, each edge jittered.
    fn bursts(&self, at: SimTime, pairs: impl IntoIterator<Item = (u64, u64)>) {
        let mut t = at.as_nanos();
        for (burst, space) in pairs {
            self.pin.drive_at(SimTime(t + self.jitter()), Some(Level::Low));
            t += burst;
            self.pin.drive_at(SimTime(t + self.jitter()), Some(Level::High));
            t += space;
        }
    }

    /// Sends the four bytes of a frame as they are, from `at` (for malformed frames).
    pub fn send_bytes_at(&self, at: SimTime, bytes: [u8; 4]) {
        let bits = u32::from_le_bytes(bytes);
        let header = [(16 * UNIT_NS, 8 * UNIT_NS)];
        let data = (0..32).map(|i| (UNIT_NS, if bits >> i & 1 == 1 { 3 * UNIT_NS } else { UNIT_NS }));
        self.bursts(at, header.into_iter().chain(data).chain([(UNIT_NS, 0)]));
    }

    /// Sends `command` to `address` from `at`: an 8-bit address with its complement, or a
    /// 16-bit (extended) one when it does not fit in 8 bits.
    pub fn send_at(&self, at: SimTime, address: u16, command: u8) {
        let [lo, hi] = address.to_le_bytes();
        let address_bytes = if address <= 0xFF { [lo, !lo] } else { [lo, hi] };
        self.send_bytes_at(at, [address_bytes[0], address_bytes[1], command, !command]);
    }

    /// Sends a repeat code (a key held) from `at`.
    pub fn repeat_at(&self, at: SimTime) {
        self.bursts(at, [(16 * UNIT_NS, 4 * UNIT_NS), (UNIT_NS, 0)]);
    }

    /// A stray pulse of `width` from `at` (sunlight, a lamp): noise the decoder must reject.
    pub fn glitch_at(&self, at: SimTime, width: std::time::Duration) {
        self.bursts(at, [(width.as_nanos() as u64, 0)]);
    }
}
