//! Schedule fuzzing of scenarios: run each scenario many times while an explorer answers the
//! simulation's choice points, and shrink and record every failure (`fwsim fuzz`).
//!
//! A campaign is cut into **units**: unit `u` of a scenario is `chunk` executions under an
//! explorer seeded from the campaign's seed and `u` (a random stream, or PCT with the horizon
//! of the scenario's default run). A unit's executions are fixed by the plan alone, so units
//! can run in any order, on any number of threads (`jobs`), on different machines (`shard
//! i/n` takes the units whose number is `i` modulo `n`), and be skipped when a state file says
//! they are done. DFS is one unit per scenario (its search is sequential) and cannot be
//! sharded.
//!
//! A failing execution ends its unit; the campaign stops at the first failure unless
//! `keep_going`. Each failure is shrunk (as [`fwsim::fuzz`] does) and run once more with its
//! artifacts and a `replay.json` that `fwsim replay` runs bit for bit.

mod hangs;
mod plan;
mod state;
mod target;
mod workers;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::time::Instant;

pub use hangs::{HungExecution, Stage};
pub use plan::{Explorer, Plan};
pub use target::FuzzFailure;

use crate::app::App;
use crate::report::Report;
use crate::run::artifact_dirs;
use crate::scenario::Scenario;
use state::{PlanKey, State};

/// How a campaign went.
#[derive(Debug, Default)]
pub struct Summary {
    /// Units of this shard, in all.
    pub units: usize,
    /// Units the state file said were done already.
    pub resumed_units: usize,
    /// Units finished by this invocation.
    pub finished_units: usize,
    /// Of those, DFS units (one per scenario) that ran out of schedules before their
    /// iterations: every schedule within the bound passed, which proves the scenario for that
    /// bound. A DFS unit that used up its iterations first explored only part of the space.
    pub exhausted_units: usize,
    /// Executions this invocation ran.
    pub executions: u64,
    /// Executions of all finished units, this invocation's and earlier ones'.
    pub total_executions: u64,
    /// The failures, shrunk.
    pub failures: Vec<FuzzFailure>,
    /// It stopped before running every unit (a failure, or the time limit).
    pub stopped_early: bool,
    /// Executions given up, stuck in one poll past [`Plan::hang_limit`].
    pub hung: Vec<HungExecution>,
}

/// Told about progress, from the worker threads.
pub trait Observer: Sync {
    /// This invocation will run at most `executions`: the sum over the units it has to run
    /// (those of its shard that a state file does not list as done). Told once, first.
    fn planned(&self, executions: u64) {
        let _ = executions;
    }
    /// A unit finished `executions` short of its share: one failed, or its explorer ran out
    /// of schedules.
    fn skipped(&self, executions: u64) {
        let _ = executions;
    }
    /// `n` more executions ran.
    fn executed(&self, n: u64) {
        let _ = n;
    }
    /// Unit `unit` of `scenario` finished with `executions` executions and is recorded in the
    /// state file (if any); `done` of the shard's `units` are finished, earlier runs' included.
    fn unit_done(&self, scenario: &std::path::Path, unit: u64, executions: u64, done: usize, units: usize) {
        let _ = (scenario, unit, executions, done, units);
    }
    /// The campaign gave executions up, stuck in one poll past [`Plan::hang_limit`]
    /// (`summary.hung`), and the other workers have stopped. The stuck threads can never be
    /// joined, so this must end the process: report `summary` and exit. By default it prints
    /// the given-up executions' reports and exits with code 1.
    fn gave_up(&self, summary: Summary) -> ! {
        for hung in &summary.hung {
            eprint!("{}", hung.report.human(false));
        }
        std::process::exit(1)
    }
}

impl Observer for () {}

/// One unit of work.
#[derive(Clone, Copy, Debug)]
struct Unit {
    scenario: usize,
    number: u64,
    executions: u64,
}

/// A failing execution, before shrinking.
struct Found {
    unit: Unit,
    execution: u64,
    report: Report,
}

/// Runs the campaign over `scenarios` (each with its app). `Err` for a plan that cannot run
/// (a sharded DFS, no iterations, PCT of depth 0, a state file of another campaign).
pub fn fuzz(plan: &Plan, scenarios: &[(Scenario, &dyn App)], observer: &dyn Observer) -> Result<Summary, String> {
    let (index, count) = plan.shard;
    if count == 0 || index >= count {
        return Err(format!("--shard {}/{count}: expected i/n with i < n", index + 1));
    }
    if matches!(plan.explorer, Explorer::Dfs { .. }) && count > 1 {
        return Err("a DFS campaign cannot be sharded: its search is one sequence".into());
    }
    if plan.iterations == 0 || plan.chunk == 0 {
        return Err("iterations and chunk must be at least 1: a campaign of no executions tests nothing".into());
    }
    if plan.explorer == (Explorer::Pct { depth: 0 }) {
        return Err("PCT's depth must be at least 1: it counts the choice points a bug needs".into());
    }
    let key = PlanKey {
        explorer: plan.explorer,
        seed: plan.seed,
        iterations: plan.iterations,
        chunk: plan.chunk,
        shard: plan.shard,
        realizable: plan.realizable,
        isr_jitter: plan.isr_jitter,
        isr_preemption: plan.isr_preemption,
        scenarios: scenarios.iter().map(|(s, _)| (s.path.clone(), s.fingerprint.clone())).collect(),
    };
    let state = match &plan.state {
        Some(path) => State::load_or_new(path, key)?,
        None => State::new(key),
    };
    let all = units(plan, scenarios.len());
    let pending: Vec<Unit> =
        all.iter().copied().filter(|u| !state.is_done(&scenarios[u.scenario].0.path, u.number)).collect();
    let (units, resumed_units) = (all.len(), all.len() - pending.len());
    let summary = || Summary { units, resumed_units, ..Summary::default() };
    observer.planned(pending.iter().map(|u| u.executions).sum());
    let dirs = artifact_dirs(&plan.out, scenarios.iter().map(|(s, _)| s));
    let horizons: Vec<u64> = match plan.explorer {
        Explorer::Pct { .. } => workers::horizons(plan, scenarios, &dirs, observer, summary),
        _ => vec![0; scenarios.len()],
    };
    let shared = workers::Shared {
        plan,
        scenarios,
        horizons: &horizons,
        state: Mutex::new(state),
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        executions: AtomicU64::new(0),
        finished: AtomicUsize::new(0),
        exhausted: AtomicUsize::new(0),
        found: Mutex::new(Vec::new()),
        started: Instant::now(),
        observer,
        units: all.len(),
        dirs,
        running: hangs::Running::default(),
        hung: Mutex::new(Vec::new()),
        live_workers: AtomicUsize::new(0),
    };
    Ok(workers::run_all(&shared, &pending, summary))
}

/// This shard's units, scenario by scenario.
fn units(plan: &Plan, scenarios: usize) -> Vec<Unit> {
    let (index, count) = plan.shard;
    // (`fuzz` refused zero iterations and chunks.)
    let chunk = match plan.explorer {
        Explorer::Dfs { .. } => plan.iterations,
        _ => plan.chunk,
    };
    let per_scenario = plan.iterations.div_ceil(chunk);
    (0..scenarios)
        .flat_map(|scenario| {
            (0..per_scenario).map(move |number| Unit {
                scenario,
                number,
                executions: chunk.min(plan.iterations - number * chunk),
            })
        })
        .filter(|u| u.number % u64::from(count) == u64::from(index))
        .collect()
}

/// The explorer seed of unit `number`: a SplitMix64 draw from the campaign seed and the unit
/// number, so that neighbouring units draw unrelated streams.
fn unit_seed(seed: u64, number: u64) -> u64 {
    fwsim::rng::SimRng::new(seed ^ number).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(explorer: Explorer, iterations: u64) -> Plan {
        Plan { explorer, iterations, ..Plan::default() }
    }

    /// A plan that would test nothing is refused before any work.
    #[test]
    fn plans_that_test_nothing_are_refused() {
        let none = fuzz(&plan(Explorer::Random, 0), &[], &()).unwrap_err();
        assert!(none.contains("iterations and chunk must be at least 1"), "{none}");
        let flat = fuzz(&plan(Explorer::Pct { depth: 0 }, 10), &[], &()).unwrap_err();
        assert!(flat.contains("PCT's depth must be at least 1"), "{flat}");
        assert!(fuzz(&plan(Explorer::Pct { depth: 1 }, 10), &[], &()).is_ok());
    }
}
