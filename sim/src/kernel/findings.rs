//! Findings: diagnostics, the strict stop, reports from other threads (the inbox), and the
//! report of tasks still waiting.

use super::*;

/// What the run found wrong, and whether to stop at it.
pub(crate) struct Findings {
    /// Every diagnostic so far.
    pub(crate) diags: Vec<Diagnostic>,
    /// Strict mode: the first diagnostic stops the run.
    pub(super) strict: bool,
    /// That first diagnostic, until the loop stops on it.
    pub(super) strict_stop: Option<Diagnostic>,
    /// The last error a run method returned: what a fuzzed body that stops on it failed of
    /// (see `fuzz::execute`).
    pub(super) stopped_by: Option<SimError>,
}

impl Core {
    /// Records a diagnostic; in strict mode the first one also stops the run.
    pub(crate) fn report(&mut self, d: Diagnostic) {
        let idx = self.findings.diags.len() as u64;
        let source = self.source().encode();
        self.rec(Kind::Diagnostic, source, source, idx);
        if self.findings.strict && self.findings.strict_stop.is_none() {
            self.findings.strict_stop = Some(d.clone());
        }
        self.findings.diags.push(d);
    }

    /// What task `slot` of the run tagged `tag` waits for.
    pub(super) fn wait_state(&self, tag: u32, slot: u32) -> WaitState {
        let t = &self.tasks.metas[slot as usize];
        if t.has(QUEUED) {
            WaitState::Queued
        } else if let Some(d) = self.timers.integrated.deadline_of(slot) {
            WaitState::Timer(SimTime(ticks_to_ns(d)))
        } else if let Some(awaited) = self.joined_by(tag, slot, t.generation) {
            WaitState::Joining { task: self.label(awaited), others: t.clones.live().saturating_sub(1) }
        } else if t.has(LOST) {
            WaitState::Lost
        } else if t.clones.live() > 0 {
            WaitState::WakerHeld(t.clones.live())
        } else {
            WaitState::Parked
        }
    }

    /// The time, if every task has finished: the usual end of a test, with nothing to list.
    #[inline]
    pub(crate) fn all_finished_at(&self) -> Option<SimTime> {
        (self.tasks.live == 0).then_some(SimTime(self.clock.now))
    }

    /// The task whose join handle task `(slot, generation)` of the run tagged `tag` awaits.
    fn joined_by(&self, tag: u32, slot: u32, generation: u32) -> Option<u32> {
        let awaits = |w: &Waker| waker::decode(w) == Some((tag, slot, generation & waker::GEN_MASK));
        self.tasks.joiners.iter().find(|(_, w)| awaits(w)).map(|(awaited, _)| *awaited)
    }

    /// The tasks of the run tagged `tag` that have not finished, and what each waits for.
    pub(crate) fn wait_report(&self, tag: u32, reached_limit: bool) -> WaitReport {
        if let Some(at) = self.all_finished_at() {
            return WaitReport { at, reached_limit, waiting: Vec::new() };
        }
        let mut waiting: Vec<(u32, TaskReport)> = self
            .tasks
            .metas
            .iter()
            .enumerate()
            .filter(|(_, t)| t.flags & (OCCUPIED | DONE) == OCCUPIED)
            .map(|(i, t)| (t.serial, TaskReport { task: self.label(i as u32), state: self.wait_state(tag, i as u32) }))
            .collect();
        waiting.sort_by_key(|w| w.0);
        WaitReport { at: SimTime(self.clock.now), reached_limit, waiting: waiting.into_iter().map(|w| w.1).collect() }
    }
}

impl Shared {
    pub(super) fn report(&self, d: Diagnostic) {
        self.core.borrow_mut().report(d);
    }

    /// Whether any diagnostic has been recorded (and not taken).
    pub(crate) fn has_diagnostics(&self) -> bool {
        !self.core.borrow().findings.diags.is_empty()
    }

    /// The tasks that have not finished, and what each waits for.
    pub(crate) fn wait_report(&self, reached_limit: bool) -> WaitReport {
        self.core.borrow().wait_report(self.tag, reached_limit)
    }

    /// Notes that a run method returns `e`, and returns it.
    #[cold]
    pub(crate) fn stopped(&self, e: SimError) -> SimError {
        self.core.borrow_mut().findings.stopped_by = Some(e.clone());
        e
    }

    /// The last error a run method returned, if one did.
    pub(crate) fn take_stopped_by(&self) -> Option<SimError> {
        self.core.borrow_mut().findings.stopped_by.take()
    }

    pub(super) fn take_strict_stop(&self) -> Option<SimError> {
        if !self.config.strict {
            return None;
        }
        self.core.borrow_mut().findings.strict_stop.take().map(SimError::Strict)
    }

    /// Reads what other threads left in the inbox. The check is inline (once per loop step),
    /// the draining out of line.
    #[inline(always)]
    pub(super) fn drain_inbox(&self) {
        if self.inbox.dirty.load(Ordering::Relaxed) {
            self.drain_inbox_slow();
        }
    }

    #[cold]
    #[inline(never)]
    pub(super) fn drain_inbox_slow(&self) {
        if !self.inbox.dirty.swap(false, Ordering::Acquire) {
            return;
        }
        let wakes = std::mem::take(&mut *self.inbox.foreign_wakes.lock().unwrap_or_else(|e| e.into_inner()));
        for (tag, slot, generation) in wakes {
            if tag != self.tag {
                // Sent to a former run of this recycled simulation: that run is gone.
                registry::count_orphan_wake();
                continue;
            }
            let task = {
                let c = self.core.borrow();
                match c.tasks.metas.get(slot as usize) {
                    Some(t) if t.generation == generation && t.has(OCCUPIED) => c.label(slot),
                    _ => continue,
                }
            };
            let at = SimTime(self.core.borrow().clock.now);
            self.report(Diagnostic::CrossThreadWake { task, at });
        }
        let hung = std::mem::take(&mut *self.inbox.hung.lock().unwrap_or_else(|e| e.into_inner()));
        for (tag, serial, vt, wall_ms) in hung {
            if tag != self.tag {
                // A poll of a former run of this recycled simulation.
                continue;
            }
            let task = {
                let c = self.core.borrow();
                match c.tasks.metas.iter().position(|t| t.serial == serial && t.has(OCCUPIED)) {
                    Some(i) => c.label(i as u32),
                    None if c.trace.enabled => format!("{}#{serial}", c.trace.names.task(serial)),
                    None => format!("#{serial}"),
                }
            };
            self.report(Diagnostic::PollHung { task, at: SimTime(vt), wall_ms });
        }
    }

    pub(crate) fn on_cross_sim_wake(&self) {
        let (woken_by, at) = {
            let c = self.core.borrow();
            (c.source_label(), SimTime(c.clock.now))
        };
        self.report(Diagnostic::CrossSimWake { woken_by, at });
    }

    /// A task-only primitive was locked from interrupt context.
    pub(crate) fn report_isr_misuse(&self, primitive: String) {
        let Ok(mut c) = self.core.try_borrow_mut() else { return };
        let (by, at) = (c.source_label(), SimTime(c.clock.now));
        c.report(Diagnostic::IsrMisuse { primitive, by, at });
    }

    pub(crate) fn report_hardware(&self, device: String, rule: &'static str, detail: String) {
        let mut c = self.core.borrow_mut();
        let (by, at) = (c.source_label(), SimTime(c.clock.now));
        c.report(Diagnostic::Hardware { device, rule, detail, by, at });
    }
}
