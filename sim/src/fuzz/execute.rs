//! One execution of a fuzzed body, and what it left.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::rc::Rc;

use super::Fault;
use crate::config::SimConfig;
use crate::diag::Diagnostic;
use crate::explore::LentExplorer;
use crate::policy::Schedule;
use crate::quiet::{self, Quiet};
use crate::sim::{Sim, Spare, scope_reusing};

/// What one execution did.
pub(super) struct Execution {
    /// What went wrong and the schedule that led there, if anything did. Boxed, so that the
    /// result of a passing execution is three words: handed back through two calls, a result
    /// of 150 bytes was copied twice, and the second copy, reading what the first had just
    /// written, stalled on store forwarding (about 1.5 % of a small execution's time).
    pub(super) failed: Option<Box<Failed>>,
    /// Choice points met.
    pub(super) choice_points: u64,
    /// A replayed schedule did not fit it.
    pub(super) diverged: bool,
}

/// How an execution failed.
pub(super) struct Failed {
    /// The first thing that went wrong.
    pub(super) fault: Fault,
    /// The deviations it took (a passing run's are never shrunk or reported, and are not
    /// copied out).
    pub(super) schedule: Schedule,
    /// Its deviations in words, if the run was traced (see `Sim::deviations_explained`).
    pub(super) explained: Vec<String>,
}

/// Runs `body` once under `config`; with `artifacts`, writes the trace and board artifacts
/// there before the simulation ends.
pub(super) fn execute<F>(config: &SimConfig, body: &F, artifacts: Option<&Path>) -> Execution
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    execute_lending(&Rc::new(config.clone()), body, artifacts, &mut None)
}

/// [`execute`], with `explorer` (if any) lent to the run to answer its choice points, and
/// handed back in `explorer` afterwards.
pub(super) fn execute_lending<F>(
    config: &Rc<SimConfig>,
    body: &F,
    artifacts: Option<&Path>,
    explorer: &mut Option<Box<LentExplorer>>,
) -> Execution
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    thread_local! {
        /// The last execution's simulation, whose allocations the next one reuses.
        static SPARE: std::cell::Cell<Spare> = const { std::cell::Cell::new(None) };
    }
    /// Puts the spare back once the execution is over.
    struct PutBack(Spare);
    impl Drop for PutBack {
        #[inline]
        fn drop(&mut self) {
            SPARE.set(self.0.take());
        }
    }
    // Taken out while running: a body that explores in turn starts from nothing. Put back by
    // a guard, so that the execution is returned straight from `scope_reusing` into this
    // function's result: held in a local meanwhile, it would be copied in wider loads than the
    // stores that wrote it (a store-forwarding stall once per execution).
    let mut spare = PutBack(SPARE.take());
    scope_reusing(&mut spare.0, config.clone(), explorer.take(), |sim| {
        let outcome = {
            let _quiet = Quiet::enter(true);
            // Every poll and handler runs inside this section: they need none of their own.
            sim.shared.quiet_around.set(true);
            quiet::forget_locations();
            catch_unwind(AssertUnwindSafe(|| body(sim)))
        };
        // Every caught panic (a task's, a handler's, the body's) was raised in this order.
        let locations = quiet::take_locations();
        // (Most executions report nothing: then there is nothing to filter and clone.)
        let errors = if sim.shared.has_diagnostics() { sim.errors() } else { Vec::new() };
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
            (None, Err(payload)) => {
                let message = crate::kernel::panic_message(&*payload);
                let location = locations.last().cloned();
                Some(match sim.shared.take_stopped_by() {
                    // The body stopped on a run method's error (`unwrap`, `?`, `expect`): the
                    // error is what failed, whatever panic carried it out.
                    Some(e) if message.contains(&e.to_string()) || message.contains(&format!("{e:?}")) => {
                        Fault::from_run_error(&e, sim.now(), location)
                    }
                    _ => Fault { kind: "panic".to_owned(), message, task: None, at: sim.now(), location },
                })
            }
            (None, Ok(())) => None,
        };
        if let Some(dir) = artifacts
            && let Err(e) = crate::testing::write_artifacts_to(sim, dir)
        {
            eprintln!("fwsim: artifacts not all written to {}: {e}", dir.display());
        }
        let failed = fault
            .map(|fault| Box::new(Failed { fault, schedule: sim.schedule(), explained: sim.deviations_explained() }));
        let choice_points = sim.choice_points();
        *explorer = sim.shared.return_explorer();
        Execution { failed, choice_points, diverged }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::Order;
    use crate::explore::{Lent, Random};

    /// Four tasks that yield at different rates, then a failure, so that the schedule is kept.
    fn body(sim: &Sim<'_>) {
        for (name, yields) in [("a", 3), ("b", 1), ("c", 2), ("d", 0)] {
            sim.spawn(name, async move {
                for _ in 0..yields {
                    crate::yield_now().await;
                }
            });
        }
        sim.run_until_stalled().unwrap();
        panic!("every execution fails");
    }

    /// A lent random explorer answers choices of tasks without the candidate list; what it
    /// records (deviations, anchors, the tasks they run) must be what the same explorer
    /// records when it reads every candidate.
    #[test]
    fn a_lent_random_explorer_records_the_schedule_a_shared_one_does() {
        let config = SimConfig::new().order(Order::Fifo).no_trace().quiet_panics(true);
        let shared = Arc::new(Mutex::new(Random::new(7)));
        let reading = config.clone().explorer(shared);
        let mut lent =
            Some(Box::new(LentExplorer { explorer: Lent::Random(Random::new(7)), realizable: false, record: true }));
        let config = Rc::new(config);
        let mut deviations = 0;
        for _ in 0..20 {
            let blind = execute_lending(&config, &body, None, &mut lent).failed.expect("fails").schedule;
            let full = execute(&reading, &body, None).failed.expect("fails").schedule;
            assert_eq!(blind, full);
            deviations += full.deviations.len();
        }
        assert!(deviations > 20, "the executions deviate ({deviations} deviations)");
    }

    /// Recording off, the same explorer meets the same choice points and records nothing.
    #[test]
    fn an_unrecorded_execution_records_no_deviations() {
        let config = Rc::new(SimConfig::new().order(Order::Fifo).no_trace().quiet_panics(true));
        let lent =
            |record| Some(Box::new(LentExplorer { explorer: Lent::Random(Random::new(7)), realizable: false, record }));
        let (mut on, mut off) = (lent(true), lent(false));
        let mut deviations = 0;
        for _ in 0..20 {
            let recorded = execute_lending(&config, &body, None, &mut on);
            let unrecorded = execute_lending(&config, &body, None, &mut off);
            assert_eq!(unrecorded.choice_points, recorded.choice_points);
            assert_eq!(unrecorded.failed.expect("fails").schedule.deviations, vec![]);
            deviations += recorded.failed.expect("fails").schedule.deviations.len();
        }
        assert!(deviations > 20, "the recorded executions deviate ({deviations} deviations)");
    }
}
