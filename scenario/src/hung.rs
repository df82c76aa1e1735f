//! The report of a scenario whose firmware never gave the CPU back: one poll of a task ran
//! for longer than the harness would wait, in wall time ([`fwsim::long_polls`]).
//!
//! Its simulation is stuck inside that poll on its own thread, so nothing it holds (the trace,
//! the board's signals, the serial output) can be read. What is known is written: which task,
//! from what virtual time, for how long, and `report.json`. The run is deterministic, so the
//! same command hangs the same way.

use std::path::Path;

use fwsim::LongPoll;

use crate::report::{Failure, Outcome, Report, RunChoices};
use crate::scenario::Scenario;

/// The failed report of `scenario`, whose run is stuck in `poll`; written to
/// `artifact_dir/report.json` too, when there is a directory.
pub fn hung(scenario: &Scenario, poll: &LongPoll, artifact_dir: Option<&Path>) -> Report {
    let message = format!(
        "the firmware never gave the CPU back: one poll of task {} has run since {} of virtual time, for {:.1} s of \
         wall time (the hang limit), and nothing else runs until it returns (a loop with no `.await` that reads \
         nothing fwsim models, such as `loop {{}}` or a long computation); the run was given up, so there is no \
         trace or board record",
        poll.task,
        poll.at,
        poll.wall.as_secs_f64()
    );
    let mut report = Report {
        file: scenario.path.clone(),
        name: scenario.name.clone(),
        app: scenario.app.clone(),
        policy: scenario.policy.name().to_string(),
        seed: scenario.seed,
        outcome: Outcome::Failed(Failure {
            step: None,
            line: 0,
            col: 0,
            at_ns: poll.at.as_nanos(),
            message,
            recent_events: Vec::new(),
            recent_signals: Vec::new(),
        }),
        steps: Vec::new(),
        end_ns: poll.at.as_nanos(),
        busy_ns: 0,
        serial: Default::default(),
        signals_dropped: 0,
        trace_hash: None,
        diagnostics: Vec::new(),
        artifacts: Vec::new(),
        choices: RunChoices::default(),
    };
    if let Some(dir) = artifact_dir {
        let path = dir.join("report.json");
        report.artifacts = vec![path.clone()];
        let json = serde_json::to_string_pretty(&report).expect("a report serialises");
        let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, json + "\n"));
        if let Err(e) = written {
            eprintln!("fwsim: cannot write {}: {e}", path.display());
            report.artifacts.clear();
        }
    }
    report
}
