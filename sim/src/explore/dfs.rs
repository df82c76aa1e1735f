//! The bounded exhaustive explorer.

use super::{ChoicePoint, Diverged, Explorer};

/// Depth-first search over every schedule with at most `bound` deviations from the run
/// order's own choices: each execution takes the next schedule in depth-first order, and
/// [`is_exhausted`](Dfs::is_exhausted) says when none is left.
///
/// The bound is a *preemption bound* in the sense of CHESS (Musuvathi and Qadeer, PLDI 2007),
/// counted in deviations: most concurrency bugs need one or two, and the number of schedules
/// grows polynomially with the run's length for a fixed bound, where it grows exponentially
/// without one. With the bound at `u32::MAX` the search is complete.
///
/// The search assumes what fwsim guarantees: the same answers give the same execution. A
/// choice point with another number of options than the last execution met at the same place
/// means the body is not deterministic; it is reported as a [`Diverged`] and that branch is
/// not explored further.
#[derive(Debug, Clone)]
pub struct Dfs {
    bound: u32,
    /// One frame per choice point of the current path: options met, option taken.
    stack: Vec<(u32, u32)>,
    /// Choice points answered in the current execution.
    depth: usize,
    exhausted: bool,
}

impl Dfs {
    /// A search over the schedules with at most `bound` deviations.
    pub fn new(bound: u32) -> Self {
        Dfs { bound, stack: Vec::new(), depth: 0, exhausted: false }
    }

    /// Whether every schedule within the bound has been run: the execution that just ended
    /// was the last one.
    pub fn is_exhausted(&self) -> bool {
        self.exhausted
    }

    fn deviations_before(&self, frame: usize) -> u32 {
        self.stack[..frame].iter().filter(|f| f.1 != 0).count() as u32
    }

    /// Moves to the next path: the deepest frame that can take another option within the
    /// bound does, and everything below it is forgotten.
    fn advance(&mut self) {
        while let Some(&(options, taken)) = self.stack.last() {
            let frame = self.stack.len() - 1;
            let room = if taken == 0 { self.deviations_before(frame) < self.bound } else { true };
            if taken + 1 < options && room {
                self.stack[frame].1 = taken + 1;
                return;
            }
            self.stack.pop();
        }
        self.exhausted = true;
    }
}

impl Explorer for Dfs {
    fn begin_execution(&mut self) {
        self.depth = 0;
    }

    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        let options = point.options() as u32;
        let depth = self.depth;
        self.depth += 1;
        match self.stack.get(depth) {
            Some(&(recorded, taken)) if recorded == options => Ok(taken as usize),
            Some(&(recorded, _)) => {
                // Not deterministic: forget this branch below here.
                self.stack.truncate(depth);
                self.stack.push((options, options.saturating_sub(1)));
                Err(Diverged { choice: point.number, expected_options: recorded, found_options: options })
            }
            None => {
                self.stack.push((options, 0));
                Ok(0)
            }
        }
    }

    fn end_execution(&mut self, _choice_points: u64) {
        // A path shorter than the stack (the last answer changed the run's length) keeps
        // only the frames it met.
        self.stack.truncate(self.depth);
        self.advance();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{Anchor, ChoiceKind};

    /// Runs a fake execution of `points` choice points with `options` each.
    fn execute(dfs: &mut Dfs, points: usize, options: usize) -> Vec<usize> {
        dfs.begin_execution();
        let anchor = Anchor { after: None, picks: 0, index: 0 };
        let out = (0..points)
            .map(|n| {
                dfs.choose(&ChoicePoint { number: n as u64, anchor, kind: ChoiceKind::Events(options), yielded: None })
                    .unwrap()
            })
            .collect();
        dfs.end_execution(points as u64);
        out
    }

    #[test]
    fn enumerates_every_path_once_then_is_exhausted() {
        let mut dfs = Dfs::new(u32::MAX);
        let mut seen = Vec::new();
        while !dfs.is_exhausted() {
            seen.push(execute(&mut dfs, 3, 2));
        }
        assert_eq!(seen.len(), 8);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 8, "every path is distinct");
    }

    #[test]
    fn the_bound_limits_deviations() {
        let mut dfs = Dfs::new(1);
        let mut seen = Vec::new();
        while !dfs.is_exhausted() {
            seen.push(execute(&mut dfs, 4, 3));
        }
        // The default path, and 4 points × 2 other options.
        assert_eq!(seen.len(), 1 + 4 * 2);
        assert!(seen.iter().all(|p| p.iter().filter(|&&o| o != 0).count() <= 1));
    }
}
