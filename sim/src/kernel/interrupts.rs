//! Interrupt context: handlers scheduled at a time, raised by running code (nested at once,
//! or deferred to the end of a critical section, as on a Cortex-M with interrupts masked), and
//! the diagnostics only interrupt context can cause.

use super::*;

/// Interrupt context.
#[derive(Default)]
pub(crate) struct Interrupts {
    /// The handlers running, innermost last.
    pub(super) stack: Vec<Irq>,
    /// Interrupts raised inside a critical section, run when it ends.
    pub(crate) pending: Vec<(Irq, u32)>,
    /// A scheduled interrupt an explorer moved into the polls that follow at its instant
    /// ([`SimConfig::isr_preemption`](crate::SimConfig::isr_preemption)): it lands at the end
    /// of one of their critical sections or of a poll, and before time moves on.
    pub(crate) armed: Option<(Irq, u32)>,
}

impl Core {
    /// The choice point of an interrupt moved into the polls, at a `place` where it may land:
    /// whether it lands later instead.
    fn lands_later(&mut self, place: &str) -> bool {
        let later = self.interrupt_choice(ChoiceKind::Landing) != 0;
        if later
            && self.explaining()
            && let Some((irq, _)) = self.irq.armed
        {
            let name = self.irq_label(irq);
            self.explain(format_args!("{name}, moved into the polls, lands later than this {place}"));
        }
        later
    }
}

impl Shared {
    /// Schedules `f` at `at`. A simulation that has been shut down drops it unrun.
    pub(crate) fn schedule_isr(&self, at: u64, irq: Irq, f: IsrFn) {
        if self.torn_down.get() {
            return drop(f);
        }
        let idx = self.store_isr(f);
        let mut c = self.core.borrow_mut();
        let at = match self.config.isr_jitter {
            Some((max, steps)) if steps >= 2 => {
                // Late, but after any earlier arrival of the same source (not even at the same
                // instant, where the explorer could swap them): a UART's bytes stay in order
                // however late each is.
                let delay = c.jitter(max, steps);
                if delay > 0 && c.explaining() {
                    let (name, due, delay) = (c.irq_label(irq), SimTime(at), std::time::Duration::from_nanos(delay));
                    c.explain(format_args!("{name}, due at {due}, arrives {delay:?} late"));
                }
                let late = at.saturating_add(delay);
                let arrival = match c.choices.last_arrival.get(&irq.rank()) {
                    Some(&last) => late.max(last + 1),
                    None => late,
                };
                c.choices.last_arrival.insert(irq.rank(), arrival);
                arrival
            }
            _ => at,
        };
        let seq = c.next_seq();
        c.clock.events.push(Reverse(IsrEvent { at, rank: irq.rank(), seq, idx, irq }));
        c.clock.due_hint = c.clock.due_hint.min(at);
    }

    pub(super) fn store_isr(&self, f: IsrFn) -> u32 {
        let mut fns = self.isr_fns.borrow_mut();
        match self.isr_free.borrow_mut().pop() {
            Some(i) => {
                fns[i as usize] = Some(f);
                i
            }
            None => {
                fns.push(Some(f));
                (fns.len() - 1) as u32
            }
        }
    }

    pub(crate) fn run_isr(&self, irq: Irq, f: IsrFn) {
        {
            let mut c = self.core.borrow_mut();
            c.irq.stack.push(irq);
            let running = c.poll.running.map_or(TaskRef::Outside.encode(), |r| c.serial_of(r));
            c.rec(Kind::Interrupt, running, TaskRef::Interrupt(irq.number).encode(), irq.priority as u64);
        }
        let r = {
            let _quiet = self.quiet_section();
            catch_unwind(AssertUnwindSafe(f))
        };
        self.core.borrow_mut().irq.stack.pop();
        if let Err(p) = r {
            let (at, task) = {
                let c = self.core.borrow();
                (SimTime(c.clock.now), c.irq_label(irq))
            };
            self.report(Diagnostic::TaskPanicked { task, at, message: panic_message(&*p) });
        }
    }

    /// An interrupt raised now by the running code: runs nested at once, or when the current
    /// critical section ends.
    pub(crate) fn raise_irq(&self, irq: Irq, f: IsrFn) {
        if self.torn_down.get() {
            return drop(f);
        }
        if crate::cs::depth() > 0 {
            let idx = self.store_isr(f);
            self.core.borrow_mut().irq.pending.push((irq, idx));
            crate::cs::note_pending();
        } else {
            self.run_isr(irq, f);
        }
    }

    /// Runs interrupts deferred by a critical section that just ended, then offers an armed
    /// interrupt this exit.
    pub(crate) fn run_pending_irqs(&self) {
        self.run_deferred_irqs();
        self.offer_section_exit();
    }

    fn run_deferred_irqs(&self) {
        loop {
            let next = {
                let mut c = self.core.borrow_mut();
                if c.irq.pending.is_empty() {
                    return;
                }
                c.irq.pending.sort_by_key(|p| std::cmp::Reverse(p.0.rank()));
                c.irq.pending.pop()
            };
            let Some((irq, idx)) = next else { return };
            self.run_stored_isr(irq, idx);
        }
    }

    /// With [`SimConfig::isr_preemption`](crate::SimConfig::isr_preemption) and an explorer,
    /// asks whether the interrupt `(irq, idx)`, due between polls, arrives while the polls at
    /// its instant run instead; if so it is armed and `true` is returned. Only when a task is
    /// runnable (otherwise no poll follows at this instant) and none is armed yet.
    pub(super) fn arm_into_polls(&self, irq: Irq, idx: u32) -> bool {
        if !self.config.isr_preemption {
            return false;
        }
        let mut c = self.core.borrow_mut();
        if c.choices.explorer.is_none()
            || c.irq.armed.is_some()
            || c.poll.running.is_some()
            || !c.irq.stack.is_empty()
            || !c.any_runnable()
        {
            return false;
        }
        if c.interrupt_choice(ChoiceKind::IntoPolls) == 0 {
            return false;
        }
        if c.explaining() {
            let name = c.irq_label(irq);
            c.explain(format_args!("{name} arrives while the tasks due at this instant are polled, not before them"));
        }
        c.irq.armed = Some((irq, idx));
        drop(c);
        // The next critical-section exit calls back (`run_pending_irqs`).
        crate::cs::note_pending();
        true
    }

    /// A poll just ended: an armed interrupt lands here, or in a later poll at this instant if
    /// the explorer says so and there is one.
    #[inline(always)]
    pub(super) fn offer_poll_end(&self) {
        if self.config.isr_preemption {
            self.offer_poll_end_preempting();
        }
    }

    #[inline(never)]
    fn offer_poll_end_preempting(&self) {
        let mut c = self.core.borrow_mut();
        if c.irq.armed.is_none() {
            return;
        }
        if c.any_runnable() && c.lands_later("poll end") {
            return;
        }
        drop(c);
        _ = self.land_armed_irq();
    }

    /// A critical section of the polled task just ended: an armed interrupt may land here.
    fn offer_section_exit(&self) {
        let mut c = self.core.borrow_mut();
        if c.irq.armed.is_none() {
            return;
        }
        if c.poll.running.is_none() || !c.irq.stack.is_empty() || c.lands_later("critical-section end") {
            // Not in the task's own code, or not here: ask again at the next exit.
            drop(c);
            crate::cs::note_pending();
            return;
        }
        drop(c);
        _ = self.land_armed_irq();
    }

    /// Runs the armed interrupt, if any, and says whether it did: where a critical section or
    /// a poll ended, or before time moves on (or the run returns) if it has not landed yet.
    #[inline]
    pub(super) fn land_armed_irq(&self) -> bool {
        if !self.config.isr_preemption {
            return false;
        }
        let Some((irq, idx)) = self.core.borrow_mut().irq.armed.take() else { return false };
        self.run_stored_isr(irq, idx);
        true
    }

    /// Runs the handler stored at `idx` (scheduled or deferred), freeing its place.
    pub(super) fn run_stored_isr(&self, irq: Irq, idx: u32) {
        let f = self.isr_fns.borrow_mut().get_mut(idx as usize).and_then(Option::take);
        self.isr_free.borrow_mut().push(idx);
        if let Some(f) = f {
            self.run_isr(irq, f);
        }
    }

    pub(crate) fn in_interrupt(&self) -> bool {
        !self.core.borrow().irq.stack.is_empty()
    }
}

impl Core {
    /// Whether a task is queued to run (so a poll follows at this instant).
    fn any_runnable(&self) -> bool {
        self.tasks.metas.iter().any(|t| t.flags & (QUEUED | DONE) == QUEUED)
    }
}
