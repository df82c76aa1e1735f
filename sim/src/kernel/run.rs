//! The run loop behind every `run_*` method: poll while something is runnable, deliver
//! events when they fall due, move the clock when everything waits, stop at the limit, at a
//! condition, or when nothing can happen; and break same-instant wake loops.

use super::*;

/// How a run loop ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RunEnd {
    Stalled,
    Quiescent,
    LimitReached,
    Stopped,
}

/// When to stop the loop early.
pub(crate) enum Stop<'a> {
    /// Only at the limit, or when nothing can happen.
    Never,
    /// When this condition holds (checked after every poll).
    When(&'a mut dyn FnMut() -> bool),
    /// When this task finishes (a flag set by `complete`: nothing to evaluate per poll).
    TaskDone(TaskKey),
}

/// What one step of the loop did. (Fieldless, so that the loop tests it with one compare.)
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Polled a task (or dropped an aborted one).
    Polled,
    /// Polled a task, and the same-instant poll limit is reached.
    PolledOverLimit,
    /// An event is due: deliver it before polling anything.
    EventsDue,
    /// Nothing is runnable and nothing is due.
    Idle,
}

/// How far the loop may go.
pub(crate) struct RunSpec<'a> {
    pub(crate) advance: bool,
    pub(crate) limit: Option<u64>,
    pub(crate) stop: Stop<'a>,
}

impl Shared {
    /// The one loop behind every `run_*` method.
    pub(crate) fn run(&self, spec: RunSpec<'_>) -> Result<RunEnd, SimError> {
        let RunSpec { advance, limit, mut stop } = spec;
        if let Stop::TaskDone(key) = stop {
            if self.is_finished(key) {
                return Ok(RunEnd::Stopped);
            }
            self.awaited.set(Some(key.slot));
            self.awaited_done.set(false);
        }
        // The mode is fixed when the Sim is built, so the whole loop is chosen once.
        // (The fence stays after the run: until the next run sets its own, it can only make the
        // loop look at the clock early, which is harmless.)
        let mode = self.fence(limit);
        let result = by_mode!(mode, M => self.run_loop::<M>(advance, limit, &mut stop));
        // Moved into a poll that the run stopped before: it runs now, still at its instant.
        _ = self.land_armed_irq();
        self.awaited.set(None);
        let result = result.and_then(|end| self.take_broken_invariant().map(|()| end));
        match result {
            Ok(RunEnd::Quiescent | RunEnd::Stalled) if self.stuck_must_finish() => {
                Err(self.stopped(SimError::Deadlock(self.wait_report(false))))
            }
            Err(e) => Err(self.stopped(e)),
            ok => ok,
        }
    }

    /// Sets the instant at which busy time sends the loop to look at the clock (the one after
    /// `limit`; none: never) and returns the simulation's mode.
    fn fence(&self, limit: Option<u64>) -> ModeKind {
        let mut c = self.core.borrow_mut();
        let past = limit.map_or(u64::MAX, |l| l.saturating_add(1));
        c.clock.past_limit = past;
        c.clock.due_hint = c.clock.due_hint.min(past);
        c.mode
    }

    /// Whether a task declared `must_finish` is unfinished while nothing is runnable and
    /// nothing is scheduled: nothing can ever finish it.
    fn stuck_must_finish(&self) -> bool {
        let mut c = self.core.borrow_mut();
        // (A shut-down simulation dropped its tasks unfinished: nothing is stuck in it.)
        // Both ends the caller matches mean nothing is runnable at this instant.
        c.tasks.must_finish > 0 && !self.torn_down.get() && c.next_event_time().is_none()
    }

    /// The loop, in mode `M`. Only a mode with extras can be strict and have a strict stop to
    /// look for.
    pub(super) fn run_loop<M: Mode>(
        &self,
        advance: bool,
        limit: Option<u64>,
        stop: &mut Stop<'_>,
    ) -> Result<RunEnd, SimError> {
        // Steps after busy time moved the clock in a run that may not advance: it stops after as
        // many as the same-instant limit allows polls that take no time (a task that never
        // waits, under a cost model, moves the clock at every poll).
        let mut busy_steps = 0;
        loop {
            self.drain_inbox();
            if M::EXTRAS
                && let Some(e) = self.take_strict_stop()
            {
                return Err(e);
            }
            let step = self.poll_one::<M>();
            match step {
                Step::Polled | Step::PolledOverLimit => {
                    if self.invariants.armed() {
                        self.check_invariants_after_poll()?;
                    }
                    if M::EXTRAS
                        && let Some(e) = self.take_strict_stop()
                    {
                        return Err(e);
                    }
                    let stopped = match stop {
                        Stop::Never => false,
                        Stop::When(condition) => condition(),
                        Stop::TaskDone(_) => self.awaited_done.get(),
                    };
                    if stopped {
                        return Ok(RunEnd::Stopped);
                    }
                    if step == Step::PolledOverLimit
                        && let Some(end) = self.break_same_instant_loop(limit)?
                    {
                        return Ok(end);
                    }
                }
                Step::EventsDue => {
                    // A poll's busy time carried the clock past the limit (the fence sent the
                    // loop here): a run to a limit ends there; one that may not advance goes on,
                    // fenced again, within its budget.
                    if let Some(l) = limit {
                        let now = self.core.borrow().clock.now;
                        if now > l {
                            if advance {
                                return Ok(RunEnd::LimitReached);
                            }
                            busy_steps += 1;
                            if busy_steps >= self.poll_limit {
                                return Ok(RunEnd::Stalled);
                            }
                            self.fence(Some(now));
                        }
                    }
                    self.deliver_due_between_polls();
                    if self.invariants.armed() {
                        self.invariants.take_broken()?;
                    }
                    // An interrupt handler can make the condition hold with no poll after it
                    // (a byte leaving a UART whose writer is not waiting).
                    if let Stop::When(condition) = stop
                        && condition()
                    {
                        return Ok(RunEnd::Stopped);
                    }
                }
                // An interrupt moved into a poll that did not happen (the task was aborted): it
                // runs now, before time moves.
                Step::Idle if self.land_armed_irq() => {}
                Step::Idle if !advance => return Ok(RunEnd::Stalled),
                Step::Idle => {
                    let mut c = self.core.borrow_mut();
                    match c.next_event_time() {
                        None => return Ok(RunEnd::Quiescent),
                        Some(t) if limit.is_none_or(|l| t <= l) => {
                            if t > c.clock.now {
                                c.set_now(t);
                            }
                        }
                        Some(_) => return Ok(RunEnd::LimitReached),
                    }
                }
            }
        }
    }

    /// Breaks a same-instant wake loop by moving to the next event (as the next interrupt would
    /// on hardware), or reports a livelock when nothing else can ever happen.
    pub(super) fn break_same_instant_loop(&self, limit: Option<u64>) -> Result<Option<RunEnd>, SimError> {
        let (polls, next, tasks, now) = {
            let mut c = self.core.borrow_mut();
            let polls = c.clock.instant_polls;
            c.clock.instant_polls = 0;
            let mut slots: Vec<u32> = c.poll.recent.iter().copied().filter(|s| *s != u32::MAX).collect();
            slots.sort_by_key(|s| c.serial_of(*s));
            slots.dedup();
            let tasks: Vec<String> = slots.iter().map(|s| c.label(*s)).collect();
            (polls, c.next_event_time(), tasks, c.clock.now)
        };
        let at = SimTime(now);
        match next {
            Some(t) if limit.is_none_or(|l| t <= l) => {
                self.report(Diagnostic::SameInstantLoop { tasks, polls, at });
                self.advance_to(t);
                Ok(None)
            }
            _ => match limit {
                // Time would pass on hardware; with nothing scheduled, jump to the run's end.
                Some(l) => {
                    self.report(Diagnostic::SameInstantLoop { tasks, polls, at });
                    self.advance_to(l);
                    Ok(Some(RunEnd::LimitReached))
                }
                None => Err(SimError::Livelock { tasks, at }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Sim, SimConfig};

    fn declared_unfinished(sim: &Sim<'_>) -> u32 {
        sim.shared.core.borrow().tasks.must_finish
    }

    /// Declared tasks are counted until they finish, while another declared one waits.
    #[test]
    fn declared_tasks_are_counted_until_they_finish() {
        let sim = Sim::with_config(SimConfig::new());
        sim.spawn("sleeper", async { embassy_time::Timer::after_secs(3600).await }).must_finish();
        for _ in 0..100 {
            sim.spawn("quick", async {}).must_finish();
            sim.run_until_stalled().unwrap();
        }
        assert_eq!(declared_unfinished(&sim), 1, "only the sleeper is still counted");
    }

    /// A task declared twice, declared once finished, or aborted leaves nothing counted: a
    /// count left over would report a deadlock at the end of every later run.
    #[test]
    fn repeated_late_and_aborted_declarations_leave_nothing_counted() {
        let sim = Sim::with_config(SimConfig::new());
        let twice = sim.spawn("twice", crate::yield_now());
        twice.must_finish();
        twice.must_finish();
        sim.run_until_stalled().unwrap();
        twice.must_finish();
        sim.run_until_stalled().unwrap();
        let aborted = sim.spawn("aborted", std::future::pending::<()>());
        aborted.must_finish();
        aborted.abort();
        sim.run_until_stalled().unwrap();
        assert_eq!(declared_unfinished(&sim), 0);
    }
}
