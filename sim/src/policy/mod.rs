//! Scheduling policies: who runs next when several tasks (or interrupts) could.
//!
//! A policy is two small pieces:
//!
//! * a **run order** ([`Order`]) — the data structure that holds runnable tasks and says which
//!   one the real scheduler would run next: [`Order::Embassy`] (batches, LIFO within a batch),
//!   [`Order::MicroPython`] (one queue ordered by key and push sequence) or [`Order::Fifo`];
//! * a **chooser** — who answers each *choice point*, a moment where two or more tasks are
//!   runnable, or two or more interrupt sources fall due at the same instant. The default
//!   chooser always answers `0`, the run order's own pick; [`Policy::Random`], [`Policy::Pct`]
//!   and [`Policy::Replay`] answer otherwise.
//!
//! Every run counts its choice points. Whenever the chooser answers something other than `0`,
//! the run records a [`Deviation`]; the list of deviations is a [`Schedule`], enough to replay
//! the run bit for bit under [`Policy::Replay`]. A run under the default chooser records
//! nothing, so recording is free where it is not used.
//!
//! The exact rules each order reproduces, row by row, are in `shared/SEMANTICS.md` and in the
//! `conformance_*` tests; the rows with no Rust meaning are listed in [`Order`]'s docs.

mod choosers;
mod orders;

pub(crate) use choosers::Chooser;
pub(crate) use orders::{EmbassyStack, ReadyKey, RunQueue};

use serde::{Deserialize, Serialize};

/// The order in which a real scheduler runs ready tasks.
///
/// # `Embassy` (embassy-executor 0.10, default scheduler)
/// Woken tasks are pushed on a stack; each `poll()` detaches the whole stack and runs it from
/// the top, so within a batch the task woken **last runs first**, and tasks woken during a
/// batch (including self-wakes) wait for the next batch. A wake while already queued is
/// coalesced (`RUN_QUEUED`). Timers that expire together are woken in descending insertion
/// order, so they *run* in registration order.
///
/// # `MicroPython` (asyncio V3)
/// One queue ordered by `(key, push sequence)`. Keys are microseconds: "now" for a spawn or a
/// wake, the deadline for a sleeper, so after a blocking section tasks run in the order they
/// became due, ties in push order. A timer wake's key is the deadline with the sequence of the
/// request for it (as each asyncio sleep pushes its key when it is asked for). A task woken
/// while already queued keeps its earlier entry; the later wake's place is remembered, and if
/// the task wakes itself during its next poll it resumes there rather than at the tail (in
/// asyncio that wake would have queued another task, such as a `wait_for`'s awaitable, whose
/// turn the self-wake stands for). Interrupt wakes join at the next loop step with key = now
/// (like `ThreadSafeFlag`). `CONFORMANCE.md` describes how this is checked against the real
/// interpreter.
///
/// Rows of the conformance table that have no Rust meaning: the exception handler and
/// "Task exception wasn't retrieved" (a Rust task returns a value or panics, and fwsim reports
/// a panic at once, with the task's name); `OverflowError` on `sleep_ms(2**29)` (embassy
/// durations are u64 ticks); tasks surviving `asyncio.run` (a [`Sim`](crate::Sim) keeps its
/// tasks between `run_*` calls, which is the same thing).
///
/// # `Fifo`
/// Plain first-in first-out; expired timers in registration order. A neutral baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Order {
    /// embassy-executor's batch/LIFO order (the default).
    #[default]
    Embassy,
    /// MicroPython asyncio V3's (key, push sequence) order.
    MicroPython,
    /// First in, first out.
    Fifo,
}

/// How a simulation answers its choice points.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Policy {
    /// embassy-executor's order ([`Order::Embassy`]); the default.
    #[default]
    Embassy,
    /// MicroPython asyncio's order ([`Order::MicroPython`]).
    MicroPython,
    /// First in, first out ([`Order::Fifo`]).
    Fifo,
    /// Any runnable task may run next, uniformly at random from `seed` (over a FIFO run queue).
    Random {
        /// Seed of the choice stream.
        seed: u64,
    },
    /// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010) over a FIFO run
    /// queue: random task priorities and `depth - 1` priority change points, placed among the
    /// first [`SimConfig::pct_horizon`](crate::SimConfig) choice points. `depth` counts choice
    /// points, not polls. Finds any bug of depth `d` with probability at least `1/(n·k^(d-1))`.
    Pct {
        /// Seed of the priorities and change points.
        seed: u64,
        /// Bug depth to target (≥ 1).
        depth: u32,
    },
    /// Replays a recorded [`Schedule`]; diverging from it is a
    /// [`ReplayDiverged`](crate::Diagnostic::ReplayDiverged) error.
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
}

/// One answer that differed from the run order's default at a choice point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// Which choice point (0-based count of choice points in the run).
    pub choice: u64,
    /// The alternative taken (`1..options`; `0` is the default and is never recorded).
    pub alternative: u32,
    /// How many options there were; replay checks it.
    pub options: u32,
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
