//! proptest strategies for schedules, stimulus timing and fault sets, so that a `proptest!`
//! block drives fwsim and proptest's own machinery shrinks what it finds.
//!
//! Each strategy shrinks toward the uneventful: a schedule toward the run order's own
//! ([`Choices`] are bytes for the [`Stream`] explorer: shorter and smaller is closer to the
//! default), instants toward the start of their window, fault sets toward none.
//!
//! ```
//! use std::cell::Cell;
//! use fwsim::fuzz::strategies::{Choices, schedules};
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config, TestError, TestRunner};
//!
//! /// Two workers increment a counter with a yield between the read and the write; the
//! /// second starts a turn late. Returns the count and the deviations the schedule took.
//! fn run(choices: &Choices) -> (u32, usize) {
//!     fwsim::scope(choices.config(fwsim::SimConfig::new()), |sim| {
//!         let count = &*sim.alloc(Cell::new(0));
//!         for w in 0..2 {
//!             sim.spawn(format!("w{w}"), async move {
//!                 for _ in 0..w {
//!                     fwsim::yield_now().await;
//!                 }
//!                 let seen = count.get();
//!                 fwsim::yield_now().await;
//!                 count.set(seen + 1);
//!             });
//!         }
//!         sim.run_until_stalled().unwrap();
//!         (count.get(), sim.schedule().deviations.len())
//!     })
//! }
//!
//! // In a test: `proptest! { #[test] fn t(c in schedules(16)) { prop_assert_eq!(run(&c).0, 2) } }`.
//! // Here the runner is called directly, to look at the shrunk counterexample.
//! let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
//! let outcome = runner.run(&schedules(16), |c| {
//!     prop_assert_eq!(run(&c).0, 2, "an increment was lost");
//!     Ok(())
//! });
//! let Err(TestError::Fail(_, minimal)) = outcome else { panic!("the lost update is found") };
//! // proptest shrank it to a short stream whose schedule deviates once.
//! assert_eq!(run(&minimal), (1, 1), "{minimal:?}");
//! assert!(minimal.0.len() <= 2, "{minimal:?}");
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;

use crate::config::SimConfig;
use crate::explore::Stream;
use crate::time::SimTime;

/// A schedule as proptest draws it: byte `i` answers choice point `i` (modulo its options; 0
/// is the run order's own choice), and choice points past the end take the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choices(pub Vec<u8>);

impl Choices {
    /// A fresh explorer over these choices.
    pub fn explorer(&self) -> Arc<Mutex<Stream>> {
        Arc::new(Mutex::new(Stream::new(self.0.clone())))
    }

    /// `base` with this schedule's explorer (over `base`'s run order).
    pub fn config(&self, base: SimConfig) -> SimConfig {
        base.explorer(self.explorer())
    }

    /// How many bytes are not 0: an upper bound on the deviations they cause (a byte that is a
    /// multiple of its choice point's options is the default too).
    pub fn deviations(&self) -> usize {
        self.0.iter().filter(|&&b| b != 0).count()
    }
}

/// Schedules of up to `max_choice_points` explicit choices.
pub fn schedules(max_choice_points: usize) -> impl Strategy<Value = Choices> {
    proptest::collection::vec(any::<u8>(), 0..=max_choice_points).prop_map(Choices)
}

/// `n` instants in `[start, start + window]`, in increasing order: when stimuli arrive
/// (presses, bytes, interrupts). They shrink toward `start`.
pub fn instants(n: usize, start: SimTime, window: Duration) -> impl Strategy<Value = Vec<SimTime>> {
    let span = u64::try_from(window.as_nanos()).unwrap_or(u64::MAX);
    proptest::collection::vec(0..=span, n).prop_map(move |mut offsets| {
        offsets.sort_unstable();
        offsets.into_iter().map(|ns| SimTime(start.0.saturating_add(ns))).collect()
    })
}

/// Any subset of `faults` (in their order), shrinking toward none.
pub fn fault_sets<T: Clone + std::fmt::Debug + 'static>(faults: Vec<T>) -> impl Strategy<Value = Vec<T>> {
    let n = faults.len();
    proptest::sample::subsequence(faults, 0..=n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    /// Simplifies a tree as far as it goes.
    fn simplest<T: ValueTree>(mut tree: T) -> T::Value {
        while tree.simplify() {}
        tree.current()
    }

    #[test]
    fn every_strategy_shrinks_toward_the_uneventful() {
        let mut runner = TestRunner::deterministic();
        assert_eq!(simplest(schedules(8).new_tree(&mut runner).unwrap()), Choices(Vec::new()));
        let start = SimTime::from_millis(5);
        let times = simplest(instants(3, start, Duration::from_secs(1)).new_tree(&mut runner).unwrap());
        assert_eq!(times, vec![start; 3]);
        assert!(simplest(fault_sets(vec!["brown-out", "nak"]).new_tree(&mut runner).unwrap()).is_empty());
    }
}
