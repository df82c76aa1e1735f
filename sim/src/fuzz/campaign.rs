//! The campaign loop: explore until a failure or the budget, then shrink and report; or
//! replay a saved failure.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::execute::{Execution, Failed, execute, execute_lending};
use super::hang::Whereabouts;
use super::progress::Progress;
use super::shrink::{Attempt, Target, shrink};
use super::{Failure, Fault, Fuzz, ReplayFile, Report, Strategy};
use crate::config::SimConfig;
use crate::explore::{Dfs, Lent, LentExplorer, Pct, Random, Realizable, Replay, SharedExplorer};
use crate::policy::Schedule;
use crate::sim::Sim;
use crate::testing::artifacts_root;

/// Why a body cannot be fuzzed or replayed (it is not deterministic, or a replay file no
/// longer fits it): raised as a panic at the caller's line, not on the campaign's thread.
pub(super) struct Unfuzzable(pub(super) String);

/// How a campaign ends: passing, with a shrunk failure, or unable to go on.
pub(super) type Ended = Result<Result<Report, Box<Failure>>, Unfuzzable>;

impl Unfuzzable {
    /// The campaign's outcome, or the panic that says why it could not go on, raised at the
    /// line that called fwsim.
    #[track_caller]
    pub(super) fn raise(ended: Ended) -> Result<Report, Box<Failure>> {
        // A `match`, not `unwrap_or_else`: a closure's panic would name the closure's line.
        match ended {
            Ok(outcome) => outcome,
            Err(Unfuzzable(why)) => panic!("{why}"),
        }
    }
}

/// The campaign's explorer, which it lends to each execution in turn (see `explore::lent`).
fn campaign_explorer(strategy: Strategy, seed: u64, realizable: bool) -> Box<LentExplorer> {
    let explorer = match strategy {
        Strategy::Random => Lent::Random(Random::new(seed)),
        Strategy::Pct { depth } => Lent::Pct(Pct::adaptive(seed, depth)),
        Strategy::Dfs { bound } => Lent::Dfs(Dfs::new(bound)),
    };
    // A random campaign's executions record no schedule: most pass, and the one that fails is
    // run again from the explorer's state with recording on (`rerun_recorded`), which saves
    // every execution the bookkeeping of the schedule (about 5 % of a small one, measured).
    let record = !matches!(explorer, Lent::Random(_));
    Box::new(LentExplorer { explorer, realizable, record })
}

/// `explorer`, limited to the realizable choices if the campaign is.
fn scope_of(realizable: bool, explorer: SharedExplorer) -> SharedExplorer {
    if realizable { Arc::new(Mutex::new(Realizable::new(explorer))) } else { explorer }
}

/// The configuration every execution of the campaign starts from: the user's, over the
/// campaign's order, quiet, without a trace (the reported run records one).
fn base_config(fuzz: &Fuzz) -> SimConfig {
    fuzz.config.clone().order(fuzz.order).quiet_panics(true).no_trace()
}

/// Explores until a failure, the iterations, the time limit, or an exhausted explorer.
pub(super) fn explore<F>(fuzz: &Fuzz, body: &F, at: &Whereabouts) -> Ended
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    explore_from(fuzz, base_config(fuzz), body, at)
}

/// [`explore`], each execution traced: the same executions (a trace changes no choice), and
/// the names of their tasks kept where the watchdog reads them. Slower; for the run again
/// that names a hung task (see `hang`).
pub(super) fn explore_traced<F>(fuzz: &Fuzz, body: &F, at: &Whereabouts) -> Ended
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    // (A trace of the process's own, in memory: never the user's trace file.)
    let trace = crate::trace::TraceConfig { ring: 64, ..crate::trace::TraceConfig::default() };
    explore_from(fuzz, fuzz.config.clone().order(fuzz.order).quiet_panics(true).trace(trace), body, at)
}

fn explore_from<F>(fuzz: &Fuzz, base: SimConfig, body: &F, at: &Whereabouts) -> Ended
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let mut explorer = Some(campaign_explorer(fuzz.strategy, fuzz.seed, fuzz.realizable));
    let config = std::rc::Rc::new(base.clone());
    let mut progress = Progress::start(fuzz);
    let started = progress.started();
    let mut report = Report { executions: 0, exhausted: false, longest_run: 0 };
    while report.executions < fuzz.iterations {
        if fuzz.time_limit.is_some_and(|limit| time_is_up(report.executions, started, limit)) {
            break;
        }
        let horizon = explorer.as_ref().and_then(|e| e.pct_horizon());
        let unrecorded = explorer.as_ref().filter(|e| !e.record).and_then(|e| e.random_state());
        at.executing(report.executions + 1);
        let exec = execute_lending(&config, body, None, &mut explorer);
        assert!(explorer.is_some(), "fwsim: the campaign's explorer was not handed back");
        report.executions += 1;
        report.longest_run = report.longest_run.max(exec.choice_points);
        progress.executed(fuzz, report.executions);
        if exec.diverged {
            return Err(Unfuzzable(format!(
                "fwsim: `{}` is not deterministic: execution {} met other choices than the one before it \
                 with the same answers (look for wall-clock reads, thread timing, HashMap iteration or \
                 statics kept between executions)",
                fuzz.name.as_deref().unwrap_or_default(),
                report.executions
            )));
        }
        if let Some(failed) = exec.failed {
            progress.failed(fuzz, report.executions);
            let Failed { fault, schedule, .. } = match unrecorded {
                Some(state) => rerun_recorded(fuzz, &config, body, state, failed.fault, report.executions)?,
                None => *failed,
            };
            let found = Found { execution: report.executions, horizon, schedule, fault };
            at.shrinking(replay_file(fuzz, &base, &found, found.schedule.clone()));
            return Ok(Err(Box::new(finish(fuzz, &base, body, found))));
        }
        if explorer.as_ref().is_some_and(|e| e.exhausted()) {
            report.exhausted = true;
            break;
        }
    }
    progress.passed(fuzz, &report);
    Ok(Ok(report))
}

/// Whether a campaign that has run `executions` is past its time `limit`. Always false before
/// the first execution, so that a campaign runs one at least. The clock is read after each of
/// the first 64 executions, then after every 64th: a read costs about a hundred instructions
/// (over 1 % of a small execution), and overshooting by 63 small executions costs microseconds.
#[inline]
fn time_is_up(executions: u64, started: std::time::Instant, limit: std::time::Duration) -> bool {
    executions > 0 && (executions < 64 || executions.is_multiple_of(64)) && started.elapsed() >= limit
}

/// Runs execution `execution`, which failed with `fault` without recording its schedule, again
/// from the random explorer's `state` before it: the same answers, now recorded.
fn rerun_recorded<F>(
    fuzz: &Fuzz,
    config: &std::rc::Rc<SimConfig>,
    body: &F,
    state: Random,
    fault: Fault,
    execution: u64,
) -> Result<Failed, Unfuzzable>
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let lent = LentExplorer { explorer: Lent::Random(state), realizable: fuzz.realizable, record: true };
    let again = execute_lending(config, body, None, &mut Some(Box::new(lent)));
    match again.failed {
        Some(same) if same.fault == fault => Ok(*same),
        other => Err(Unfuzzable(format!(
            "fwsim: `{}` is not deterministic: execution {execution} failed ({}), and run again with the \
             same answers it {} (look for wall-clock reads, thread timing, HashMap iteration or statics \
             kept between executions)",
            fuzz.name.as_deref().unwrap_or_default(),
            fault.signature(),
            match other {
                Some(f) => format!("failed otherwise ({})", f.fault.signature()),
                None => "passed".to_owned(),
            }
        ))),
    }
}

/// A failing execution, before shrinking.
struct Found {
    execution: u64,
    horizon: Option<u64>,
    schedule: Schedule,
    fault: Fault,
}

/// A fuzzed body as the shrinker's [`Target`].
struct BodyTarget<'a, F> {
    base: &'a SimConfig,
    body: &'a F,
    realizable: bool,
}

impl<F> Target for BodyTarget<'_, F>
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    fn run(&mut self, explorer: SharedExplorer) -> Attempt {
        let explorer = scope_of(self.realizable, explorer);
        let exec = execute(&self.base.clone().shared_explorer(explorer), self.body, None);
        let (schedule, failure) = match exec.failed {
            Some(failed) => (failed.schedule, Some(failed.fault.signature())),
            // (A passing attempt's schedule is never read.)
            None => (Schedule::default(), None),
        };
        Attempt { schedule, failure, diverged: exec.diverged }
    }
}

/// Shrinks, re-runs the shrunk schedule with the full trace into the artifacts directory,
/// writes the replay file, and builds the report.
fn finish<F>(fuzz: &Fuzz, base: &SimConfig, body: &F, found: Found) -> Failure
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let test = fuzz.name.clone().unwrap_or_default();
    let original_deviations = found.schedule.deviations.len();
    let signature = found.fault.signature();
    let mut target = BodyTarget { base, body, realizable: fuzz.realizable };
    let shrunk = shrink(&mut target, found.schedule.clone(), &signature, fuzz.shrink_limit);
    let mut file = replay_file(fuzz, base, &found, shrunk.schedule);
    let Recorded { artifacts, replay_file, explained } = record(base, body, &mut file);
    Failure {
        test,
        strategy: fuzz.strategy,
        seed: fuzz.seed,
        execution: found.execution,
        fault: file.fault,
        deviations: file.schedule.deviations.len(),
        original_deviations,
        shrink_runs: shrunk.runs,
        proved_minimal: shrunk.proved_minimal,
        schedule: file.schedule,
        explained,
        artifacts,
        replay_file,
    }
}

/// The replay file of `found`, under `schedule`.
fn replay_file(fuzz: &Fuzz, base: &SimConfig, found: &Found, schedule: Schedule) -> ReplayFile {
    ReplayFile {
        fwsim_version: env!("CARGO_PKG_VERSION").to_owned(),
        test: fuzz.name.clone().unwrap_or_default(),
        explorer: fuzz.strategy,
        explorer_seed: fuzz.seed,
        pct_horizon: found.horizon,
        execution: found.execution,
        realizable: fuzz.realizable,
        sim_seed: base.seed,
        schedule,
        fault: found.fault.clone(),
    }
}

/// What the report run left: the artifacts directory (or why not), the replay file, and the
/// schedule's deviations in words.
struct Recorded {
    artifacts: Result<PathBuf, String>,
    replay_file: Option<PathBuf>,
    explained: Vec<String>,
}

/// Runs `file`'s schedule with the full trace, writing the artifacts and the replay file
/// (with the fault of this run).
fn record<F>(base: &SimConfig, body: &F, file: &mut ReplayFile) -> Recorded
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let dir = artifacts_root().join(file.test.replace("::", "-"));
    let made = std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()));
    let mut config = base.clone().order(file.schedule.order).replaying(&file.schedule);
    config.trace.enabled = true;
    config.trace.keep_all = true;
    let exec: Execution = execute(&config, body, made.as_ref().ok().map(|_| dir.as_path()));
    let mut explained = Vec::new();
    if let Some(failed) = exec.failed {
        file.fault = failed.fault;
        explained = failed.explained;
    }
    let Ok(()) = made else { return Recorded { artifacts: made.map(|_| dir), replay_file: None, explained } };
    let path = dir.join("replay.json");
    match file.write(&path) {
        Ok(()) => Recorded { artifacts: Ok(dir), replay_file: Some(path), explained },
        Err(e) => Recorded { artifacts: Err(format!("{}: {e}", path.display())), replay_file: None, explained },
    }
}

/// Runs a saved failure's schedule once (`FWSIM_REPLAY`).
pub(super) fn replay<F>(fuzz: &Fuzz, file: &ReplayFile, body: &F) -> Ended
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let base = base_config(fuzz).seed(file.sim_seed).order(file.schedule.order);
    let replay = Arc::new(Mutex::new(Replay::new(&file.schedule)));
    let exec = execute(&base.clone().explorer(replay.clone()), body, None);
    let unmet = replay.lock().unwrap_or_else(|p| p.into_inner()).unmet();
    if exec.diverged || unmet > 0 {
        let ours = env!("CARGO_PKG_VERSION");
        let cause = if file.fwsim_version == ours {
            "the test or the code under test changed since it was written".to_owned()
        } else {
            format!("it was written by fwsim {}, this is fwsim {ours}; or the test changed", file.fwsim_version)
        };
        return Err(Unfuzzable(format!(
            "fwsim: the replay file for `{}` no longer fits the test: its schedule diverged from the run ({cause})",
            file.test
        )));
    }
    let Some(_) = exec.failed else {
        eprintln!("fwsim: `{}`: the replayed schedule passes now", file.test);
        return Ok(Ok(Report { executions: 1, exhausted: false, longest_run: exec.choice_points }));
    };
    let mut file = file.clone();
    let Recorded { artifacts, replay_file, explained } = record(&base, body, &mut file);
    Ok(Err(Box::new(Failure {
        test: file.test.clone(),
        strategy: file.explorer,
        seed: file.explorer_seed,
        execution: 0,
        fault: file.fault.clone(),
        deviations: file.schedule.deviations.len(),
        original_deviations: file.schedule.deviations.len(),
        shrink_runs: 0,
        proved_minimal: false,
        schedule: file.schedule.clone(),
        explained,
        artifacts,
        replay_file,
    })))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::time_is_up;

    /// With its time up, a campaign still runs one execution, stops after any of its first 64,
    /// and after those only at a multiple of 64.
    #[test]
    fn the_clock_is_read_after_each_early_execution_then_every_64th() {
        let (started, up, never) = (Instant::now(), Duration::ZERO, Duration::from_secs(3600));
        assert!(!time_is_up(0, started, up), "no execution yet");
        assert!((1..64).all(|n| time_is_up(n, started, up)));
        assert!((65..128).all(|n| !time_is_up(n, started, up)));
        assert!(time_is_up(64, started, up) && time_is_up(128, started, up));
        assert!((0..200).all(|n| !time_is_up(n, started, never)));
    }
}
