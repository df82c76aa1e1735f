//! Shrinking a failing schedule to few deviations.
//!
//! Deviations name their choice point by [`Anchor`](crate::explore::Anchor) and their choice
//! by task id, so removing one leaves the meaning of the others: a candidate is the schedule
//! with some deviations removed. It is kept only if it replays exactly (no divergence, every
//! deviation met) and fails the same way (the same [signature](super::Fault::signature)); the
//! kept schedule is the one the replay recorded, so the next round starts from a schedule that
//! is exactly a run.
//!
//! The loop is delta debugging (Zeller): remove halves, then quarters… then single
//! deviations, until no single removal keeps the failure. The result is *1-minimal*: no one
//! deviation can go. It may still not be the fewest: a schedule with other deviations
//! altogether can fail the same way. So a second phase searches: a depth-first search at
//! bound 0, 1… below the current count, within a budget of executions, for the same failure;
//! what it finds is shrunk again. When every lower bound was searched to exhaustion, the
//! result is *proved* minimal ([`Shrunk::proved_minimal`]).
//!
//! Anything that runs under an explorer can be shrunk: a test body (what [`Fuzz`](super::Fuzz)
//! does) or a whole scenario (what `fwsim fuzz` does) — see [`Target`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::explore::{Dfs, Replay, SharedExplorer};
use crate::policy::Schedule;

/// What a shrinker runs: the failing program, once per call, with `explorer` answering its
/// choice points.
pub trait Target {
    /// Runs once; reports the schedule taken, the failure's signature (`None`: it passed) and
    /// whether a replayed schedule diverged.
    fn run(&mut self, explorer: SharedExplorer) -> Attempt;
}

/// One run of a [`Target`].
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The deviations it took. Only a failing run's are read: a passing run may leave them
    /// empty.
    pub schedule: Schedule,
    /// The failure's signature; `None` if it passed.
    pub failure: Option<String>,
    /// A replayed schedule did not fit the run.
    pub diverged: bool,
}

/// The smallest failing schedule found.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The schedule.
    pub schedule: Schedule,
    /// Runs spent.
    pub runs: u64,
    /// Depth-first search showed that no schedule with fewer deviations fails the same way.
    pub proved_minimal: bool,
}

/// Executions the search phase may spend, in all.
const SEARCH_BUDGET: u64 = 20_000;

struct Shrinker<'a, T> {
    target: &'a mut T,
    signature: String,
    runs: u64,
}

impl<T: Target> Shrinker<'_, T> {
    /// Replays `candidate`: the schedule it ran, if it fails the same way.
    fn attempt(&mut self, candidate: &Schedule) -> Option<Schedule> {
        self.runs += 1;
        let replay = Arc::new(Mutex::new(Replay::new(candidate)));
        let attempt = self.target.run(replay.clone());
        let unmet = replay.lock().unwrap_or_else(|p| p.into_inner()).unmet();
        let same = attempt.failure.as_deref() == Some(self.signature.as_str());
        (same && !attempt.diverged && unmet == 0).then_some(attempt.schedule)
    }

    /// Removes deviations while the failure stays (see the module docs).
    fn remove(&mut self, mut best: Schedule, deadline: Instant) -> Schedule {
        let mut chunk = (best.deviations.len() / 2).max(1);
        while !best.deviations.is_empty() {
            let mut progressed = false;
            let mut from = 0;
            while from < best.deviations.len() {
                if Instant::now() >= deadline {
                    return best;
                }
                let mut candidate = best.clone();
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
    fn search(&mut self, bound: u32, budget: &mut u64, deadline: Instant) -> Result<Schedule, bool> {
        let dfs = Arc::new(Mutex::new(Dfs::new(bound)));
        while *budget > 0 && Instant::now() < deadline {
            *budget -= 1;
            self.runs += 1;
            let attempt = self.target.run(dfs.clone());
            if !attempt.diverged && attempt.failure.as_deref() == Some(self.signature.as_str()) {
                return Ok(attempt.schedule);
            }
            if dfs.lock().unwrap_or_else(|p| p.into_inner()).is_exhausted() {
                return Err(true);
            }
        }
        Err(false)
    }
}

/// Shrinks `schedule`, on which `target` fails with `signature`, for at most `limit` of
/// wall-clock time.
pub fn shrink<T: Target>(target: &mut T, schedule: Schedule, signature: &str, limit: Duration) -> Shrunk {
    let deadline = Instant::now() + limit;
    let mut shrinker = Shrinker { target, signature: signature.to_owned(), runs: 0 };
    let mut best = shrinker.remove(schedule, deadline);
    let mut budget = SEARCH_BUDGET;
    // Bounds are searched upwards, so a failure found at bound b comes after every lower bound
    // was exhausted: it is the minimum.
    let mut proved_minimal = true;
    for bound in 0..best.deviations.len() as u32 {
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
    Shrunk { schedule: best, runs: shrinker.runs, proved_minimal }
}
