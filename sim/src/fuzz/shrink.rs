//! Shrinking a failing schedule to few deviations.
//!
//! Deviations name their choice point by [`Anchor`](crate::explore::Anchor) and their choice
//! by task id, so removing one leaves the meaning of the others: a candidate is the schedule
//! with some deviations removed. It is kept only if it replays exactly (no divergence, every
//! deviation met) and fails the same way ([`Fault::signature`]); the kept schedule is the one
//! the replay recorded, so the next round starts from a schedule that is exactly a run.
//!
//! The loop is delta debugging (Zeller): remove halves, then quarters… then single
//! deviations, until no single removal keeps the failure. The result is *1-minimal*: no one
//! deviation can go. It may still not be the fewest: a schedule with other deviations
//! altogether can fail the same way. So a second phase searches: a depth-first search at
//! bound 0, 1… below the current count, within a budget of executions, for the same failure;
//! what it finds is shrunk again. When every lower bound was searched to exhaustion, the
//! result is *proved* minimal ([`Shrunk::proved_minimal`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Fault;
use super::execute::execute;
use crate::config::SimConfig;
use crate::explore::{Dfs, Replay};
use crate::policy::Schedule;
use crate::sim::Sim;

/// The smallest failing schedule found.
pub(super) struct Shrunk {
    pub(super) schedule: Schedule,
    pub(super) fault: Fault,
    pub(super) runs: u64,
    /// Depth-first search showed that no schedule with fewer deviations fails the same way.
    pub(super) proved_minimal: bool,
}

/// Executions the search phase may spend, in all.
const SEARCH_BUDGET: u64 = 20_000;

struct Shrinker<'a, F> {
    base: &'a SimConfig,
    body: &'a F,
    target: String,
    runs: u64,
}

impl<F> Shrinker<'_, F>
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    /// Replays `candidate`: the schedule it ran and its fault, if it fails the same way.
    fn attempt(&mut self, candidate: &Schedule) -> Option<(Schedule, Fault)> {
        self.runs += 1;
        let replay = Arc::new(Mutex::new(Replay::new(candidate)));
        let exec = execute(&self.base.clone().explorer(replay.clone()), self.body, None);
        let unmet = replay.lock().unwrap_or_else(|p| p.into_inner()).unmet();
        if exec.diverged || unmet > 0 {
            return None;
        }
        let fault = exec.fault?;
        (fault.signature() == self.target).then_some((exec.schedule, fault))
    }

    /// Removes deviations while the failure stays (see the module docs).
    fn remove(&mut self, mut best: (Schedule, Fault), deadline: Instant) -> (Schedule, Fault) {
        let mut chunk = (best.0.deviations.len() / 2).max(1);
        while !best.0.deviations.is_empty() {
            let mut progressed = false;
            let mut from = 0;
            while from < best.0.deviations.len() {
                if Instant::now() >= deadline {
                    return best;
                }
                let mut candidate = best.0.clone();
                let to = (from + chunk).min(candidate.deviations.len());
                candidate.deviations.drain(from..to);
                match self.attempt(&candidate) {
                    Some(found) => {
                        best = found;
                        progressed = true;
                    }
                    None => from += chunk,
                }
            }
            if chunk > 1 {
                chunk = (chunk / 2).max(1);
            } else if !progressed {
                break;
            }
        }
        best
    }

    /// Searches every schedule with at most `bound` deviations (within `budget` executions)
    /// for the same failure. `Err(exhausted)` when none is found.
    fn search(&mut self, bound: u32, budget: &mut u64, deadline: Instant) -> Result<(Schedule, Fault), bool> {
        let dfs = Arc::new(Mutex::new(Dfs::new(bound)));
        let config = self.base.clone().explorer(dfs.clone());
        while *budget > 0 && Instant::now() < deadline {
            *budget -= 1;
            self.runs += 1;
            let exec = execute(&config, self.body, None);
            if let Some(fault) = exec.fault.filter(|f| !exec.diverged && f.signature() == self.target) {
                return Ok((exec.schedule, fault));
            }
            if dfs.lock().unwrap_or_else(|p| p.into_inner()).is_exhausted() {
                return Err(true);
            }
        }
        Err(false)
    }
}

/// Shrinks `schedule`, which fails with `fault` under `base`'s order, for at most `limit` of
/// wall-clock time.
pub(super) fn shrink<F>(base: &SimConfig, body: &F, schedule: Schedule, fault: Fault, limit: Duration) -> Shrunk
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let deadline = Instant::now() + limit;
    let mut shrinker = Shrinker { base, body, target: fault.signature(), runs: 0 };
    let mut best = shrinker.remove((schedule, fault), deadline);
    let mut budget = SEARCH_BUDGET;
    // Bounds are searched upwards, so a failure found at bound b comes after every lower bound
    // was exhausted: it is the minimum.
    let mut proved_minimal = true;
    for bound in 0..best.0.deviations.len() as u32 {
        match shrinker.search(bound, &mut budget, deadline) {
            Ok(found) => {
                best = shrinker.remove(found, deadline);
                break;
            }
            Err(true) => {}
            Err(false) => {
                proved_minimal = false;
                break;
            }
        }
    }
    let (schedule, fault) = best;
    Shrunk { schedule, fault, runs: shrinker.runs, proved_minimal }
}
