//! Explorers: who answers a simulation's choice points.
//!
//! A *choice point* is a moment where a real scheduler could do one of several things: two or
//! more tasks are runnable (the [run order](crate::order) lists them, its own pick first), or
//! two or more interrupt sources fall due at the same instant (listed by priority). With no
//! explorer every choice point takes option 0, exactly what the real scheduler does, and costs
//! nothing but a counter. An [`Explorer`] answers them otherwise, to find the schedules in
//! which firmware breaks.
//!
//! An explorer is one small trait in the spirit of shuttle's `Scheduler`: it hears when an
//! execution begins and ends, and answers each choice point given its number, its kind and
//! its options. It lives outside any one [`Sim`](crate::Sim) — in an `Arc<Mutex<_>>` that the
//! configuration shares ([`SimConfig::explorer`](crate::SimConfig::explorer)) — so it keeps
//! state across executions: a depth-first search's stack, counters, a learnt horizon. The
//! built-in ones are [`Random`], [`Pct`], [`Dfs`], [`Replay`] and [`Stream`], one file each; any explorer works
//! over any order.
//!
//! Every answer other than 0 is recorded as a [`Deviation`](crate::Deviation); the list of
//! them is the run's [`Schedule`](crate::Schedule), which [`Replay`] reproduces bit for bit.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use fwsim::explore::{ChoicePoint, Diverged, Explorer};
//! use fwsim::{Order, Sim, SimConfig};
//!
//! /// Always runs the last candidate, and counts the choice points it has seen.
//! #[derive(Default)]
//! struct Contrarian {
//!     seen: u64,
//! }
//!
//! impl Explorer for Contrarian {
//!     fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
//!         self.seen += 1;
//!         Ok(point.options() - 1)
//!     }
//! }
//!
//! let explorer = Arc::new(Mutex::new(Contrarian::default()));
//! for _ in 0..2 {
//!     let log = std::cell::RefCell::new(Vec::new());
//!     let sim = Sim::with_config(SimConfig::new().order(Order::Fifo).explorer(explorer.clone()));
//!     for name in ["a", "b", "c"] {
//!         let log = &log;
//!         sim.spawn(name, async move { log.borrow_mut().push(name) });
//!     }
//!     sim.run_until_stalled().unwrap();
//!     assert_eq!(*log.borrow(), ["c", "b", "a"]);
//! }
//! assert_eq!(explorer.lock().unwrap().seen, 4, "two choice points per execution, both kept");
//! ```

mod dfs;
mod lent;
mod pct;
mod random;
mod realizable;
mod replay;
mod stream;

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

pub use dfs::Dfs;
pub(crate) use lent::{Lent, LentExplorer};
pub use pct::Pct;
pub use random::Random;
pub use realizable::Realizable;
pub use replay::Replay;
pub use stream::Stream;

use crate::sim::TaskId;

/// What a choice point chooses between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChoiceKind<'a> {
    /// Which runnable task runs next: their ids, the run order's own pick first.
    Tasks(&'a [TaskId]),
    /// Which of this many interrupt sources due at the same instant runs first, in
    /// `(priority, number)` order.
    Events(usize),
    /// Which of this many timers expiring at the same instant wakes its task next, the timer
    /// queue's own order first. On a board their deadlines, computed from `now()` as the
    /// tasks ran, differ by the tasks' execution times, or fall in one tick: either may fire
    /// first.
    Timers(usize),
    /// How late a scheduled interrupt arrives: option `k` of `n` is `k/(n-1)` of the
    /// configured jitter ([`SimConfig::isr_jitter`](crate::SimConfig::isr_jitter)); 0 is on time.
    Jitter(usize),
    /// An interrupt falls due as tasks are about to be polled
    /// ([`SimConfig::isr_preemption`](crate::SimConfig::isr_preemption)): it runs before the
    /// polls (0), or arrives while they run (1), to land at the end of one of their critical
    /// sections or of a poll ([`Landing`](Self::Landing)).
    IntoPolls,
    /// An interrupt moved into this instant's polls may land here, where a critical section or
    /// a poll just ended: here (0), or later (1). It never lands later than the last poll at
    /// its instant.
    Landing,
}

/// Where a choice point falls, in terms that keep their meaning when the schedule changes
/// elsewhere: just after the `picks`-th time task `after` was picked to run (`None`: before
/// any task ran), the `index`-th choice point met there (0, unless simultaneous interrupts
/// were ordered there first).
///
/// A choice point's *number* counts every choice point before it, so removing one deviation
/// from a schedule renumbers the choice points after it; an anchor names a task's own
/// progress, which does not move. Every poll is preceded by exactly one pick, so an anchor
/// names at most one choice point of an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Anchor {
    /// The task picked last, by id.
    pub after: Option<TaskId>,
    /// How many times it had been picked, that pick included.
    pub picks: u64,
    /// Choice points met since that pick.
    pub index: u32,
}

/// One choice point of an execution.
#[derive(Clone, Copy, Debug)]
pub struct ChoicePoint<'a> {
    /// Its number: choice points of an execution count from 0.
    pub number: u64,
    /// Where it falls, stably: see [`Anchor`].
    pub anchor: Anchor,
    /// What it chooses between.
    pub kind: ChoiceKind<'a>,
    /// For a choice of tasks: the task that just yielded (was woken again during its poll and
    /// returned `Pending`, as after `yield_now`), if the poll before this choice point did. A
    /// priority-based explorer sends it to the back, or a task that yields in a loop until
    /// another runs would never let that one run.
    pub yielded: Option<TaskId>,
}

impl ChoicePoint<'_> {
    /// How many options there are (at least 2); option 0 is the real scheduler's.
    pub fn options(&self) -> usize {
        match self.kind {
            ChoiceKind::Tasks(ids) => ids.len(),
            ChoiceKind::Events(n) | ChoiceKind::Timers(n) | ChoiceKind::Jitter(n) => n,
            ChoiceKind::IntoPolls | ChoiceKind::Landing => 2,
        }
    }
}

/// A schedule being replayed does not fit the execution: this choice point has another
/// number of options than the recorded one. The simulation reports it as
/// [`ReplayDiverged`](crate::Diagnostic::ReplayDiverged) and takes option 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Diverged {
    /// The choice point.
    pub choice: u64,
    /// The options recorded.
    pub expected_options: u32,
    /// The options found.
    pub found_options: u32,
}

/// Answers choice points. See the [module docs](self).
pub trait Explorer: Send {
    /// An execution begins: a simulation configured with this explorer was built.
    fn begin_execution(&mut self) {}
    /// Answers a choice point with an option below [`ChoicePoint::options`]; 0 is what the
    /// real scheduler does. An answer out of range is taken as 0.
    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged>;
    /// The execution ended (its simulation shut down) after `choice_points` choice points.
    fn end_execution(&mut self, choice_points: u64) {
        let _ = choice_points;
    }
}

/// An explorer shared by the executions of a configuration.
pub type SharedExplorer = Arc<Mutex<dyn Explorer>>;

/// A simulation's explorer: none (the real scheduler's answers), its own, or a shared one.
pub(crate) enum ExplorerSlot {
    None,
    Own(Box<dyn Explorer>),
    Shared(SharedExplorer),
    /// A fuzz campaign's explorer, for the length of one execution (see `lent`).
    Lent(Box<LentExplorer>),
}

impl ExplorerSlot {
    #[inline(always)]
    pub(crate) fn is_none(&self) -> bool {
        matches!(self, ExplorerSlot::None)
    }

    fn with<R>(&mut self, f: impl FnOnce(&mut dyn Explorer) -> R) -> Option<R> {
        match self {
            ExplorerSlot::None => None,
            ExplorerSlot::Own(e) => Some(f(&mut **e)),
            ExplorerSlot::Shared(e) => Some(f(&mut *e.lock().unwrap_or_else(|p| p.into_inner()))),
            ExplorerSlot::Lent(e) => Some(f(&mut **e)),
        }
    }

    // An empty slot returns inline, before any call or `with`'s dispatch: a fuzz execution
    // ends its lent explorer and then the empty slot, and one indirect jump alternating
    // between the two targets was mispredicted every time.
    #[inline]
    pub(crate) fn begin(&mut self) {
        if !self.is_none() {
            self.begin_some();
        }
    }

    #[inline(never)]
    fn begin_some(&mut self) {
        self.with(|e| e.begin_execution());
    }

    #[inline]
    pub(crate) fn end(&mut self, choice_points: u64) {
        if !self.is_none() {
            self.end_some(choice_points);
        }
    }

    #[inline(never)]
    fn end_some(&mut self, choice_points: u64) {
        match self {
            // A fuzz campaign's, once per execution: a direct call.
            ExplorerSlot::Lent(e) => e.end_execution(choice_points),
            other => _ = other.with(|e| e.end_execution(choice_points)),
        }
    }

    /// The answer to a choice of `n` tasks, if this explorer gives it without reading the
    /// candidates (a fuzz campaign's random explorer): the same answer `choose` would give,
    /// without the candidate list to build.
    #[inline(always)]
    pub(crate) fn choose_blind(&mut self, n: usize) -> Option<usize> {
        match self {
            ExplorerSlot::Lent(e) => e.choose_blind(n),
            _ => None,
        }
    }

    /// The answer to `point`, clamped into range; 0 with no explorer.
    #[inline(always)]
    pub(crate) fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        let answer = match self {
            // A fuzz campaign's explorer, the hot case: a direct call.
            ExplorerSlot::Lent(e) => e.choose(point),
            other => other.with(|e| e.choose(point)).unwrap_or(Ok(0)),
        };
        answer.map(|i| if i < point.options() { i } else { 0 })
    }
}
