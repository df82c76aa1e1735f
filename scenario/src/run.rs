//! Running a checked scenario: one simulation, the app on a fresh board, the steps in order.
//!
//! Steps run in virtual time. A step that waits (`delay`, `wait-serial`, `expect-pin` with
//! `within`) runs the simulation until what it waits for happens, its window closes, or the
//! scenario's `timeout` comes; a stimulus (`press`, `write-serial`, `set-sensor`, faults)
//! is scheduled at the current instant and takes effect as the next waiting step runs time.
//! A run ends at the first step that does not hold; the report says which, when, and what
//! happened just before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fwsim::{Sim, SimConfig, SimTime};
use fwsim_hw::Board;

use crate::app::{App, Part, Parts};
use crate::artifacts;
use crate::report::{Failure, Outcome, Report, RunChoices, StepReport};
use crate::scenario::{PartParam, Scenario};
use crate::step::{StepError, quantity_curve};

/// Options of a run that are not in the file.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Where this scenario's artifacts go (created); none written when `None`.
    pub artifact_dir: Option<PathBuf>,
    /// Wokwi's `--expect-text`: after the steps, this text must appear on a serial port before
    /// the timeout.
    pub expect_text: Option<String>,
    /// Wokwi's `--fail-text`: the scenario fails if this text ever appears on a serial port.
    pub fail_text: Option<String>,
    /// Replay this schedule (from a [`ReplayFile`](crate::ReplayFile)) instead of the
    /// scenario's run order.
    pub replay: Option<fwsim::Schedule>,
    /// Told the virtual time as long waits go on (every [`SLICE`](crate::progress::SLICE)).
    pub progress: Option<crate::progress::Progress>,
    /// An explorer that answers the run's choice points instead of the run order (schedule
    /// fuzzing; see [`fuzz`](crate::fuzz)). Ignored when `replay` is set.
    pub explorer: Option<Exploring>,
    /// Scheduled interrupts may arrive this late, in this many steps
    /// ([`SimConfig::isr_jitter`]): choices for the explorer.
    pub isr_jitter: Option<(u64, u32)>,
    /// Interrupts may land inside polls, at critical-section exits
    /// ([`SimConfig::isr_preemption`]): choices for the explorer.
    pub isr_preemption: bool,
}

/// An explorer shared with a run (a newtype, for `Debug`).
#[derive(Clone)]
pub struct Exploring(pub fwsim::explore::SharedExplorer);

impl std::fmt::Debug for Exploring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Exploring(..)")
    }
}

/// How many trace events and signal changes a failure shows.
const RECENT: usize = 12;
/// About how many signal changes a run keeps (the latest): a day of the thermostat makes
/// about two million, which would take hundreds of megabytes.
pub const SIGNAL_LIMIT: usize = 200_000;
/// About how many bytes of each serial port's output a run keeps (the latest): enough for
/// any wait, bounded for a run of days.
pub const SERIAL_LIMIT: usize = 1 << 20;
/// How much of each port's output `report.json` holds (the end of it; the artifact
/// `serial-<port>.log` has all of it).
pub const REPORT_SERIAL_LIMIT: usize = 64 * 1024;

/// Runs `scenario` on `app` and reports. Deterministic: the same scenario, app and options
/// give the same report and artifacts, byte for byte.
pub fn run(scenario: &Scenario, app: &dyn App, options: &RunOptions) -> Report {
    let policy = match &options.replay {
        Some(schedule) => fwsim::Policy::Replay(schedule.clone()),
        None => scenario.policy.policy(scenario.seed),
    };
    // A firmware panic is reported in the verdict (an error diagnostic, its message kept);
    // printing it as well would scramble the output of parallel runs.
    let mut config = SimConfig::new().policy(policy).seed(scenario.seed).quiet_panics(true);
    if let Some(cost) = app.cost() {
        config = config.cost(cost);
    }
    if let Some((max, steps)) = options.isr_jitter {
        config = config.isr_jitter(std::time::Duration::from_nanos(max), steps);
    }
    config = config.isr_preemption(options.isr_preemption);
    if let (None, Some(Exploring(explorer))) = (&options.replay, &options.explorer) {
        config = config.shared_explorer(explorer.clone());
    }
    fwsim::scope(config, |sim| {
        let board = Board::new();
        board.set_signal_limit(Some(SIGNAL_LIMIT));
        let (parts, start_error) = start(app, sim, &board);
        let mut runner = Runner {
            sim,
            board: &board,
            parts: &parts,
            scenario,
            options,
            cursors: BTreeMap::new(),
            resets: Default::default(),
        };
        let mut steps = Vec::new();
        // The firmware boots first: its tasks run at time zero until they all wait, so that a
        // first step's stimulus finds them waiting for it (on a board, a press during boot is
        // missed).
        let outcome = match start_error {
            Some(message) => runner.outcome(None, crate::step::StepError::start(message)),
            None => {
                runner.apply_params();
                match sim.run_until_stalled() {
                    Ok(()) => runner.steps(&mut steps),
                    Err(e) => runner.outcome(None, crate::step::StepError::boot(e)),
                }
            }
        };
        let mut report = Report {
            file: scenario.path.clone(),
            name: scenario.name.clone(),
            app: app.name().to_string(),
            policy: scenario.policy.name().to_string(),
            seed: scenario.seed,
            outcome,
            steps,
            end_ns: sim.now().as_nanos(),
            busy_ns: sim.busy_time().as_nanos(),
            serial: runner.serial_text(),
            signals_dropped: board.signals().dropped,
            diagnostics: runner.diagnostic_lines(),
            trace_hash: sim.trace_hash().map(|h| format!("{h:016x}")),
            artifacts: Vec::new(),
            choices: RunChoices {
                schedule: sim.schedule(),
                choice_points: sim.choice_points(),
                diverged: sim.diagnostics().iter().any(|d| matches!(d, fwsim::Diagnostic::ReplayDiverged { .. })),
                explained: sim.deviations_explained(),
            },
        };
        if let Some(dir) = &options.artifact_dir {
            report.artifacts = artifacts::write(dir, sim, &board, &parts, &report, scenario);
        }
        report
    })
}

/// Builds the app's board and boots its firmware: its parts, and what went wrong if the app
/// panicked while it did (a bug in the wiring, which fails this scenario and not the others of
/// a batch; the panic hook has printed where) or named other parts than it declares.
fn start<'s>(app: &dyn App, sim: &'s Sim<'s>, board: &Board) -> (Parts, Option<String>) {
    let name = app.name();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.start(sim, board))) {
        Ok(parts) => {
            if let Err(e) = parts.check_against(&app.parts()) {
                return (parts, Some(format!("the app `{name}` is inconsistent: {e}")));
            }
            let booted = parts.run_boot(sim).err();
            (parts, booted.map(|m| format!("the app `{name}` panicked while its firmware booted: {m}")))
        }
        Err(payload) => {
            let message = fwsim::panic_message(&*payload);
            (
                Parts::new(),
                Some(format!("the app `{name}` panicked while it started, before the firmware ran: {message}")),
            )
        }
    }
}

pub(crate) struct Runner<'a, 's> {
    pub(crate) sim: &'s Sim<'s>,
    pub(crate) board: &'a Board,
    pub(crate) parts: &'a Parts,
    pub(crate) scenario: &'a Scenario,
    pub(crate) options: &'a RunOptions,
    /// Per serial port: how much of its output earlier waits have consumed.
    pub(crate) cursors: BTreeMap<String, u64>,
    /// The watchdog resets carried out so far.
    pub(crate) resets: std::cell::RefCell<Vec<crate::reset::Reset>>,
}

impl Runner<'_, '_> {
    fn apply_params(&mut self) {
        for (_, peer) in self.serial_ports() {
            peer.set_received_limit(Some(SERIAL_LIMIT));
        }
        for p in &self.scenario.params {
            match p {
                PartParam::Sensor { part, quantity, value } => {
                    if let Some(Part::Sensor(set)) = self.parts.get(part) {
                        set(quantity, quantity_curve(value, SimTime::ZERO));
                    }
                }
                PartParam::Bounce { part, window, max_pairs } => {
                    if let Some(Part::Button(b)) = self.parts.get(part) {
                        let bounce = fwsim_hw::Bounce {
                            window: core::time::Duration::from_nanos(window.0),
                            max_pairs: *max_pairs,
                        };
                        b.set_bounce(Some(bounce));
                    }
                }
            }
        }
    }

    /// The absolute end of the scenario's time.
    pub(crate) fn deadline(&self) -> SimTime {
        SimTime(self.scenario.timeout.0)
    }

    fn steps(&mut self, reports: &mut Vec<StepReport>) -> Outcome {
        for (index, step) in self.scenario.steps.iter().enumerate() {
            let start = self.sim.now();
            let result = self.execute(&step.action, step.at).and_then(|()| self.check_fail_text());
            reports.push(StepReport {
                line: step.line,
                key: step.action.key().to_string(),
                name: step.name.clone(),
                start_ns: start.as_nanos(),
                end_ns: self.sim.now().as_nanos(),
                passed: result.is_ok(),
            });
            if let Err(e) = result {
                return self.outcome(Some(index), e);
            }
        }
        let end = self.expect_text().and_then(|()| self.check_fail_text()).and_then(|()| self.check_errors());
        match end {
            Ok(()) => Outcome::Passed,
            Err(e) => self.outcome(None, e),
        }
    }

    pub(crate) fn outcome(&self, step: Option<usize>, e: StepError) -> Outcome {
        let (line, col) = step.map_or((0, 0), |i| (self.scenario.steps[i].line, self.scenario.steps[i].col));
        let failure = Failure {
            step,
            line,
            col,
            at_ns: e.at.as_nanos(),
            message: self.with_root_cause(e.message, step.is_some()),
            recent_events: self.recent_events(),
            recent_signals: self.recent_signals(),
        };
        if e.timed_out { Outcome::TimedOut(failure) } else { Outcome::Failed(failure) }
    }

    /// A step's failure, and the firmware's first error before it when there was one (a task
    /// that panicked at boot is why the step waited in vain).
    fn with_root_cause(&self, message: String, of_a_step: bool) -> String {
        let errors = self.unexpected(self.sim.errors());
        let Some(first) = errors.first().filter(|_| of_a_step) else { return message };
        let more = match errors.len() - 1 {
            0 => String::new(),
            n => format!(" (and {} more)", crate::counted(n as u64, "error diagnostic")),
        };
        format!("{message}; the firmware failed before that: {first}{more}")
    }

    /// The last trace events but the board's signal marks, which the signal changes beside
    /// them show with their values (a mark carries a hash of a text value, for the trace hash).
    fn recent_events(&self) -> Vec<String> {
        let names = self.sim.trace_names();
        let signals = self.board.signals();
        let is_signal =
            |r: &fwsim::trace::Record| names.mark(r).is_some_and(|m| signals.names.iter().any(|(n, _)| *n == m.label));
        let mut records: Vec<_> =
            self.sim.trace_records().into_iter().rev().filter(|r| !is_signal(r)).take(RECENT).collect();
        records.reverse();
        let mut buf = Vec::new();
        let _ = fwsim::trace::write_json_lines(&records, &names, &mut buf);
        String::from_utf8_lossy(&buf).lines().map(String::from).collect()
    }

    fn recent_signals(&self) -> Vec<String> {
        let signals = self.board.signals();
        let from = signals.changes.len().saturating_sub(RECENT);
        signals.changes[from..]
            .iter()
            .map(|c| {
                let value = match &c.value {
                    fwsim_hw::signal::Value::Logic(l) => format!("{l:?}"),
                    fwsim_hw::signal::Value::Text(t) => t.clone(),
                };
                format!("{}  {} = {value}", c.at, signals.names[c.signal].0)
            })
            .collect()
    }

    /// Each serial port's output so far, its last [`REPORT_SERIAL_LIMIT`] bytes.
    pub(crate) fn serial_text(&self) -> BTreeMap<String, String> {
        self.serial_ports()
            .map(|(id, peer)| {
                let bytes = peer.received_bytes();
                let from = bytes.len().saturating_sub(REPORT_SERIAL_LIMIT);
                let mut text = String::from_utf8_lossy(&bytes[from..]).into_owned();
                let (left_out, dropped) = (from as u64 + peer.dropped(), peer.dropped());
                if left_out > 0 {
                    let log = if dropped > 0 {
                        format!("the {dropped} earliest were not kept, the rest are in serial-{id}.log")
                    } else {
                        format!("they are in serial-{id}.log")
                    };
                    text.insert_str(0, &format!("[{left_out} earlier bytes: {log}]\n"));
                }
                (id, text)
            })
            .collect()
    }

    pub(crate) fn serial_ports(&self) -> impl Iterator<Item = (String, &fwsim_hw::uart::UartPeer)> {
        self.parts.iter().filter_map(|(id, p)| match p {
            Part::Serial(peer) => Some((id.to_string(), peer)),
            _ => None,
        })
    }
}

/// The directory a scenario's artifacts go to under `out`: the file's stem. For a batch, see
/// [`artifact_dirs`].
pub fn artifact_dir(out: &Path, scenario: &Scenario) -> PathBuf {
    out.join(stem(&scenario.path))
}

/// The directories the artifacts of a batch of scenarios go to under `out`, one each and all
/// different: the file's stem, and for a stem an earlier file of the batch took (`a/boot.yaml`
/// and `b/boot.yaml`, or one file given twice) the stem and a number, `boot-2`, so that no
/// run writes over another's.
pub fn artifact_dirs<'a>(out: &Path, scenarios: impl IntoIterator<Item = &'a Scenario>) -> Vec<PathBuf> {
    let paths: Vec<&Path> = scenarios.into_iter().map(|s| s.path.as_path()).collect();
    unique_stems(&paths).into_iter().map(|stem| out.join(stem)).collect()
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into())
}

/// Each path's stem, numbered from 2 where an earlier path has it; a file whose own stem is
/// such a name (`boot-2.yaml`) keeps it.
fn unique_stems(paths: &[&Path]) -> Vec<String> {
    let stems: Vec<String> = paths.iter().map(|p| stem(p)).collect();
    let mut taken = std::collections::BTreeSet::new();
    let plain: Vec<bool> = stems.iter().map(|s| taken.insert(s.clone())).collect();
    stems
        .into_iter()
        .zip(plain)
        .map(|(stem, plain)| {
            if plain {
                return stem;
            }
            let name = (2..).map(|n| format!("{stem}-{n}")).find(|name| !taken.contains(name)).expect("unbounded");
            taken.insert(name.clone());
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_gets_a_directory_per_scenario_named_by_its_file() {
        let paths = ["a/boot.yaml", "b/boot.yaml", "boot-2.yml", "c/boot.yaml", "ring.yaml", "a/boot.yaml"];
        let paths: Vec<&Path> = paths.iter().map(Path::new).collect();
        assert_eq!(unique_stems(&paths), ["boot", "boot-3", "boot-2", "boot-4", "ring", "boot-5"]);
    }
}
