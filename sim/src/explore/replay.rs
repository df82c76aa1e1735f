//! The replay explorer.

use super::{ChoicePoint, Diverged, Explorer};
use crate::policy::{Deviation, Schedule};

/// Replays a recorded [`Schedule`]: at each recorded choice point it takes the recorded
/// alternative, everywhere else the real scheduler's option 0. A choice point with another
/// option count than recorded is a [`Diverged`]. Every execution replays from the start.
#[derive(Debug, Clone)]
pub struct Replay {
    deviations: Vec<Deviation>,
    next: usize,
}

impl Replay {
    /// Replays `schedule` (its order is the configuration's business).
    pub fn new(schedule: &Schedule) -> Self {
        let mut deviations = schedule.deviations.clone();
        deviations.sort_by_key(|d| d.choice);
        Replay { deviations, next: 0 }
    }
}

impl Explorer for Replay {
    fn begin_execution(&mut self) {
        self.next = 0;
    }

    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        let Some(d) = self.deviations.get(self.next) else { return Ok(0) };
        if d.choice != point.number {
            return Ok(0);
        }
        self.next += 1;
        let options = point.options();
        if d.options as usize != options || d.alternative as usize >= options {
            return Err(Diverged { choice: point.number, expected_options: d.options, found_options: options as u32 });
        }
        Ok(d.alternative as usize)
    }
}
