//! What a campaign is asked to do: the explorer and its parameters, the budget, the sharding,
//! and where its results go.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fwsim::explore::{Realizable, SharedExplorer};
use serde::{Deserialize, Serialize};

use crate::run::{Exploring, RunOptions};

/// Which explorer, with its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Explorer {
    /// Uniformly random choices.
    Random,
    /// PCT of this depth over the default run's length.
    Pct {
        /// Bug depth, in choice points.
        depth: u32,
    },
    /// Every schedule with at most `bound` deviations.
    Dfs {
        /// The most deviations.
        bound: u32,
    },
}

/// A campaign's parameters.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The explorer.
    pub explorer: Explorer,
    /// The campaign's seed.
    pub seed: u64,
    /// Executions per scenario.
    pub iterations: u64,
    /// Executions per unit.
    pub chunk: u64,
    /// This shard and the number of shards (`(0, 1)`: everything).
    pub shard: (u32, u32),
    /// Threads.
    pub jobs: usize,
    /// Go on after a failure.
    pub keep_going: bool,
    /// Stop starting units after this much wall-clock time (the first one always starts).
    pub time_limit: Option<Duration>,
    /// Where to keep the state for resuming, if anywhere.
    pub state: Option<PathBuf>,
    /// Where failures' artifacts go (one directory per scenario).
    pub out: PathBuf,
    /// Wall-clock budget for shrinking each failure.
    pub shrink_limit: Duration,
    /// Explore only what the scenario's scheduler could do (see
    /// [`fwsim::explore::Realizable`]).
    pub realizable: bool,
    /// Scheduled interrupts (the stimuli among them) may arrive this late (ns), in this many
    /// steps.
    pub isr_jitter: Option<(u64, u32)>,
    /// Interrupts may land inside polls, at critical-section exits.
    pub isr_preemption: bool,
    /// Give an execution up when one poll of its firmware runs this long in wall time (a
    /// loop with no `.await`); `None`: wait for ever. See [`Observer::gave_up`](super::Observer::gave_up).
    pub hang_limit: Option<Duration>,
}

impl Default for Plan {
    /// `fwsim fuzz`'s defaults, on one thread: random, seed 0, 1,000 executions per scenario
    /// in units of 50, every shard, stopping at the first failure, no time limit or state
    /// file, artifacts to `fwsim-out/fuzz`, 30 s to shrink each failure, any order, an
    /// execution stuck in one poll for 60 s given up.
    fn default() -> Self {
        Plan {
            explorer: Explorer::Random,
            seed: 0,
            iterations: 1_000,
            chunk: 50,
            shard: (0, 1),
            jobs: 1,
            keep_going: false,
            time_limit: None,
            state: None,
            out: PathBuf::from("fwsim-out/fuzz"),
            shrink_limit: Duration::from_secs(30),
            realizable: false,
            isr_jitter: None,
            isr_preemption: false,
            hang_limit: Some(Duration::from_secs(60)),
        }
    }
}

impl Plan {
    /// Run options with `explorer` answering the choices this plan explores.
    pub(crate) fn options(&self, explorer: SharedExplorer) -> RunOptions {
        let explorer: SharedExplorer =
            if self.realizable { Arc::new(Mutex::new(Realizable::new(explorer))) } else { explorer };
        RunOptions {
            explorer: Some(Exploring(explorer)),
            isr_jitter: self.isr_jitter,
            isr_preemption: self.isr_preemption,
            ..RunOptions::default()
        }
    }
}
