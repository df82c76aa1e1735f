//! The replay explorer.

use std::collections::BTreeMap;

use super::{Anchor, ChoiceKind, ChoicePoint, Diverged, Explorer};
use crate::policy::{Deviation, Schedule};

/// Replays a recorded [`Schedule`]: at each recorded choice point it takes the recorded
/// alternative, everywhere else the real scheduler's option 0. Every execution replays from
/// the start.
///
/// A deviation with an [`Anchor`] is applied where its anchor falls and runs its task by id,
/// wherever that task now stands among the candidates; one without (a hand-written schedule)
/// is applied at its choice number and position. A recorded task that is not a candidate, or
/// a position out of range, is a [`Diverged`]; so is a deviation whose choice point never
/// came, which [`unmet`](Replay::unmet) counts after the execution.
#[derive(Debug, Clone)]
pub struct Replay {
    by_anchor: BTreeMap<Anchor, Deviation>,
    by_number: Vec<Deviation>,
    next: usize,
    met: usize,
}

impl Replay {
    /// Replays `schedule` (its order is the configuration's business).
    pub fn new(schedule: &Schedule) -> Self {
        let mut by_number: Vec<Deviation> =
            schedule.deviations.iter().filter(|d| d.anchor.is_none()).copied().collect();
        by_number.sort_by_key(|d| d.choice);
        let by_anchor = schedule.deviations.iter().filter_map(|d| Some((d.anchor?, *d))).collect();
        Replay { by_anchor, by_number, next: 0, met: 0 }
    }

    /// Deviations of the schedule whose choice point the last execution did not meet (or met
    /// without being able to apply them): 0 when it replayed in full.
    pub fn unmet(&self) -> usize {
        self.by_anchor.len() + self.by_number.len() - self.met
    }

    fn by_number(&mut self, point: &ChoicePoint<'_>) -> Option<Deviation> {
        let d = *self.by_number.get(self.next)?;
        if d.choice != point.number {
            return None;
        }
        self.next += 1;
        Some(d)
    }
}

impl Explorer for Replay {
    fn begin_execution(&mut self) {
        self.next = 0;
        self.met = 0;
    }

    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        let options = point.options();
        let found = match self.by_anchor.get(&point.anchor) {
            Some(d) => Some(*d),
            None => self.by_number(point),
        };
        let Some(d) = found else { return Ok(0) };
        let diverged = Diverged { choice: point.number, expected_options: d.options, found_options: options as u32 };
        let answer = match (d.anchor, d.task, point.kind) {
            (Some(_), Some(task), ChoiceKind::Tasks(ids)) => ids.iter().position(|&id| id == task),
            (_, _, ChoiceKind::Tasks(_)) if d.options as usize != options => None,
            _ => Some(d.alternative as usize).filter(|&i| i < options),
        };
        match answer {
            Some(i) => {
                self.met += 1;
                Ok(i)
            }
            None => Err(diverged),
        }
    }
}
