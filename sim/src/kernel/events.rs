//! The clock and the events on it: scheduled interrupts, the timer alarm, and moving time.
//!
//! Time moves in two ways only: to the next event when nothing is runnable (`run` asks
//! `next_event_time`), and inside a poll that spends busy time (`advance_to`), which delivers
//! every event that falls due on the way at its own time. Events due at the same instant are
//! ordered by `(priority, number)` — a choice point an explorer may reorder.

use super::*;

/// The clock and the interrupt events scheduled on it.
pub(crate) struct Clock {
    /// Virtual time, ns.
    pub(crate) now: u64,
    /// The simulation-wide sequence: timer requests, scheduled events, run-order keys.
    pub(super) seq: u64,
    /// Scheduled interrupts, earliest first.
    pub(super) events: BinaryHeap<Reverse<IsrEvent>>,
    /// No event is due before this time (a lower bound, exact after each `next_due`): lets the
    /// loop skip the event check between polls. Never past `past_limit`.
    pub(super) due_hint: u64,
    /// The first instant past the running `run_*` call's limit (`u64::MAX`: none): a poll's
    /// busy time that carries the clock there makes the loop look, and stop.
    pub(super) past_limit: u64,
    /// Polls since the clock last moved (`set_now` resets it), for same-instant loops.
    pub(super) instant_polls: u64,
    /// Busy time so far, ns: the cost model's charges and blocking delays. The rest of the
    /// time the core was idle.
    pub(crate) busy: u64,
}

/// What the loop should do next.
pub(super) enum Due {
    Alarm,
    Isr { irq: Irq, idx: u32 },
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct IsrEvent {
    pub(super) at: u64,
    pub(super) rank: u32,
    pub(super) seq: u64,
    pub(super) idx: u32,
    pub(super) irq: Irq,
}

impl Core {
    pub(super) fn alarm_deadline_ns(&mut self) -> Option<u64> {
        let mut t = self.timers.integrated.next_deadline();
        if self.timers.generic.is_none() && self.timers.foreign.is_empty() {
            return t.map(ticks_to_ns);
        }
        let others = [self.timers.generic.as_ref(), Some(&self.timers.foreign)];
        for q in others.into_iter().flatten().filter(|q| !q.is_empty()) {
            t = match (t, q.next_deadline()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        t.map(ticks_to_ns)
    }

    /// The time of the next scheduled event, if any.
    pub(crate) fn next_event_time(&mut self) -> Option<u64> {
        let a = self.alarm_deadline_ns();
        let e = self.clock.events.peek().map(|e| e.0.at);
        match (a, e) {
            (Some(a), Some(e)) => Some(a.min(e)),
            (a, e) => a.or(e),
        }
    }

    /// The next event due at or before now, answering same-instant ordering as a choice point.
    pub(super) fn next_due(&mut self, timer_irq: Irq) -> Option<Due> {
        if self.timers.integrated.is_empty()
            && self.clock.events.is_empty()
            && self.timers.generic.is_none()
            && self.timers.foreign.is_empty()
        {
            self.clock.due_hint = self.clock.past_limit;
            return None; // nothing scheduled at all: the common case between timer events
        }
        let alarm = self.alarm_deadline_ns();
        let isr = self.clock.events.peek().map(|e| e.0.at);
        let t = match (alarm, isr) {
            (Some(a), Some(e)) => a.min(e),
            (Some(a), None) => a,
            (None, Some(e)) => e,
            (None, None) => {
                self.clock.due_hint = self.clock.past_limit;
                return None;
            }
        };
        if t > self.clock.now {
            self.clock.due_hint = t.min(self.clock.past_limit);
            return None;
        }
        // Gather every source due at instant t.
        let mut group: Vec<(u32, u64, Option<IsrEvent>)> = Vec::new();
        if alarm == Some(t) {
            group.push((timer_irq.rank(), 0, None));
        }
        while self.clock.events.peek().is_some_and(|e| e.0.at == t) {
            let Reverse(e) = self.clock.events.pop().expect("peeked");
            group.push((e.rank, e.seq, Some(e)));
        }
        let idx = if group.len() >= 2 {
            group.sort_by_key(|g| (g.0, g.1));
            let idx = self.interrupt_choice(ChoiceKind::Events(group.len()));
            if idx != 0 && self.explaining() {
                let name = |g: &(u32, u64, Option<IsrEvent>)| {
                    g.2.map_or("the timer alarm".to_owned(), |e| self.irq_label(e.irq))
                };
                let (chosen, first, n) = (name(&group[idx]), name(&group[0]), group.len());
                self.explain(format_args!("{chosen} was served before {first}, of {n} interrupt sources due together"));
            }
            idx
        } else {
            0
        };
        let chosen = group.swap_remove(idx);
        for (_, _, e) in group {
            if let Some(e) = e {
                self.clock.events.push(Reverse(e));
            }
        }
        Some(match chosen.2 {
            None => Due::Alarm,
            Some(e) => Due::Isr { irq: e.irq, idx: e.idx },
        })
    }
}

impl Shared {
    /// Delivers one due event. Returns `false` when nothing is due. `between_polls`: a poll at
    /// this instant follows, so an interrupt may be moved into it (`arm_into_polls`).
    pub(super) fn deliver_one(&self, between_polls: bool) -> bool {
        let due = self.core.borrow_mut().next_due(self.config.timer_irq);
        match due {
            None => false,
            Some(Due::Alarm) => {
                let wakers = self.core.borrow_mut().fire_alarm();
                self.wake_as_timer(wakers);
                true
            }
            Some(Due::Isr { irq, idx }) => {
                if !(between_polls && self.arm_into_polls(irq, idx)) {
                    self.run_stored_isr(irq, idx);
                }
                true
            }
        }
    }

    /// Delivers every due event (time does not move).
    pub(super) fn deliver_due(&self) {
        self.deliver_all_due(false);
    }

    /// Delivers every due event before the run loop's next poll.
    pub(super) fn deliver_due_between_polls(&self) {
        self.deliver_all_due(true);
    }

    /// Delivers every due event, then lets the invariants see what the handlers did.
    #[inline(always)]
    fn deliver_all_due(&self, between_polls: bool) {
        let mut delivered = false;
        while self.deliver_one(between_polls) {
            delivered = true;
        }
        if delivered {
            self.check_invariants_after_events();
        }
    }

    /// Moves the clock to `target`, delivering every event that falls due on the way (at its
    /// own time). Polls nothing.
    pub(crate) fn advance_to(&self, target: u64) {
        // An interrupt moved into this instant's polls lands before time moves on.
        _ = self.land_armed_irq();
        loop {
            self.deliver_due();
            let mut c = self.core.borrow_mut();
            match c.next_event_time() {
                Some(t) if t <= target && t > c.clock.now => c.set_now(t),
                _ => {
                    if target > c.clock.now {
                        c.set_now(target);
                    }
                    drop(c);
                    self.deliver_due();
                    return;
                }
            }
        }
    }

    /// Busy time inside a poll (a blocking delay): records it and advances the clock.
    pub(crate) fn busy_wait(&self, ns: u64) {
        let (from, target, task) = {
            let mut c = self.core.borrow_mut();
            // Reads between delays are a polling loop that its delays move on, not a spin.
            c.poll.spin_reads = 0;
            let task = c.poll.running.map_or(TaskRef::Outside.encode(), |r| c.serial_of(r));
            (c.clock.now, c.clock.now.saturating_add(ns), task)
        };
        self.advance_to(target);
        let mut c = self.core.borrow_mut();
        let now = c.clock.now;
        c.clock.busy += now - from;
        if c.trace.enabled {
            c.trace.record(Record { at: from, arg: now, task, source: task, kind: Kind::BusyWait });
        }
    }
}
