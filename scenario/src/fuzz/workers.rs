//! The campaign's worker threads: each takes the next pending unit, runs its executions and
//! records it as done; a failure stops the others unless the plan goes on. When they are done
//! (or stuck, see [`hangs`](super::hangs)), each failure is shrunk and recorded.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use fwsim::explore::{Dfs, Pct, Random, SharedExplorer};

use super::state::State;
use super::{Explorer, Found, FuzzFailure, HungExecution, Observer, Plan, Summary, Unit, hangs, target, unit_seed};
use crate::app::App;
use crate::run::run;
use crate::scenario::Scenario;

/// Runs the pending units on the plan's threads and gives the summary, or, if a run was
/// given up stuck in one poll, hands the summary to the observer, which ends the process.
pub(super) fn run_all(shared: &Shared<'_>, pending: &[Unit], summary: impl Fn() -> Summary) -> Summary {
    std::thread::scope(|s| {
        let (done, ended) = std::sync::mpsc::channel();
        let spawn = || {
            shared.live_workers.fetch_add(1, Ordering::AcqRel);
            let done = done.clone();
            // Named `main`: firmware using embassy-sync's ThreadModeRawMutex checks the name.
            std::thread::Builder::new()
                .name("main".into())
                .spawn_scoped(s, || {
                    let _live = hangs::Live(&shared.live_workers, done);
                    shared.work(pending)
                })
                .expect("spawn a fuzzing thread");
        };
        for _ in 0..shared.plan.jobs.clamp(1, pending.len().max(1)) {
            spawn();
        }
        // (A worker's panic ends the campaign when the scope joins it.)
        let stuck = hangs::watch(shared, shared.plan.hang_limit, &ended, &spawn);
        let summary = shared.summarize(s, summary());
        if stuck > 0 || !summary.hung.is_empty() {
            shared.observer.gave_up(summary);
        }
        summary
    })
}

/// PCT's horizon for each scenario: the choice points of its run in its own order. A run
/// stuck in one poll ends the campaign through the observer.
pub(super) fn horizons(
    plan: &Plan,
    scenarios: &[(Scenario, &dyn App)],
    dirs: &[std::path::PathBuf],
    observer: &dyn Observer,
    summary: impl Fn() -> Summary,
) -> Vec<u64> {
    let length = |(scenario, app): &(Scenario, &dyn App)| {
        let dfs = Arc::new(Mutex::new(Dfs::new(0)));
        let report = run(scenario, *app, &plan.options(dfs));
        report.choices.choice_points.max(1)
    };
    std::thread::scope(|s| {
        let mut hung = Vec::new();
        let lengths = scenarios
            .iter()
            .zip(dirs)
            .map(|(pair, dir)| {
                fwsim::run_watched(s, plan.hang_limit, || length(pair)).unwrap_or_else(|poll| {
                    let report = crate::hung(&pair.0, &poll, Some(&dir.join("horizon")));
                    hung.push(HungExecution { scenario: pair.0.path.clone(), stage: hangs::Stage::Horizon, report });
                    1
                })
            })
            .collect();
        if !hung.is_empty() {
            observer.gave_up(Summary { hung, ..summary() });
        }
        lengths
    })
}

/// What the worker threads share.
pub(super) struct Shared<'a> {
    pub(super) plan: &'a Plan,
    pub(super) scenarios: &'a [(Scenario, &'a dyn App)],
    pub(super) horizons: &'a [u64],
    pub(super) state: Mutex<State>,
    pub(super) next: AtomicUsize,
    pub(super) stop: AtomicBool,
    pub(super) executions: AtomicU64,
    pub(super) finished: AtomicUsize,
    /// DFS units that ran out of schedules, every one passing.
    pub(super) exhausted: AtomicUsize,
    pub(super) found: Mutex<Vec<Found>>,
    pub(super) started: Instant,
    pub(super) observer: &'a dyn Observer,
    /// Units of this shard, in all.
    pub(super) units: usize,
    /// Per scenario, where its units' failures go.
    pub(super) dirs: Vec<std::path::PathBuf>,
    /// The executions under way, for the hang watch.
    pub(super) running: hangs::Running,
    /// Executions given up.
    pub(super) hung: Mutex<Vec<HungExecution>>,
    /// Worker threads not ended (stuck ones included).
    pub(super) live_workers: AtomicUsize,
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
                self.exhausted.fetch_add(1, Ordering::Relaxed);
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

    /// The summary of a campaign whose workers are done (or stuck): counts, and each failure
    /// shrunk and recorded (unshrunk, if a run of its shrinking hangs).
    fn summarize<'s>(&'s self, scope: &'s std::thread::Scope<'s, '_>, mut summary: Summary) -> Summary {
        summary.executions = self.executions.load(Ordering::Relaxed);
        summary.finished_units = self.finished.load(Ordering::Relaxed);
        summary.exhausted_units = self.exhausted.load(Ordering::Relaxed);
        summary.stopped_early = summary.resumed_units + summary.finished_units < summary.units;
        summary.total_executions = self.state.lock().unwrap_or_else(|p| p.into_inner()).executions;
        let mut found = std::mem::take(&mut *self.found.lock().unwrap_or_else(|p| p.into_inner()));
        found.sort_by_key(|f| (f.unit.scenario, f.unit.number));
        for f in found {
            let (scenario, app) = &self.scenarios[f.unit.scenario];
            let dir = self.unit_dir(f.unit);
            // Owns what it reads: a stuck thread outlives this loop.
            let (failing, into, plan) = (f.report.clone(), dir.clone(), self.plan);
            let shrink = move || target::shrink_and_record(scenario, *app, &failing, into, plan);
            let shrunk = fwsim::run_watched(scope, self.plan.hang_limit, shrink);
            let (schedule, proved_minimal, report) = shrunk.unwrap_or_else(|poll| {
                let report = crate::hung(scenario, &poll, Some(&dir.join("hung-while-shrinking")));
                let stage = hangs::Stage::Shrinking(f.unit.number);
                let hung = HungExecution { scenario: scenario.path.clone(), stage, report };
                self.hung.lock().unwrap_or_else(|p| p.into_inner()).push(hung);
                let report = target::record_unshrunk(scenario, &f.report, &dir, self.plan);
                (f.report.choices.schedule.clone(), false, report)
            });
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
        summary.hung.sort_by_key(|h| (h.scenario.clone(), h.stage));
        summary
    }

    /// Where unit `unit`'s failure goes.
    pub(super) fn unit_dir(&self, unit: Unit) -> std::path::PathBuf {
        self.dirs[unit.scenario].join(format!("unit-{}", unit.number))
    }
}
