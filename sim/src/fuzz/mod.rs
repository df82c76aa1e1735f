//! Schedule fuzzing: run a test under many schedules, and hand back the smallest one that
//! breaks it.
//!
//! A concurrency bug shows up only when tasks run in one particular order: the producer is
//! preempted between its check and its wait, the interrupt lands between a read and a clear.
//! The real scheduler's order may never produce it. [`Fuzz`] runs a test body again and again
//! while an [explorer](crate::explore) answers the choice points differently each time, and
//! on the first failure it
//!
//! 1. **shrinks** the failing schedule to as few deviations from the run order as it can (only
//!    candidates that replay exactly and fail the same way are kept);
//! 2. re-runs the shrunk schedule with the full trace, and writes a **replay file**
//!    (`replay.json`: the fwsim version, run order, explorer and its parameters, seed, the
//!    shrunk schedule and the test's name) beside the trace and board artifacts in
//!    `target/fwsim-artifacts/<test>/`;
//! 3. panics with one message: what failed, in which task, at what virtual time, the number
//!    of deviations, and how to replay it.
//!
//! ```
//! use std::cell::Cell;
//! use fwsim::fuzz::{Fuzz, Strategy};
//!
//! // Two tasks increment a counter with a yield between the read and the write. In the
//! // default order "b" starts a turn later and reads after "a" wrote; one preemption of "a"
//! // makes them both read 0: a lost update.
//! let failure = Fuzz::new(Strategy::Dfs { bound: 1 })
//!     .name("doc-lost-update")
//!     .try_run(|sim| {
//!         let count = sim.alloc(Cell::new(0));
//!         let count = &*count;
//!         for (name, late) in [("a", false), ("b", true)] {
//!             sim.spawn(name, async move {
//!                 if late {
//!                     fwsim::yield_now().await;
//!                 }
//!                 let seen = count.get();
//!                 fwsim::yield_now().await;
//!                 count.set(seen + 1);
//!             });
//!         }
//!         sim.run_until_stalled().unwrap();
//!         assert_eq!(count.get(), 2, "an increment was lost");
//!     })
//!     .unwrap_err();
//! assert_eq!(failure.deviations, 1);
//! assert!(failure.fault.message.contains("an increment was lost"));
//! ```
//!
//! In a test, [`Fuzz::run`] panics with the report instead, and the `#[fwsim::test]` attribute
//! (crate `fwsim-macros`, re-exported as `fwsim::test`) wraps an `async fn` body in it; its
//! keys `realizable`, `isr_jitter = "2ms"` and `isr_preemption` set what [`Fuzz::realizable`],
//! [`SimConfig::isr_jitter`](crate::SimConfig::isr_jitter) and
//! [`SimConfig::isr_preemption`](crate::SimConfig::isr_preemption) do.
//!
//! ## What counts as a failure
//!
//! A panic in the body (an `assert!`, an `unwrap()` of a run method's error such as
//! [`SimError::Deadlock`](crate::SimError::Deadlock) from a
//! [`must_finish`](crate::JoinHandle::must_finish) task, or
//! [`SimError::InvariantBroken`](crate::SimError::InvariantBroken) from an
//! [`invariant`](crate::Sim::invariant) checked at every step), or an error-level
//! [diagnostic](crate::Diagnostic): a task panic, a lost waker. Panics are kept quiet while
//! exploring ([`SimConfig::quiet_panics`](crate::SimConfig::quiet_panics)); the report carries
//! the first failure's message and location. A panic that carries a run method's error out of
//! the body is reported as that error ([`Fault::kind`] `Deadlock`, `InvariantBroken`…), and
//! the shrinker keeps only schedules that end in the same error.
//!
//! A schedule in which a poll never returns (a loop with no `.await` that reads nothing fwsim
//! sees) cannot be stopped on its thread: after [`Fuzz::hang_limit`] the campaign ends the
//! test process with a report instead of hanging it.
//!
//! The body must be deterministic: given the same answers at its choice points, it must do the
//! same thing (no wall-clock reads, thread timing, `HashMap` iteration order, or statics kept
//! from one execution to the next). Replay files and shrinking rely on it, and so does the
//! random explorer, which records no schedule while it explores: it runs the failing execution
//! a second time, from its state before that execution, to record the schedule. A body that
//! does not fail the same way again is reported as not deterministic.
//!
//! ## Explorers, and which to use
//!
//! * [`Strategy::Random`]: every choice uniformly at random. Cheap, and finds most shallow bugs
//!   in a few hundred executions.
//! * [`Strategy::Pct`]: PCT with a horizon learnt from the runs so far; a probabilistic
//!   guarantee per execution for bugs of the given depth.
//! * [`Strategy::Dfs`]: every schedule with at most `bound` deviations, then stops
//!   ([`Report::exhausted`]). Passing a DFS at bound `k` *proves* that no schedule with `k` or
//!   fewer deviations breaks the test.
//!
//! All three explore *any order* by default: the run order is FIFO, and any runnable task may
//! be chosen next. [`Fuzz::order`] explores around another order instead, and
//! [`Fuzz::realizable`] keeps that order's task choices and explores only interrupt timing and
//! order — what the board itself can do (see [`explore::Realizable`](crate::explore::Realizable)
//! for which finds what). Either way, a configuration with
//! [`SimConfig::isr_preemption`](crate::SimConfig::isr_preemption) also lets an interrupt land
//! inside a poll, at the end of one of its critical sections: what a check and a wait split
//! over two sections need to break.
//!
//! ## Environment
//!
//! CI and a developer's shell widen or replay a run without editing code:
//!
//! | variable | effect |
//! |---|---|
//! | `FWSIM_SEED=n` | the explorer's seed |
//! | `FWSIM_ITERATIONS=n` | executions (at most; 1 or more, since 0 would test nothing) |
//! | `FWSIM_TIME_LIMIT=30s` | wall-clock budget for the exploration (`ms`, `s`, `m`, `h`) |
//! | `FWSIM_REPLAY=path` | the test named in the replay file runs that file's schedule once |
//! | `FWSIM_ARTIFACTS=dir` | where artifacts go |
//! | `FWSIM_HANG_LIMIT=60s` | end the test process when one poll runs this long in wall time ([`Fuzz::hang_limit`]; `off`: wait for ever) |
//! | `FWSIM_PROGRESS=10s` | a progress line on stderr at most this often, and one at the end ([`Fuzz::progress`]; `off`: none). On by itself, every 10 s, when `FWSIM_ITERATIONS` or `FWSIM_TIME_LIMIT` is set; `cargo test -- --nocapture` shows the lines as they come |

mod campaign;
mod env;
mod execute;
mod failure;
mod hang;
mod progress;
mod replay_file;
pub mod shrink;
#[cfg(feature = "proptest")]
pub mod strategies;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use env::parse_wall_time;
pub use failure::{Failure, Fault, Outcome};
pub use replay_file::ReplayFile;

use crate::config::SimConfig;
use crate::order::Order;
use crate::sim::Sim;
use campaign::Unfuzzable;

/// Which explorer a [`Fuzz`] runs, with its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Strategy {
    /// [`explore::Random`](crate::explore::Random).
    Random,
    /// [`explore::Pct`](crate::explore::Pct), adaptive: the horizon is the longest run seen.
    Pct {
        /// Bug depth to target, in choice points (≥ 1).
        depth: u32,
    },
    /// [`explore::Dfs`](crate::explore::Dfs): every schedule with at most `bound` deviations.
    Dfs {
        /// The most deviations a schedule may have.
        bound: u32,
    },
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Strategy::Random => f.write_str("random"),
            Strategy::Pct { depth } => write!(f, "pct depth {depth}"),
            Strategy::Dfs { bound } => write!(f, "dfs bound {bound}"),
        }
    }
}

/// A schedule-fuzzing campaign over one test body. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct Fuzz {
    pub(crate) strategy: Strategy,
    pub(crate) name: Option<String>,
    pub(crate) iterations: u64,
    pub(crate) time_limit: Option<Duration>,
    pub(crate) seed: u64,
    pub(crate) order: Order,
    pub(crate) config: SimConfig,
    pub(crate) shrink_limit: Duration,
    pub(crate) realizable: bool,
    pub(crate) progress: Option<Duration>,
    pub(crate) hang_limit: Option<Duration>,
}

/// How a campaign that found nothing went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Executions run.
    pub executions: u64,
    /// The explorer ran out of schedules (a DFS covered its whole bound) before the
    /// iterations did.
    pub exhausted: bool,
    /// The most choice points any execution met.
    pub longest_run: u64,
}

impl Fuzz {
    /// A campaign with `strategy`: 1,000 iterations, seed 0, FIFO order (any runnable task may
    /// run next), the default [`SimConfig`] otherwise.
    ///
    /// # Panics
    /// For `Strategy::Pct { depth: 0 }`: PCT's depth counts the choice points a bug needs, so
    /// it is 1 or more (1 changes no priority).
    #[track_caller]
    pub fn new(strategy: Strategy) -> Self {
        if let Strategy::Pct { depth: 0 } = strategy {
            panic!(
                "fwsim: Strategy::Pct's depth must be 1 or more: it counts the choice points a bug needs (1: no priority change)"
            );
        }
        Fuzz {
            strategy,
            name: None,
            iterations: 1_000,
            time_limit: None,
            seed: 0,
            order: Order::Fifo,
            config: SimConfig::new(),
            shrink_limit: Duration::from_secs(30),
            realizable: false,
            progress: None,
            hang_limit: Some(crate::hang_watch::DEFAULT_HANG_LIMIT),
        }
    }
    /// The test's name, for the artifacts directory and the replay file (default: the calling
    /// thread's name, which libtest sets to the test's path).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// At most this many executions (`FWSIM_ITERATIONS` overrides).
    ///
    /// # Panics
    /// For 0: a campaign that never runs the body would pass whatever the body does.
    #[track_caller]
    pub fn iterations(mut self, n: u64) -> Self {
        assert!(n >= 1, "fwsim: a campaign's iterations must be 1 or more: 0 would never run the body, and pass");
        self.iterations = n;
        self
    }
    /// Stop exploring after this much wall-clock time (`FWSIM_TIME_LIMIT` overrides). Each
    /// execution stays deterministic; only how many run depends on the machine.
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }
    /// The explorer's seed (`FWSIM_SEED` overrides).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// The run order the explorer deviates from (default FIFO).
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }
    /// The configuration each execution starts from (its policy's explorer is replaced).
    pub fn config(mut self, config: SimConfig) -> Self {
        self.config = config;
        self
    }
    /// Explores only what the real scheduler could do (see
    /// [`explore::Realizable`](crate::explore::Realizable)): the run order's own task order,
    /// with the explorer choosing among same-instant interrupts, the wake order of timers that
    /// expire at the same instant and, if the configuration
    /// sets [`isr_jitter`](SimConfig::isr_jitter), interrupt arrival times (and, with
    /// [`isr_preemption`](SimConfig::isr_preemption), where in a poll an interrupt lands). Use
    /// it with the order of the board's scheduler (`.order(Order::Embassy)`).
    pub fn realizable(mut self) -> Self {
        self.realizable = true;
        self
    }
    /// Wall-clock budget for shrinking a failure (default 30 s); the smallest schedule found
    /// by then is reported.
    pub fn shrink_limit(mut self, limit: Duration) -> Self {
        self.shrink_limit = limit;
        self
    }

    /// Prints progress on stderr: a line at most once per `interval` (the executions so far,
    /// and their rate), one when a failure is found and shrinking begins, and one at the end of
    /// a passing campaign (what ran, and whether the time limit or an exhausted DFS stopped it).
    /// Off by default; a campaign widened by `FWSIM_ITERATIONS` or `FWSIM_TIME_LIMIT` turns it
    /// on with a 10 s interval, and `FWSIM_PROGRESS=30s` sets the interval (`off`: none).
    pub fn progress(mut self, interval: Duration) -> Self {
        self.progress = Some(interval);
        self
    }

    /// Ends the test process with a report when one poll of an execution runs this long in
    /// wall time (default 60 s; `None`: wait for ever; `FWSIM_HANG_LIMIT` overrides): a loop
    /// with no `.await` that reads nothing fwsim sees, in some schedule. The report names the
    /// execution, the task and its virtual time, and how to run the campaign to it again (or,
    /// while a failure is shrunk, writes that failure's replay file). A stuck thread cannot be
    /// stopped, so the process cannot go on; without the limit the test hangs instead.
    pub fn hang_limit(mut self, limit: Option<Duration>) -> Self {
        self.hang_limit = limit;
        self
    }

    /// Runs the campaign; panics with the failure report if a schedule breaks the body. The
    /// panic names the caller's line (the test's, under `#[fwsim::test]`), not fwsim's.
    #[track_caller]
    pub fn run<F>(&self, body: F) -> Report
    where
        F: for<'s> Fn(&'s Sim<'s>) + Sync,
    {
        match self.try_run(body) {
            Ok(report) => report,
            Err(failure) => panic!("{failure}"),
        }
    }

    /// Runs `file`'s schedule once, as `FWSIM_REPLAY` does: `Ok` if it passes now, the
    /// failure (with fresh artifacts) if it still fails.
    ///
    /// # Panics
    /// If the schedule no longer fits the body (the test, or the code it tests, changed since the
    /// file was written); the panic names the caller's line.
    #[track_caller]
    pub fn replay<F>(&self, file: &ReplayFile, body: F) -> Result<Report, Box<Failure>>
    where
        F: for<'s> Fn(&'s Sim<'s>) + Sync,
    {
        let at = hang::Whereabouts::default();
        Unfuzzable::raise(hang::on_main_thread(self, &at, &body, || campaign::replay(self, file, &body)))
    }

    /// Runs the campaign; the shrunk failure, if a schedule breaks the body.
    ///
    /// # Panics
    /// If a `FWSIM_*` variable is malformed, `FWSIM_REPLAY` names an unreadable or malformed
    /// file, the body is not deterministic, or a replay file no longer fits it; the panic names
    /// the caller's line.
    #[track_caller]
    pub fn try_run<F>(&self, body: F) -> Result<Report, Box<Failure>>
    where
        F: for<'s> Fn(&'s Sim<'s>) + Sync,
    {
        let mut fuzz = self.clone();
        let name = fuzz
            .name
            .clone()
            .unwrap_or_else(|| std::thread::current().name().map_or_else(|| "fwsim-fuzz".to_owned(), str::to_owned));
        fuzz.name = Some(name.clone());
        let overrides = match env::Overrides::read() {
            Ok(overrides) => overrides,
            Err(e) => panic!("{e}"),
        };
        overrides.apply(&mut fuzz);
        let replay = match overrides.replay_for(&name) {
            Ok(replay) => replay,
            Err(e) => panic!("{e}"),
        };
        let at = hang::Whereabouts::default();
        Unfuzzable::raise(hang::on_main_thread(&fuzz, &at, &body, || match replay {
            Some(file) => campaign::replay(&fuzz, &file, &body),
            None => campaign::explore(&fuzz, &body, &at),
        }))
    }
}
