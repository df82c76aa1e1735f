//! A fuzz campaign's explorer, lent to one execution at a time.
//!
//! A campaign runs its executions one after another, so its explorer needs no lock: it is
//! moved into the execution's simulation when the body starts and moved back out when the
//! body ends, and between executions the campaign reads its state (PCT's horizon, whether DFS
//! is exhausted) directly. A [`SharedExplorer`](super::SharedExplorer) would take a lock at
//! every choice point.

use super::realizable::keeps_run_order;
use super::{ChoicePoint, Dfs, Diverged, Explorer, Pct, Random};

/// The explorer a campaign owns. (With an explicit tag: every choice point checks which one
/// it is, and a tag is one compare where a niche in a field needs a decode.)
#[derive(Debug)]
#[repr(u8)]
pub(crate) enum Lent {
    /// Uniformly random answers.
    Random(Random),
    /// PCT with a learnt horizon.
    Pct(Pct),
    /// Bounded depth-first search.
    Dfs(Dfs),
}

/// A campaign's explorer, limited to the realizable choices when asked.
#[derive(Debug)]
pub(crate) struct LentExplorer {
    /// The explorer.
    pub(crate) explorer: Lent,
    /// Whether only realizable choices are explored (see [`super::Realizable`]).
    pub(crate) realizable: bool,
    /// Whether the executions it answers record their deviations (see `Choices::record`).
    pub(crate) record: bool,
}

impl LentExplorer {
    /// The answer to a choice of `n` tasks, if it does not depend on which tasks they are:
    /// the random explorer's, exploring any order (a realizable campaign leaves choices of
    /// tasks to the run order, in `choose`).
    #[inline(always)]
    pub(crate) fn choose_blind(&mut self, n: usize) -> Option<usize> {
        match &mut self.explorer {
            Lent::Random(e) if !self.realizable => Some(e.choose_among(n)),
            _ => None,
        }
    }

    /// The random explorer's state, from which it gives the same answers again: a campaign
    /// that keeps it before an execution can re-run that execution (`None` for the others,
    /// whose answers also depend on what earlier executions met).
    pub(crate) fn random_state(&self) -> Option<Random> {
        match &self.explorer {
            Lent::Random(e) => Some(e.clone()),
            _ => None,
        }
    }

    /// PCT's horizon as learnt so far.
    pub(crate) fn pct_horizon(&self) -> Option<u64> {
        match &self.explorer {
            Lent::Pct(e) => Some(e.horizon()),
            _ => None,
        }
    }

    /// Whether DFS has run every schedule within its bound.
    pub(crate) fn exhausted(&self) -> bool {
        matches!(&self.explorer, Lent::Dfs(e) if e.is_exhausted())
    }
}

impl Explorer for LentExplorer {
    // Every method matches on the explorer: each explorer's method is then a direct call
    // (inlined into the choice point, for `choose`), not a second call through `dyn Explorer`.
    fn begin_execution(&mut self) {
        match &mut self.explorer {
            Lent::Random(e) => e.begin_execution(),
            Lent::Pct(e) => e.begin_execution(),
            Lent::Dfs(e) => e.begin_execution(),
        }
    }

    #[inline(always)]
    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        if self.realizable && keeps_run_order(point) {
            return Ok(0);
        }
        match &mut self.explorer {
            Lent::Random(e) => e.choose(point),
            Lent::Pct(e) => e.choose(point),
            Lent::Dfs(e) => e.choose(point),
        }
    }

    fn end_execution(&mut self, choice_points: u64) {
        match &mut self.explorer {
            Lent::Random(e) => e.end_execution(choice_points),
            Lent::Pct(e) => e.end_execution(choice_points),
            Lent::Dfs(e) => e.end_execution(choice_points),
        }
    }
}
