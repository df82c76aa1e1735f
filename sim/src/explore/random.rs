//! The random explorer.

use super::{ChoicePoint, Diverged, Explorer};
use crate::rng::SimRng;

/// Answers every choice point uniformly at random from a seeded stream. Shared across
/// executions, the stream goes on, so each execution explores another schedule; rebuilt from
/// the seed, it repeats them.
#[derive(Clone, Debug)]
pub struct Random {
    rng: SimRng,
    /// The stream's next value, drawn one choice ahead. Drawing it is two multiplications in
    /// a row; drawn at the choice, the pick waited for them (then for the choice's own
    /// multiply, then for the task it names), and a fuzz execution is mostly such picks.
    next: u64,
}

impl Random {
    /// A stream from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = SimRng::new(seed);
        let next = rng.next_u64();
        Random { rng, next }
    }
}

impl Random {
    /// The answer to a choice point of `n` options: all this explorer reads of one.
    #[inline(always)]
    pub(crate) fn choose_among(&mut self, n: usize) -> usize {
        let drawn = std::mem::replace(&mut self.next, self.rng.next_u64());
        SimRng::scale(drawn, n as u64) as usize
    }
}

impl Explorer for Random {
    #[inline(always)]
    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        Ok(self.choose_among(point.options()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drawing one choice ahead must not change the answers: recorded seeds replay the
    /// schedules they found.
    #[test]
    fn answers_are_the_streams_below() {
        for seed in [0, 1, 7, 1234567] {
            let (mut explorer, mut rng) = (Random::new(seed), SimRng::new(seed));
            for n in (1..50).chain([2, 2, 3, 1000]) {
                assert_eq!(explorer.choose_among(n), rng.below(n as u64) as usize, "seed {seed}, {n} options");
            }
        }
    }
}
