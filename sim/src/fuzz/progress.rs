//! Progress lines for a long campaign: how many executions so far, then what the campaign did.
//!
//! A campaign of the default size takes milliseconds and says nothing. One widened from the
//! environment (`FWSIM_ITERATIONS`, `FWSIM_TIME_LIMIT`) or given an interval
//! ([`Fuzz::progress`](super::Fuzz::progress), `FWSIM_PROGRESS`) can run for minutes: it prints
//! a line on stderr at most once per interval, and one at the end. Under `cargo test` the lines
//! are captured like any test output: `--nocapture` shows them as they come.
//!
//! Only what is printed depends on the wall clock; what runs does not.

use std::time::{Duration, Instant};

use super::{Fuzz, Report};

/// How many executions pass between two looks at the clock: a look costs about as much as a
/// small execution.
const CHECK_EVERY: u64 = 1024;

/// The interval when the environment widened the campaign and did not set one.
pub(super) const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// A campaign's progress lines.
pub(super) struct Progress {
    started: Instant,
    interval: Option<Duration>,
    last: Instant,
}

impl Progress {
    /// Starts the clock; prints nothing unless `fuzz` has an interval.
    pub(super) fn start(fuzz: &Fuzz) -> Self {
        let now = Instant::now();
        Progress { started: now, interval: fuzz.progress, last: now }
    }

    /// When the campaign started.
    pub(super) fn started(&self) -> Instant {
        self.started
    }

    /// After each execution: a line if the interval has passed since the last one.
    #[inline]
    pub(super) fn executed(&mut self, fuzz: &Fuzz, executions: u64) {
        if executions.is_multiple_of(CHECK_EVERY)
            && let Some(interval) = self.interval
        {
            self.look(fuzz, executions, interval);
        }
    }

    #[cold]
    fn look(&mut self, fuzz: &Fuzz, executions: u64, interval: Duration) {
        let now = Instant::now();
        if now.duration_since(self.last) < interval {
            return;
        }
        self.last = now;
        let elapsed = now.duration_since(self.started);
        eprintln!(
            "fwsim: `{}`: {executions} of {} executions, {} ({}/s)",
            name(fuzz),
            fuzz.iterations,
            seconds(elapsed),
            rate(executions, elapsed)
        );
    }

    /// A failing execution was found: shrinking begins.
    pub(super) fn failed(&self, fuzz: &Fuzz, execution: u64) {
        if self.interval.is_some() {
            eprintln!(
                "fwsim: `{}`: execution {execution} failed; shrinking its schedule (at most {})",
                name(fuzz),
                seconds(fuzz.shrink_limit)
            );
        }
    }

    /// The campaign passed: what ran, and why it stopped.
    pub(super) fn passed(&self, fuzz: &Fuzz, report: &Report) {
        if self.interval.is_none() {
            return;
        }
        let elapsed = self.started.elapsed();
        let why = if report.exhausted {
            "; every schedule within the bound was explored".to_owned()
        } else if report.executions < fuzz.iterations {
            format!("; stopped by the time limit of {}", seconds(fuzz.time_limit.unwrap_or_default()))
        } else {
            String::new()
        };
        eprintln!(
            "fwsim: `{}`: {} executions passed ({}, seed {}) in {} ({}/s){why}",
            name(fuzz),
            report.executions,
            fuzz.strategy,
            fuzz.seed,
            seconds(elapsed),
            rate(report.executions, elapsed)
        );
    }
}

fn name(fuzz: &Fuzz) -> &str {
    fuzz.name.as_deref().unwrap_or_default()
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn rate(executions: u64, elapsed: Duration) -> String {
    match elapsed.as_secs_f64() {
        s if s > 0.0 => format!("{:.0}", executions as f64 / s),
        _ => "-".to_owned(),
    }
}
