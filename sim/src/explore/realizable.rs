//! Realizable exploration: only the choices the real scheduler leaves open.

use super::{ChoiceKind, ChoicePoint, Diverged, Explorer, SharedExplorer};

/// Explores only what a real scheduler could do: it keeps the run order's own pick of the
/// next task (embassy's and MicroPython's are deterministic) and lets `inner` answer the rest
/// — the order of interrupts due at the same instant, the order in which timers expiring at
/// the same instant wake their tasks, and, with
/// [`SimConfig::isr_jitter`](crate::SimConfig::isr_jitter), how late each scheduled interrupt
/// arrives, and, with [`SimConfig::isr_preemption`](crate::SimConfig::isr_preemption), at which
/// critical-section exit of a poll it lands.
///
/// Which to use: a bug that needs tasks to run in an order the scheduler never picks (a
/// preemption where the firmware has no await) is a bug only under another scheduler, or
/// after a refactoring; any-order exploration (the explorer alone, over FIFO) finds it, and
/// realizable exploration rightly does not. A bug that needs an interrupt to land a little
/// later, or two interrupts or two timers due together to swap, can happen on the board as
/// it is: realizable exploration finds it with far fewer schedules to try, and every failure
/// it reports is one the board can produce.
pub struct Realizable {
    inner: SharedExplorer,
}

impl Realizable {
    /// Realizable choices answered by `inner`.
    pub fn new(inner: SharedExplorer) -> Self {
        Realizable { inner }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, dyn Explorer + 'static> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl std::fmt::Debug for Realizable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Realizable(..)")
    }
}

impl Explorer for Realizable {
    fn begin_execution(&mut self) {
        self.inner().begin_execution();
    }

    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        if keeps_run_order(point) { Ok(0) } else { self.inner().choose(point) }
    }

    fn end_execution(&mut self, choice_points: u64) {
        self.inner().end_execution(choice_points);
    }
}

/// Whether realizable exploration leaves `point` to the run order: a choice of the next task.
pub(crate) fn keeps_run_order(point: &ChoicePoint<'_>) -> bool {
    matches!(point.kind, ChoiceKind::Tasks(_))
}
