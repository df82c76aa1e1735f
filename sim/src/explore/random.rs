//! The random explorer.

use super::{ChoicePoint, Diverged, Explorer};
use crate::rng::SimRng;

/// Answers every choice point uniformly at random from a seeded stream. Shared across
/// executions, the stream goes on, so each execution explores another schedule; rebuilt from
/// the seed, it repeats them.
#[derive(Clone, Debug)]
pub struct Random {
    rng: SimRng,
}

impl Random {
    /// A stream from `seed`.
    pub fn new(seed: u64) -> Self {
        Random { rng: SimRng::new(seed) }
    }
}

impl Random {
    /// The answer to a choice point of `n` options: all this explorer reads of one.
    #[inline(always)]
    pub(crate) fn choose_among(&mut self, n: usize) -> usize {
        self.rng.below(n as u64) as usize
    }
}

impl Explorer for Random {
    #[inline(always)]
    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        Ok(self.choose_among(point.options()))
    }
}
