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

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use fwsim::explore::{Dfs, Pct, Random, SharedExplorer};

pub use hangs::HungExecution;
pub use plan::{Explorer, Plan};
pub use target::FuzzFailure;

use crate::app::App;
use crate::report::Report;
use crate::run::{artifact_dirs, run};
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
    let horizons: Vec<u64> = match plan.explorer {
        Explorer::Pct { .. } => scenarios.iter().map(|(s, app)| default_run_length(s, *app, plan)).collect(),
        _ => vec![0; scenarios.len()],
    };
    let shared = Shared {
        plan,
        scenarios,
        horizons: &horizons,
        state: Mutex::new(state),
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        executions: AtomicU64::new(0),
        finished: AtomicUsize::new(0),
        found: Mutex::new(Vec::new()),
        started: Instant::now(),
        observer,
        units: all.len(),
        dirs: artifact_dirs(&plan.out, scenarios.iter().map(|(s, _)| s)),
        running: hangs::Running::default(),
        hung: Mutex::new(Vec::new()),
        live_workers: AtomicUsize::new(0),
    };
    std::thread::scope(|s| {
        let spawn = || {
            shared.live_workers.fetch_add(1, Ordering::AcqRel);
            // Named `main`: firmware using embassy-sync's ThreadModeRawMutex checks the name.
            std::thread::Builder::new()
                .name("main".into())
                .spawn_scoped(s, || {
                    let _live = hangs::Live(&shared.live_workers);
                    shared.work(&pending)
                })
                .expect("spawn a fuzzing thread");
        };
        for _ in 0..plan.jobs.clamp(1, pending.len().max(1)) {
            spawn();
        }
        if let Some(limit) = plan.hang_limit
            && hangs::watch(&shared, limit, &spawn) > 0
        {
            shared.observer.gave_up(shared.summarize(summary()));
        }
    });
    Ok(shared.summarize(summary()))
}

impl Shared<'_> {
    /// The summary of a campaign whose workers are done (or stuck): counts, and each failure
    /// shrunk and recorded.
    fn summarize(&self, mut summary: Summary) -> Summary {
        summary.executions = self.executions.load(Ordering::Relaxed);
        summary.finished_units = self.finished.load(Ordering::Relaxed);
        summary.stopped_early = summary.resumed_units + summary.finished_units < summary.units;
        summary.total_executions = self.state.lock().unwrap_or_else(|p| p.into_inner()).executions;
        let mut found = std::mem::take(&mut *self.found.lock().unwrap_or_else(|p| p.into_inner()));
        found.sort_by_key(|f| (f.unit.scenario, f.unit.number));
        for f in found {
            let (scenario, app) = &self.scenarios[f.unit.scenario];
            let dir = self.unit_dir(f.unit);
            let (schedule, proved_minimal, report) =
                target::shrink_and_record(scenario, *app, &f.report, dir.clone(), self.plan);
            let replay = dir.join("replay.json");
            summary.failures.push(FuzzFailure {
                scenario: scenario.path.clone(),
                unit: f.unit.number,
                execution: f.execution,
                original_deviations: f.report.choices.schedule.deviations.len(),
                deviations: schedule.deviations.len(),
                proved_minimal,
                replay_file: replay.exists().then_some(replay),
                report,
            });
        }
        summary.hung = std::mem::take(&mut *self.hung.lock().unwrap_or_else(|p| p.into_inner()));
        summary.hung.sort_by_key(|h| (h.scenario.clone(), h.unit));
        summary
    }

    /// Where unit `unit`'s failure goes.
    fn unit_dir(&self, unit: Unit) -> std::path::PathBuf {
        self.dirs[unit.scenario].join(format!("unit-{}", unit.number))
    }
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

/// Choice points of the scenario's run in its own order: PCT's horizon.
fn default_run_length(scenario: &Scenario, app: &dyn App, plan: &Plan) -> u64 {
    let dfs = Arc::new(Mutex::new(Dfs::new(0)));
    let report = run(scenario, app, &plan.options(dfs));
    report.choices.choice_points.max(1)
}

/// What the worker threads share.
struct Shared<'a> {
    plan: &'a Plan,
    scenarios: &'a [(Scenario, &'a dyn App)],
    horizons: &'a [u64],
    state: Mutex<State>,
    next: AtomicUsize,
    stop: AtomicBool,
    executions: AtomicU64,
    finished: AtomicUsize,
    found: Mutex<Vec<Found>>,
    started: Instant,
    observer: &'a dyn Observer,
    /// Units of this shard, in all.
    units: usize,
    /// Per scenario, where its units' failures go.
    dirs: Vec<std::path::PathBuf>,
    /// The executions under way, for the hang watch.
    running: hangs::Running,
    /// Executions given up.
    hung: Mutex<Vec<HungExecution>>,
    /// Worker threads not ended (stuck ones included).
    live_workers: AtomicUsize,
}

impl Shared<'_> {
    fn work(&self, pending: &[Unit]) {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            let next = self.next.fetch_add(1, Ordering::Relaxed);
            // The time limit stops *starting* units, never the first: a campaign that ran
            // nothing would pass having tested nothing (`Fuzz::time_limit` runs one execution
            // too). A unit not started stays pending in the state file.
            if next > 0 && self.plan.time_limit.is_some_and(|t| self.started.elapsed() >= t) {
                return;
            }
            let Some(&unit) = pending.get(next) else { return };
            if let Some(executions) = self.run_unit(unit) {
                if executions < unit.executions {
                    self.observer.skipped(unit.executions - executions);
                }
                self.finish(unit, executions);
            }
        }
    }

    /// Runs a unit's executions; how many ran, if the unit is finished: all of them, or fewer
    /// when one failed or its explorer ran out. `None` if the campaign stopped it.
    fn run_unit(&self, unit: Unit) -> Option<u64> {
        let (scenario, app) = &self.scenarios[unit.scenario];
        let seed = unit_seed(self.plan.seed, unit.number);
        let (explorer, dfs): (SharedExplorer, Option<Arc<Mutex<Dfs>>>) = match self.plan.explorer {
            Explorer::Random => (Arc::new(Mutex::new(Random::new(seed))), None),
            Explorer::Pct { depth } => {
                (Arc::new(Mutex::new(Pct::new(seed, depth, self.horizons[unit.scenario]))), None)
            }
            Explorer::Dfs { bound } => {
                let dfs = Arc::new(Mutex::new(Dfs::new(bound)));
                (dfs.clone(), Some(dfs))
            }
        };
        let options = self.plan.options(explorer);
        for execution in 1..=unit.executions {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            self.running.set(Some((unit, execution)));
            let report = run(scenario, *app, &options);
            self.running.set(None);
            self.executions.fetch_add(1, Ordering::Relaxed);
            self.observer.executed(1);
            if !report.passed() {
                self.found.lock().unwrap_or_else(|p| p.into_inner()).push(Found { unit, execution, report });
                if !self.plan.keep_going {
                    self.stop.store(true, Ordering::Relaxed);
                }
                return Some(execution);
            }
            if dfs.as_ref().is_some_and(|d| d.lock().unwrap_or_else(|p| p.into_inner()).is_exhausted()) {
                return Some(execution);
            }
        }
        Some(unit.executions)
    }

    /// Records a finished unit, which ran `executions`, in the state (and its file).
    fn finish(&self, unit: Unit, executions: u64) {
        let scenario = &self.scenarios[unit.scenario].0.path;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.mark_done(scenario, unit.number, executions);
        if let Some(path) = &self.plan.state
            && let Err(e) = state.save(path)
        {
            eprintln!("fwsim fuzz: cannot write the state file {}: {e}", path.display());
        }
        let done = state.done.values().map(|units| units.len()).sum();
        drop(state);
        self.finished.fetch_add(1, Ordering::Relaxed);
        self.observer.unit_done(scenario, unit.number, executions, done, self.units);
    }
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
