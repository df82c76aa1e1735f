//! Probabilistic Concurrency Testing.

use super::{ChoiceKind, ChoicePoint, Diverged, Explorer};
use crate::rng::SimRng;

/// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): random task priorities
/// and `depth - 1` priority change points placed among the first `horizon` choice points;
/// `depth` counts choice points, not polls. A task that yields
/// ([`ChoicePoint::yielded`](super::ChoicePoint::yielded)) drops to the lowest priority, as
/// shuttle's PCT does: cooperative code yields to let others run. It finds any bug of depth `d` with probability at
/// least `1/(n·k^(d-1))`, where `k` is the horizon. Each execution draws new priorities and
/// change points from the stream; simultaneous interrupts are ordered at random.
///
/// The horizon must be about the run's length in choice points: a horizon far longer puts
/// the change points past the end and PCT degenerates to depth 1. [`Pct::adaptive`] learns
/// it, as shuttle does: the longest execution seen so far.
#[derive(Debug)]
pub struct Pct {
    rng: SimRng,
    depth: u32,
    horizon: u64,
    adaptive: bool,
    /// Each task's priority, by serial; 0 for a task not met yet in this execution.
    priority: Vec<u64>,
    /// Choice numbers at which the highest-priority candidate is demoted, ascending.
    change_points: Vec<u64>,
    demotions: u64,
    executions: u64,
}

impl Pct {
    /// PCT of `depth` over `horizon` choice points, from `seed`.
    pub fn new(seed: u64, depth: u32, horizon: u64) -> Self {
        let mut pct = Pct {
            rng: SimRng::new(seed),
            depth,
            horizon,
            adaptive: false,
            priority: Vec::new(),
            change_points: Vec::new(),
            demotions: 0,
            executions: 0,
        };
        pct.draw();
        pct
    }

    /// PCT of `depth` whose horizon is the most choice points any execution so far met (the
    /// first execution, with none seen, runs the run order's own schedule).
    pub fn adaptive(seed: u64, depth: u32) -> Self {
        let mut pct = Pct::new(seed, depth, 0);
        pct.adaptive = true;
        pct.change_points.clear();
        pct
    }

    /// The horizon the current execution's change points were drawn over.
    pub fn horizon(&self) -> u64 {
        self.horizon
    }

    fn draw(&mut self) {
        self.priority.clear();
        self.demotions = 0;
        let horizon = self.horizon.max(1);
        self.change_points = if self.adaptive && self.horizon == 0 {
            Vec::new()
        } else {
            (1..self.depth.max(1)).map(|_| self.rng.below(horizon)).collect()
        };
        self.change_points.sort_unstable();
    }
}

impl Explorer for Pct {
    fn begin_execution(&mut self) {
        // The first execution uses the draw made by `new`, so that a PCT seed alone replays it.
        if self.executions > 0 {
            self.draw();
        }
        self.executions += 1;
    }

    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        let ids = match point.kind {
            ChoiceKind::Tasks(ids) => ids,
            ChoiceKind::Events(_)
            | ChoiceKind::Timers(_)
            | ChoiceKind::Jitter(_)
            | ChoiceKind::IntoPolls
            | ChoiceKind::Landing => {
                return Ok(self.rng.below(point.options() as u64) as usize);
            }
        };
        for id in ids {
            let i = id.0 as usize;
            if self.priority.len() <= i {
                self.priority.resize(i + 1, 0);
            }
            if self.priority[i] == 0 {
                // Initial priorities live above every demoted one (which count down from
                // depth), so a demotion always sends the task to the back.
                self.priority[i] = self.rng.next_u64() | (1 << 63);
            }
        }
        // A task that just yielded goes to the back, as if it had lowered its own priority:
        // otherwise a task yielding in a loop until another one runs never lets it.
        if let Some(y) = point.yielded
            && ids.contains(&y)
        {
            self.demotions += 1;
            self.priority[y.0 as usize] = (1 << 32) - self.demotions;
        }
        let best = |pr: &[u64]| {
            (0..ids.len()).max_by_key(|&i| (pr[ids[i].0 as usize], std::cmp::Reverse(i))).expect("options ≥ 2")
        };
        while self.change_points.first() == Some(&point.number) {
            self.change_points.remove(0);
            let top = best(&self.priority);
            self.demotions += 1;
            self.priority[ids[top].0 as usize] = (1 << 32) - self.demotions;
        }
        Ok(best(&self.priority))
    }

    fn end_execution(&mut self, choice_points: u64) {
        if self.adaptive {
            self.horizon = self.horizon.max(choice_points);
        }
    }
}
