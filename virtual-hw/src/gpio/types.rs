//! The public GPIO types: levels, pulls, drives, edges, bounce.

use super::*;

/// The priority of GPIO interrupts (lower runs first at one instant; the time driver is 0).
pub const GPIO_IRQ_PRIORITY: u8 = 2;

/// A digital level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Low.
    Low,
    /// High.
    High,
}

impl Level {
    /// The other level.
    pub fn flip(self) -> Level {
        match self {
            Level::Low => Level::High,
            Level::High => Level::Low,
        }
    }
    pub(super) fn logic(self) -> Logic {
        match self {
            Level::Low => Logic::Low,
            Level::High => Logic::High,
        }
    }
}

impl From<bool> for Level {
    fn from(high: bool) -> Self {
        if high { Level::High } else { Level::Low }
    }
}

/// A pin's internal pull resistor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pull {
    /// None.
    #[default]
    None,
    /// Pull-up.
    Up,
    /// Pull-down.
    Down,
}

/// How an output drives its pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// Drives both levels.
    PushPull,
    /// Drives low; releases the pin for high (a pull must hold it up).
    OpenDrain,
}

/// Which edges an interrupt handler wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// Low to high.
    Rising,
    /// High to low.
    Falling,
    /// Either.
    Any,
}

impl Edge {
    pub(super) fn matches(self, to: Level) -> bool {
        matches!((self, to), (Edge::Any, _) | (Edge::Rising, Level::High) | (Edge::Falling, Level::Low))
    }
}

/// Contact bounce: on each press or release the contact chatters a seeded number of times
/// within `window` before it settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounce {
    /// How long the chatter lasts.
    pub window: core::time::Duration,
    /// The most extra open/close pairs in one burst (at least one is drawn if non-zero).
    pub max_pairs: u32,
}
