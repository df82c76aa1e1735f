//! Policies: the usual pairs of a [run order](crate::order) and an
//! [explorer](crate::explore), by name.
//!
//! A simulation's scheduling has two independent parts: the **run order** (which runnable
//! task the real scheduler would poll next: embassy's batches, MicroPython's keyed queue, a
//! FIFO) and the **explorer** (who answers the choice points: nobody, so the real scheduler's
//! pick, or a random stream, PCT, a replayed schedule). [`Policy`] names the common pairs;
//! [`SimConfig::order`](crate::SimConfig::order) and
//! [`SimConfig::explorer`](crate::SimConfig::explorer) set either part on its own, and any
//! explorer works over any order.
//!
//! Every run counts its choice points. Whenever the explorer answers something other than
//! `0`, the run records a [`Deviation`]; the list of deviations is a [`Schedule`], enough to
//! replay the run bit for bit under [`Policy::Replay`]. A run with no explorer records
//! nothing, so recording is free where it is not used.

use serde::{Deserialize, Serialize};

use crate::explore::{self, ExplorerSlot};
use crate::order::Order;

/// A run order and an explorer, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Policy {
    /// embassy-executor's order ([`Order::Embassy`]), no explorer; the default.
    #[default]
    Embassy,
    /// MicroPython asyncio's order ([`Order::MicroPython`]), no explorer.
    MicroPython,
    /// First in, first out ([`Order::Fifo`]), no explorer.
    Fifo,
    /// The [`Random`](crate::explore::Random) explorer from `seed` over a FIFO run queue: any
    /// runnable task may run next.
    Random {
        /// Seed of the choice stream.
        seed: u64,
    },
    /// The [`Pct`](crate::explore::Pct) explorer over a FIFO run queue. The three numbers
    /// determine the run: a PCT failure replays from its policy alone.
    Pct {
        /// Seed of the priorities and change points.
        seed: u64,
        /// Bug depth to target (≥ 1).
        depth: u32,
        /// How many choice points the change points are spread over. Choose about the
        /// number of choice points a run has (`sim.choice_points()` after one run): a horizon
        /// far longer than the run puts the change points past its end, and PCT degenerates
        /// to depth 1.
        horizon: u64,
    },
    /// The [`Replay`](crate::explore::Replay) explorer over the schedule's own order;
    /// diverging from it is a [`ReplayDiverged`](crate::Diagnostic::ReplayDiverged) error.
    Replay(Schedule),
}

impl Policy {
    /// The run order this policy uses.
    pub fn order(&self) -> Order {
        match self {
            Policy::Embassy => Order::Embassy,
            Policy::MicroPython => Order::MicroPython,
            Policy::Fifo | Policy::Random { .. } | Policy::Pct { .. } => Order::Fifo,
            Policy::Replay(s) => s.order,
        }
    }

    /// Whether this policy has an explorer (its [`explorer`](Self::explorer) is not empty).
    #[inline]
    pub(crate) fn has_explorer(&self) -> bool {
        !matches!(self, Policy::Embassy | Policy::MicroPython | Policy::Fifo)
    }

    /// A fresh explorer for one simulation under this policy.
    pub(crate) fn explorer(&self) -> ExplorerSlot {
        match self {
            Policy::Embassy | Policy::MicroPython | Policy::Fifo => ExplorerSlot::None,
            Policy::Random { seed } => ExplorerSlot::Own(Box::new(explore::Random::new(*seed))),
            Policy::Pct { seed, depth, horizon } => {
                ExplorerSlot::Own(Box::new(explore::Pct::new(*seed, *depth, *horizon)))
            }
            Policy::Replay(schedule) => ExplorerSlot::Own(Box::new(explore::Replay::new(schedule))),
        }
    }
}

/// One answer that differed from the run order's default at a choice point.
///
/// A recorded deviation names its choice point twice: by number, and by its
/// [`Anchor`](crate::explore::Anchor), and what it chose twice: by position among the
/// candidates, and (for a task choice) by the task's id. Replay uses the anchor and the task
/// when they are present: they keep their meaning when another deviation is removed, which a
/// position in a renumbered queue does not, so a schedule shrinks one deviation at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// Which choice point (0-based count of choice points in the run).
    pub choice: u64,
    /// The alternative taken (`1..options`; `0` is the default and is never recorded).
    pub alternative: u32,
    /// How many options there were; replay checks it.
    pub options: u32,
    /// Where the choice point falls, stably (absent in hand-written schedules: then replay
    /// goes by `choice` and `alternative`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<crate::explore::Anchor>,
    /// The task run, for a choice between tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<crate::TaskId>,
}

impl Deviation {
    /// A deviation by choice number and position only (as a hand-written schedule has).
    pub fn at(choice: u64, alternative: u32, options: u32) -> Self {
        Deviation { choice, alternative, options, anchor: None, task: None }
    }
}

/// A run's schedule: its run order and the sparse list of deviations from that order.
///
/// Serialisable (JSON, TOML) so that a failing schedule can be saved and replayed. Shrinking a
/// schedule means removing deviations or lowering their alternatives: every such variant is
/// still a valid schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The run order the deviations apply to.
    pub order: Order,
    /// The deviations, by increasing choice number.
    pub deviations: Vec<Deviation>,
}

impl Schedule {
    /// Variants one step smaller: each deviation removed, and each alternative set to 1.
    pub fn shrink_candidates(&self) -> Vec<Schedule> {
        let mut out = Vec::new();
        for i in 0..self.deviations.len() {
            let mut s = self.clone();
            s.deviations.remove(i);
            out.push(s);
        }
        for i in 0..self.deviations.len() {
            if self.deviations[i].alternative > 1 {
                let mut s = self.clone();
                s.deviations[i].alternative = 1;
                out.push(s);
            }
        }
        out
    }
}
