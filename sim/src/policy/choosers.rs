//! Who answers a choice point: the run order itself, a seeded random stream, PCT, or a
//! recorded schedule. Each is a few dozen lines, like shuttle's schedulers.

use std::collections::BTreeMap;

use super::{Deviation, Policy, Schedule};
use crate::rng::SimRng;

/// A replayed schedule did not fit the run: the choice point's option count differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Diverged {
    pub choice: u64,
    pub expected_options: u32,
    pub found_options: u32,
}

#[derive(Debug)]
pub(crate) struct PctChooser {
    rng: SimRng,
    priority: BTreeMap<u32, u64>,
    /// Choice numbers at which the highest-priority candidate is demoted, ascending.
    change_points: Vec<u64>,
    demotions: u64,
}

impl PctChooser {
    fn new(seed: u64, depth: u32, horizon: u64) -> Self {
        let mut rng = SimRng::new(seed);
        let mut change_points: Vec<u64> = (1..depth.max(1)).map(|_| rng.below(horizon.max(1))).collect();
        change_points.sort_unstable();
        PctChooser { rng, priority: BTreeMap::new(), change_points, demotions: 0 }
    }

    fn choose(&mut self, number: u64, ids: &[u32]) -> usize {
        for id in ids {
            if !self.priority.contains_key(id) {
                // Initial priorities live above every demoted one (which count down from
                // depth), so a demotion always sends the task to the back.
                let p = self.rng.next_u64() | (1 << 63);
                self.priority.insert(*id, p);
            }
        }
        let best = |pr: &BTreeMap<u32, u64>| {
            (0..ids.len()).max_by_key(|&i| (pr[&ids[i]], std::cmp::Reverse(i))).expect("options ≥ 2")
        };
        while self.change_points.first() == Some(&number) {
            self.change_points.remove(0);
            let top = best(&self.priority);
            self.demotions += 1;
            self.priority.insert(ids[top], (1 << 32) - self.demotions);
        }
        best(&self.priority)
    }
}

#[derive(Debug)]
pub(crate) struct ReplayChooser {
    deviations: Vec<Deviation>,
    next: usize,
}

/// The chooser of a run. An enum, so that the default path is one predictable branch.
#[derive(Debug)]
pub(crate) enum Chooser {
    Default,
    Random(SimRng),
    Pct(PctChooser),
    Replay(ReplayChooser),
}

impl Chooser {
    pub(crate) fn new(policy: &Policy, pct_horizon: u64) -> Self {
        match policy {
            Policy::Embassy | Policy::MicroPython | Policy::Fifo => Chooser::Default,
            Policy::Random { seed } => Chooser::Random(SimRng::new(*seed)),
            Policy::Pct { seed, depth } => Chooser::Pct(PctChooser::new(*seed, *depth, pct_horizon)),
            Policy::Replay(Schedule { deviations, .. }) => {
                let mut deviations = deviations.clone();
                deviations.sort_by_key(|d| d.choice);
                Chooser::Replay(ReplayChooser { deviations, next: 0 })
            }
        }
    }

    #[inline]
    pub(crate) fn is_default(&self) -> bool {
        matches!(self, Chooser::Default)
    }

    /// Answers choice point `number` among the tasks `ids` (in the run order's preference).
    pub(crate) fn choose_task(&mut self, number: u64, ids: &[u32]) -> Result<usize, Diverged> {
        match self {
            Chooser::Pct(p) => Ok(p.choose(number, ids)),
            _ => self.choose_index(number, ids.len()),
        }
    }

    /// Answers choice point `number` among `options` interrupt sources due at one instant.
    pub(crate) fn choose_index(&mut self, number: u64, options: usize) -> Result<usize, Diverged> {
        match self {
            Chooser::Default => Ok(0),
            Chooser::Random(rng) => Ok(rng.below(options as u64) as usize),
            Chooser::Pct(p) => Ok(p.rng.below(options as u64) as usize),
            Chooser::Replay(r) => {
                let Some(d) = r.deviations.get(r.next) else { return Ok(0) };
                if d.choice != number {
                    return Ok(0);
                }
                r.next += 1;
                if d.options as usize != options || d.alternative as usize >= options {
                    return Err(Diverged {
                        choice: number,
                        expected_options: d.options,
                        found_options: options as u32,
                    });
                }
                Ok(d.alternative as usize)
            }
        }
    }
}
