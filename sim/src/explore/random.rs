//! The random explorer.

use super::{ChoicePoint, Diverged, Explorer};
use crate::rng::SimRng;

/// Answers every choice point uniformly at random from a seeded stream. Shared across
/// executions, the stream goes on, so each execution explores another schedule; rebuilt from
/// the seed, it repeats them.
#[derive(Debug)]
pub struct Random {
    rng: SimRng,
}

impl Random {
    /// A stream from `seed`.
    pub fn new(seed: u64) -> Self {
        Random { rng: SimRng::new(seed) }
    }
}

impl Explorer for Random {
    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        Ok(self.rng.below(point.options() as u64) as usize)
    }
}
