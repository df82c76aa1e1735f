//! The bug zoo: thirteen deliberately broken variants of the toolkit's primitives
//! ([`Mutant`]), each with a small test body — two to four tasks and an invariant — that the
//! real primitive passes under every schedule and the mutant fails under some.
//!
//! It measures the schedule fuzzer ([`fwsim::fuzz`]): its tests check that every explorer
//! passes every real primitive and that some explorer finds every mutant, and
//! `cargo run -p fwsim-zoo --release --bin zoo-table` prints the find rates behind
//! `FUZZING.md`. The mutants live in `fwsim-primitives` behind its `mutants` feature, which
//! only this test crate enables: no firmware build contains one.
//!
//! ```
//! use fwsim::fuzz::Strategy;
//!
//! let bug = &fwsim_zoo::ZOO[0];
//! let real = bug.fuzz(Strategy::Dfs { bound: 2 }).name("doc-real").try_run(bug.body(false));
//! assert!(real.is_ok());
//! let mutant = bug.fuzz(Strategy::Dfs { bound: 2 }).name("doc-mutant").try_run(bug.body(true));
//! assert!(mutant.is_err(), "{} is found", bug.name);
//! ```

mod bugs;
pub mod on_shuttle;

use fwsim::fuzz::{Fuzz, Strategy};
use fwsim::{Sim, SimConfig};
pub use fwsim_primitives::mutants::Mutant;

/// One bug of the zoo.
#[derive(Clone, Copy, Debug)]
pub struct Bug {
    /// A short name, for tables and artifact directories.
    pub name: &'static str,
    /// The planted bug.
    pub mutant: Mutant,
    /// The test body: builds the tasks, runs them, checks the invariant.
    pub scenario: for<'s> fn(&'s Sim<'s>),
    /// The configuration its campaigns start from (`SimConfig::new` but for the interrupt bug,
    /// which needs interrupts to land inside polls).
    pub config: fn() -> SimConfig,
}

impl Bug {
    /// A campaign of `strategy` over this bug's configuration.
    pub fn fuzz(&self, strategy: Strategy) -> Fuzz {
        Fuzz::new(strategy).config((self.config)())
    }

    /// The test body over the real primitive (`false`) or the mutant (`true`).
    pub fn body(&self, mutated: bool) -> impl for<'s> Fn(&'s Sim<'s>) + Sync + Copy + use<> {
        let (mutant, scenario) = (self.mutant, self.scenario);
        move |sim| {
            let _active = fwsim_primitives::mutants::activate(mutated.then_some(mutant));
            scenario(sim)
        }
    }
}

/// Every bug of the zoo.
pub const ZOO: [Bug; 13] = [
    bugs::event_check_then_register::BUG,
    bugs::condition_if_for_while::BUG,
    bugs::message_clear_before_wait::BUG,
    bugs::lock_barging::BUG,
    bugs::flag_keeps_stale_waker::BUG,
    bugs::delay_ms_stale_trigger::BUG,
    bugs::barrier_reuse::BUG,
    bugs::queue_putter_not_woken::BUG,
    bugs::semaphore_over_release::BUG,
    bugs::wait_for_drops_completion::BUG,
    bugs::lock_cancel_loses_handoff::BUG,
    bugs::queue_cancel_keeps_promise::BUG,
    bugs::flag_split_sections::BUG,
];

/// Runs until nothing is scheduled; a `must_finish` task still waiting is a deadlock.
pub(crate) fn finish(sim: &Sim<'_>) {
    sim.run_until_quiescent(fwsim::secs(60)).unwrap();
}
