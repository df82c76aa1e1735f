//! A failing scenario run, shrunk and recorded: the scenario as the shrinker's
//! [`Target`](fwsim::fuzz::shrink::Target), and the artifacts of the shrunk run.

use std::path::{Path, PathBuf};

use fwsim::Schedule;
use fwsim::explore::SharedExplorer;
use fwsim::fuzz::shrink::{Attempt, Target, shrink};

use crate::app::App;
use crate::report::Report;
use crate::run::{RunOptions, run};
use crate::scenario::Scenario;

/// A failure the campaign found, shrunk.
#[derive(Clone, Debug)]
pub struct FuzzFailure {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The unit and the execution within it (from 1) that failed first.
    pub unit: u64,
    /// See `unit`.
    pub execution: u64,
    /// The report of the shrunk run.
    pub report: Report,
    /// The failing execution's deviations, and the shrunk schedule's.
    pub original_deviations: usize,
    /// See `original_deviations`.
    pub deviations: usize,
    /// No schedule with fewer deviations fails the same way (proved by DFS).
    pub proved_minimal: bool,
    /// The replay file of the shrunk run (`fwsim replay` runs it), if written.
    pub replay_file: Option<PathBuf>,
}

/// What two failing runs must share to be the same failure: the verdict's kind, the step that
/// failed and its message with numbers masked (virtual times move with the schedule).
pub(crate) fn signature(report: &Report) -> Option<String> {
    let failure = report.failure()?;
    let message: String = failure.message.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
    let kind = if matches!(report.outcome, crate::Outcome::TimedOut(_)) { "timed out" } else { "failed" };
    Some(format!("{kind} at step {:?}: {message}", failure.step))
}

/// The scenario, run under whatever explorer the shrinker hands it.
struct ScenarioTarget<'a> {
    scenario: &'a Scenario,
    app: &'a dyn App,
    plan: &'a super::Plan,
}

impl Target for ScenarioTarget<'_> {
    fn run(&mut self, explorer: SharedExplorer) -> Attempt {
        let report = run(self.scenario, self.app, &self.plan.options(explorer));
        Attempt { failure: signature(&report), diverged: report.choices.diverged, schedule: report.choices.schedule }
    }
}

/// Shrinks a failing run's schedule and runs the result once more with artifacts into
/// `artifact_dir` (with its `replay.json`).
pub(crate) fn shrink_and_record(
    scenario: &Scenario,
    app: &dyn App,
    failing: &Report,
    artifact_dir: PathBuf,
    plan: &super::Plan,
) -> (Schedule, bool, Report) {
    let signature = signature(failing).expect("a failing report");
    let schedule = failing.choices.schedule.clone();
    let shrunk = shrink(&mut ScenarioTarget { scenario, app, plan }, schedule, &signature, plan.shrink_limit);
    let options = RunOptions {
        artifact_dir: Some(artifact_dir),
        replay: Some(shrunk.schedule.clone()),
        isr_jitter: plan.isr_jitter,
        isr_preemption: plan.isr_preemption,
        ..RunOptions::default()
    };
    let report = run(scenario, app, &options);
    (shrunk.schedule, shrunk.proved_minimal, report)
}

/// Records a failing run as it was found, when shrinking it could not finish (one of its runs
/// hung): its `report.json` and a `replay.json` of its own schedule, in `artifact_dir`.
pub(crate) fn record_unshrunk(
    scenario: &Scenario,
    failing: &Report,
    artifact_dir: &Path,
    plan: &super::Plan,
) -> Report {
    let mut report = failing.clone();
    let replay =
        crate::artifacts::replay_file(scenario, failing.choices.schedule.clone(), plan.isr_jitter, plan.isr_preemption);
    let files = [
        ("replay.json", serde_json::to_string_pretty(&replay).expect("a replay serialises")),
        ("report.json", serde_json::to_string_pretty(&report).expect("a report serialises")),
    ];
    let written = std::fs::create_dir_all(artifact_dir).and_then(|()| {
        files.iter().try_for_each(|(name, json)| std::fs::write(artifact_dir.join(name), format!("{json}\n")))
    });
    match written {
        Ok(()) => report.artifacts = files.iter().map(|(name, _)| artifact_dir.join(name)).collect(),
        Err(e) => eprintln!("fwsim fuzz: cannot write into {}: {e}", artifact_dir.display()),
    }
    report
}
