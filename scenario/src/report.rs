//! What a scenario run found: the verdict, each step's times, the serial output, and where
//! the artifacts went. Serialises to `report.json`; [`Report::human`] is the terminal form.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use fwsim::SimTime;
use serde::Serialize;

/// The verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Outcome {
    /// Every step held.
    Passed,
    /// A step did not hold.
    Failed(Failure),
    /// The scenario's time limit came while a step was still waiting.
    TimedOut(Failure),
}

/// Where and why a scenario failed, and what happened just before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The failing step's index (from 0), if a step failed (not a run-wide check).
    pub step: Option<usize>,
    /// Its line in the scenario file (0 for run-wide checks).
    pub line: u32,
    /// Its column.
    pub col: u32,
    /// The virtual time of the failure, in nanoseconds.
    pub at_ns: u64,
    /// What was expected and what happened.
    pub message: String,
    /// The last trace events before the failure (JSON lines).
    pub recent_events: Vec<String>,
    /// The last signal changes before the failure (`time  signal = value`).
    pub recent_signals: Vec<String>,
}

/// One step's run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// Its line in the file.
    pub line: u32,
    /// Its key (`wait-serial`…).
    pub key: String,
    /// Its name, if any.
    pub name: Option<String>,
    /// When it started (ns).
    pub start_ns: u64,
    /// When it ended (ns).
    pub end_ns: u64,
    /// Whether it held.
    pub passed: bool,
}

/// A scenario's run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The scenario file.
    pub file: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// The app.
    pub app: String,
    /// The run order's name.
    pub policy: String,
    /// The seed.
    pub seed: u64,
    /// The verdict.
    pub outcome: Outcome,
    /// The steps that ran.
    pub steps: Vec<StepReport>,
    /// The virtual time at the end (ns).
    pub end_ns: u64,
    /// How much of it the core was busy (ns): the app's cost model and blocking delays
    /// ([`fwsim::Sim::busy_time`]). The rest it was idle.
    pub busy_ns: u64,
    /// Everything each serial port received from the firmware (lossy UTF-8).
    pub serial: BTreeMap<String, String>,
    /// How many of the earliest signal changes were dropped to keep the record bounded
    /// (`board.vcd` and `signals.txt` start after them).
    pub signals_dropped: u64,
    /// The determinism fingerprint of the run's trace: equal for a replay of it.
    pub trace_hash: Option<String>,
    /// Diagnostics the simulation recorded.
    pub diagnostics: Vec<String>,
    /// The artifact files written.
    pub artifacts: Vec<PathBuf>,
    /// The choices the run made (for fuzzing and replay; not in `report.json`).
    #[serde(skip)]
    pub choices: RunChoices,
}

/// The choices a run made: what a schedule fuzzer needs from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunChoices {
    /// The schedule it took (its deviations from the run order).
    pub schedule: fwsim::Schedule,
    /// Choice points met.
    pub choice_points: u64,
    /// A replayed schedule did not fit the run.
    pub diverged: bool,
    /// The schedule's deviations in words (see `fwsim::Sim::deviations_explained`; the run
    /// is traced, so they are).
    pub explained: Vec<String>,
}

impl Report {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// The failure, if any.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Passed => None,
            Outcome::Failed(f) | Outcome::TimedOut(f) => Some(f),
        }
    }

    /// The verdict for a terminal. `verbose` adds every step's times.
    pub fn human(&self, verbose: bool) -> String {
        let mut out = String::new();
        let end = SimTime(self.end_ns);
        let what = format!(
            "{} ({}, app {}, {} order, seed {})",
            self.name,
            self.file.display(),
            self.app,
            self.policy,
            self.seed
        );
        match &self.outcome {
            Outcome::Passed => {
                let busy = if self.busy_ns > 0 {
                    format!(", CPU idle {:.3} %", idle_percent(self.busy_ns, self.end_ns))
                } else {
                    String::new()
                };
                let steps = counted(self.steps.len() as u64, "step");
                let _ = writeln!(out, "PASS {what}: {steps} in {end} of virtual time{busy}");
            }
            Outcome::Failed(f) | Outcome::TimedOut(f) => {
                let verdict = if matches!(self.outcome, Outcome::TimedOut(_)) { "TIMEOUT" } else { "FAIL" };
                let _ = writeln!(out, "{verdict} {what}");
                let place = if f.line > 0 {
                    format!("{}:{}:{}", self.file.display(), f.line, f.col)
                } else {
                    self.file.display().to_string()
                };
                let step = f.step.map(|i| format!("step {} ", i + 1)).unwrap_or_default();
                let _ = writeln!(out, "  {place}: {step}at {}: {}", SimTime(f.at_ns), f.message);
                if !f.recent_signals.is_empty() {
                    let _ = writeln!(out, "  last signal changes:");
                    for s in &f.recent_signals {
                        let _ = writeln!(out, "    {s}");
                    }
                }
                if !f.recent_events.is_empty() {
                    let _ = writeln!(out, "  last trace events:");
                    for e in &f.recent_events {
                        let _ = writeln!(out, "    {e}");
                    }
                }
            }
        }
        if verbose {
            for (i, s) in self.steps.iter().enumerate() {
                let mark = if s.passed { "ok  " } else { "FAIL" };
                let name = s.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {mark} {:>3}. line {:>3} {}{name}: {} .. {}",
                    i + 1,
                    s.line,
                    s.key,
                    SimTime(s.start_ns),
                    SimTime(s.end_ns)
                );
            }
            if self.signals_dropped > 0 {
                let _ = writeln!(
                    out,
                    "  the signal record kept the latest changes; {} earlier ones were dropped",
                    self.signals_dropped
                );
            }
            for d in &self.diagnostics {
                let _ = writeln!(out, "  diagnostic: {d}");
            }
        }
        out
    }
}

/// The share of `elapsed_ns` that was not busy, in per cent (100 when no time has passed).
pub(crate) fn idle_percent(busy_ns: u64, elapsed_ns: u64) -> f64 {
    if elapsed_ns == 0 { 100.0 } else { 100.0 * (1.0 - busy_ns as f64 / elapsed_ns as f64) }
}

/// `n` and the noun, singular for one (`1 step`, `3 steps`), for reports and the command's
/// summaries.
///
/// ```
/// assert_eq!(fwsim_scenario::counted(1, "scenario"), "1 scenario");
/// assert_eq!(fwsim_scenario::counted(0, "failure"), "0 failures");
/// assert_eq!(fwsim_scenario::counted(22, "execution"), "22 executions");
/// ```
pub fn counted(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}
