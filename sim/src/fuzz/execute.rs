//! One execution of a fuzzed body, and what it left.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use super::Fault;
use crate::config::SimConfig;
use crate::diag::Diagnostic;
use crate::policy::Schedule;
use crate::quiet::{self, Quiet};
use crate::sim::{Sim, scope};

/// What one execution did.
pub(super) struct Execution {
    /// The first thing that went wrong, if anything did.
    pub(super) fault: Option<Fault>,
    /// The deviations it took.
    pub(super) schedule: Schedule,
    /// Choice points met.
    pub(super) choice_points: u64,
    /// A replayed schedule did not fit it.
    pub(super) diverged: bool,
}

/// Runs `body` once under `config`; with `artifacts`, writes the trace and board artifacts
/// there before the simulation ends.
pub(super) fn execute<F>(config: &SimConfig, body: &F, artifacts: Option<&Path>) -> Execution
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    scope(config.clone(), |sim| {
        let outcome = {
            let _quiet = Quiet::enter(true);
            quiet::take_locations();
            catch_unwind(AssertUnwindSafe(|| body(sim)))
        };
        // Every caught panic (a task's, a handler's, the body's) was raised in this order.
        let locations = quiet::take_locations();
        let errors = sim.errors();
        let diverged = errors.iter().any(|d| matches!(d, Diagnostic::ReplayDiverged { .. }));
        let first_error = errors.iter().position(|d| !matches!(d, Diagnostic::ReplayDiverged { .. }));
        let fault = match (first_error, outcome) {
            (Some(i), _) => {
                let mut fault = Fault::from_diagnostic(&errors[i]);
                if matches!(errors[i], Diagnostic::TaskPanicked { .. }) {
                    let earlier = errors[..i].iter().filter(|d| matches!(d, Diagnostic::TaskPanicked { .. })).count();
                    fault.location = locations.get(earlier).cloned();
                }
                Some(fault)
            }
            (None, Err(payload)) => Some(Fault {
                kind: "panic".to_owned(),
                message: crate::kernel::panic_message(&*payload),
                task: None,
                at: sim.now(),
                location: locations.last().cloned(),
            }),
            (None, Ok(())) => None,
        };
        if let Some(dir) = artifacts {
            write_artifacts(sim, dir);
        }
        Execution { fault, schedule: sim.schedule(), choice_points: sim.choice_points(), diverged }
    })
}

/// The trace (JSON lines and Perfetto), the diagnostics and what the board added. Failures to
/// write are printed, not fatal: the report still has the replay file.
fn write_artifacts(sim: &Sim<'_>, dir: &Path) {
    let mut problems = Vec::new();
    if let Err(e) = sim.write_trace_json_lines(&dir.join("trace.jsonl")) {
        problems.push(format!("trace.jsonl: {e}"));
    }
    if let Err(e) = sim.write_perfetto(&dir.join("trace.perfetto.json")) {
        problems.push(format!("trace.perfetto.json: {e}"));
    }
    for (name, e) in sim.write_added_artifacts(dir) {
        problems.push(format!("{name}: {e}"));
    }
    let diags: Vec<String> = sim.diagnostics().iter().map(ToString::to_string).collect();
    let text = format!("{}\n{}\n", diags.join("\n"), sim.wait_report());
    if let Err(e) = std::fs::write(dir.join("diagnostics.txt"), text) {
        problems.push(format!("diagnostics.txt: {e}"));
    }
    for p in problems {
        eprintln!("fwsim: artifact not written: {p}");
    }
}
