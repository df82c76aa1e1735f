//! What a failing execution is, when two failures are the same, and the report.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Strategy;
use crate::diag::{Diagnostic, SimError};
use crate::policy::Schedule;
use crate::time::SimTime;

/// What went wrong in one execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// `panic` for a panic in the test body; the [error's kind](crate::SimError::kind)
    /// (`Deadlock`, `InvariantBroken`…) when that panic carried a run method's error out of
    /// the body; else the diagnostic's kind (`TaskPanicked`, `WakerDropped`…).
    pub kind: String,
    /// The panic message or the diagnostic, in words.
    pub message: String,
    /// The task it happened in (`name#serial`); `None` for the test body (a run method's
    /// error is the body's: its message names the tasks).
    pub task: Option<String>,
    /// The virtual time.
    pub at: SimTime,
    /// Where the panic was raised (`file:line:column`), when known.
    pub location: Option<String>,
}

impl Fault {
    pub(crate) fn from_diagnostic(d: &Diagnostic) -> Self {
        let message = match d {
            Diagnostic::TaskPanicked { message, .. } => message.clone(),
            other => other.to_string(),
        };
        Fault { kind: d.kind().to_owned(), message, task: d.task().map(str::to_owned), at: d.at(), location: None }
    }

    /// The error `e` a run method returned, which stopped the body with a panic raised at
    /// `location` (an `unwrap`, say) at virtual time `now`. The message leads with what stays
    /// the same when the schedule changes (see [`signature`](Self::signature)).
    pub(crate) fn from_run_error(e: &SimError, now: SimTime, location: Option<String>) -> Self {
        let (message, at) = match e {
            SimError::Deadlock(report) => (report.tasks_waiting(), report.at),
            SimError::Livelock { tasks, at } => {
                (format!("tasks wake each other for ever at one instant: {}", tasks.join(", ")), *at)
            }
            SimError::InvariantBroken { name, at, after } => {
                (format!("invariant `{name}` broken\n  after {after}"), *at)
            }
            SimError::Strict(d) => return Fault { location, ..Fault::from_diagnostic(d) },
            SimError::MainPanicked(_) | SimError::Task { .. } => (e.to_string(), now),
        };
        Fault { kind: e.kind().to_owned(), message, task: None, at, location }
    }

    /// What two failures must share to be "the same bug": the kind, and a panic's location
    /// or else the message's first line with its numbers masked (times and serials move when
    /// the schedule changes; the assertion does not). Not the task: the same assertion
    /// failing in another task running the same code is the same bug. (A run method's error
    /// keeps the location of the panic that it caused, but one line such as an `unwrap` can
    /// raise different errors: its message says which.)
    pub fn signature(&self) -> String {
        let what = match &self.location {
            Some(l) if matches!(self.kind.as_str(), "panic" | "TaskPanicked") => l.clone(),
            _ => {
                let line = self.message.lines().next().unwrap_or("");
                line.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect()
            }
        };
        format!("{} at {what}", self.kind)
    }
}

/// A campaign's failure: the fault, where the campaign found it, and the shrunk schedule that
/// replays it. Its `Display` is the report [`Fuzz::run`](super::Fuzz::run) panics with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Failure {
    /// The test's name.
    pub test: String,
    /// The explorer that found it.
    pub strategy: Strategy,
    /// The explorer's seed.
    pub seed: u64,
    /// Which execution failed first (counting from 1); 0 for a replay.
    pub execution: u64,
    /// What went wrong in the shrunk run.
    pub fault: Fault,
    /// The shrunk schedule's deviations from the run order.
    pub deviations: usize,
    /// The failing execution's deviations, before shrinking.
    pub original_deviations: usize,
    /// Replays the shrinker ran.
    pub shrink_runs: u64,
    /// A depth-first search showed that no schedule with fewer deviations fails this way.
    pub proved_minimal: bool,
    /// The shrunk schedule.
    pub schedule: Schedule,
    /// The shrunk schedule's deviations in words, as the report run met them (see
    /// [`Sim::deviations_explained`](crate::Sim::deviations_explained)).
    pub explained: Vec<String>,
    /// The artifacts directory, or why it could not be written.
    pub artifacts: Result<PathBuf, String>,
    /// The replay file, when written.
    pub replay_file: Option<PathBuf>,
}

/// How many deviations the report explains; the trace has the rest.
const SHOWN_EXPLAINED: usize = 8;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fault = &self.fault;
        if self.execution == 0 {
            writeln!(f, "fwsim: `{}` fails when its replay file is replayed:", self.test)?;
        } else {
            writeln!(
                f,
                "fwsim: `{}` failed in execution {} ({}, seed {}):",
                self.test, self.execution, self.strategy, self.seed
            )?;
        }
        let task = fault.task.as_deref().map_or("the test body".to_owned(), |t| format!("task {t}"));
        // A message's further lines (an assertion's operands, the tasks a deadlock left
        // waiting) are indented under its first.
        let message = fault.message.replace('\n', "\n  ");
        writeln!(f, "  {} in {task} at virtual time {}: {message}", fault.kind, fault.at)?;
        if let Some(l) = &fault.location {
            writeln!(f, "  raised at {l}")?;
        }
        if self.execution == 0 {
            // Replayed as the file gives it: nothing was searched or shrunk.
            writeln!(
                f,
                "  schedule: {} deviation(s) from the {:?} order, as the replay file gives it",
                self.deviations, self.schedule.order
            )?;
        } else if self.original_deviations == 0 {
            // Nothing was shrunk: "0 deviations, shrunk from 0 in 0 runs" would say nothing.
            writeln!(f, "  schedule: the {:?} order's own, with no deviation", self.schedule.order)?;
        } else {
            let minimal = if self.proved_minimal { ", the fewest possible" } else { "" };
            writeln!(
                f,
                "  schedule: {} deviation(s) from the {:?} order{minimal} (shrunk from {} in {} runs)",
                self.deviations, self.schedule.order, self.original_deviations, self.shrink_runs
            )?;
        }
        let shown = self.explained.len().min(SHOWN_EXPLAINED);
        for line in &self.explained[..shown] {
            writeln!(f, "    {line}")?;
        }
        if shown > 0 && self.deviations > shown {
            writeln!(f, "    … {} more in the trace (Deviation records)", self.deviations - shown)?;
        }
        match &self.artifacts {
            Ok(dir) => writeln!(f, "  artifacts: {}", dir.display())?,
            Err(e) => writeln!(f, "  artifacts not written: {e}")?,
        }
        if let Some(file) = &self.replay_file {
            let filter = self.test.rsplit("::").next().unwrap_or(&self.test);
            write!(f, "  replay: FWSIM_REPLAY={} cargo test {filter}", file.display())?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// What a fuzzed `async fn` body may return: `()`, or a `Result` whose error fails the test.
pub trait Outcome {
    /// Panics if the outcome is a failure.
    fn check(self);
}

impl Outcome for () {
    fn check(self) {}
}

impl<E: fmt::Debug> Outcome for Result<(), E> {
    fn check(self) {
        if let Err(e) = self {
            panic!("the test returned an error: {e:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report explains its first deviations and counts the rest.
    #[test]
    fn a_long_schedule_is_explained_in_part() {
        let fault = Fault { kind: "panic".into(), message: "boom".into(), task: None, at: SimTime(0), location: None };
        let explained: Vec<String> = (0..10).map(|i| format!("deviation {i}")).collect();
        let failure = Failure {
            test: "t".into(),
            strategy: Strategy::Random,
            seed: 0,
            execution: 1,
            fault,
            deviations: 10,
            original_deviations: 12,
            shrink_runs: 5,
            proved_minimal: false,
            schedule: Schedule::default(),
            explained,
            artifacts: Err("not written".into()),
            replay_file: None,
        };
        let text = failure.to_string();
        assert!(text.contains("\n    deviation 7\n    … 2 more in the trace (Deviation records)\n"), "{text}");
        assert!(!text.contains("deviation 8"), "{text}");
    }
}
