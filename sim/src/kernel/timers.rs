//! Timers and the embassy-time driver: `now()` (with spin detection), `schedule_wake()` into
//! the integrated, generic or foreign-waker queue, and the alarm that fires expired timers in
//! the order each run queue wants them.

use super::*;

/// The timer queues behind the embassy-time driver.
pub(super) struct Timers {
    /// embassy-executor's integrated queue: one slot per task.
    pub(super) integrated: IntegratedTimerQueue,
    /// embassy-time's `generic-queue-N`, when configured instead.
    pub(super) generic: Option<GenericTimerQueue>,
    /// Per-waker fallback for timers polled under foreign wakers.
    pub(super) foreign: GenericTimerQueue,
    /// Scratch for the integrated queue's expired items.
    pub(super) expired: Vec<Expired>,
    /// Whether the alarm is firing (wakes are the timer's).
    pub(super) firing: bool,
}

impl Timers {
    pub(super) fn new(kind: TimerQueueKind) -> Self {
        Timers {
            integrated: IntegratedTimerQueue::new(),
            generic: Self::generic_queue(kind),
            foreign: GenericTimerQueue::new(usize::MAX),
            expired: Vec::new(),
            firing: false,
        }
    }

    /// The generic queue `kind` asks for, if any.
    pub(super) fn generic_queue(kind: TimerQueueKind) -> Option<GenericTimerQueue> {
        Self::generic_capacity(kind).map(GenericTimerQueue::new)
    }

    /// The capacity of the generic queue `kind` asks for, if it asks for one.
    pub(super) fn generic_capacity(kind: TimerQueueKind) -> Option<usize> {
        match kind {
            TimerQueueKind::Integrated => None,
            TimerQueueKind::Generic(n) => Some(n.max(1)),
        }
    }
}

impl Core {
    /// Timers expiring together wake their tasks in an order the explorer may change (see
    /// [`ChoiceKind::Timers`]): one choice point per place but the last, of the timers not
    /// placed yet, the queue's own next first. With no explorer, the queue's order. (Cold and
    /// out of line: most alarms expire one timer.)
    #[cold]
    #[inline(never)]
    fn order_expired(&mut self, expired: &mut [Expired]) {
        for place in 0..expired.len() - 1 {
            let i = self.interrupt_choice(ChoiceKind::Timers(expired.len() - place));
            if i != 0 && self.explaining() {
                let (chosen, default) = (self.label(expired[place + i].slot), self.label(expired[place].slot));
                let n = expired.len();
                self.explain(format_args!("{chosen}'s timer fired before {default}'s, of {n} expiring together"));
            }
            // The chosen timer moves to `place`; the others keep their order.
            expired[place..=place + i].rotate_right(1);
        }
    }

    /// Fires the alarm: expires due timers; returns foreign wakers to wake without the borrow.
    pub(super) fn fire_alarm(&mut self) -> Vec<Waker> {
        let now_ticks = ns_to_ticks(self.clock.now);
        let mut expired = std::mem::take(&mut self.timers.expired);
        expired.clear();
        self.timers.integrated.next_expiration(now_ticks, &mut expired);
        if expired.len() >= 2 {
            self.order_expired(&mut expired);
        }
        self.timers.firing = true;
        // `expired` is in embassy's wake order (descending insertion). Run queues only order
        // their own tasks, so an order that wants registration order takes its tasks in a
        // second pass, in reverse.
        let any_reversed = self.executors.iter().any(RunQueue::expired_in_registration_order);
        for reversed in [false, true] {
            if reversed && !any_reversed {
                break;
            }
            for i in 0..expired.len() {
                let Expired { slot, deadline, latest_seq, renewed_seq, .. } =
                    if reversed { expired[expired.len() - 1 - i] } else { expired[i] };
                let t = &self.tasks.metas[slot as usize];
                if any_reversed && self.executors[t.exec as usize].expired_in_registration_order() != reversed {
                    continue;
                }
                let (serial, generation) = (t.serial, t.generation);
                self.rec(Kind::TimerFire, serial, TaskRef::Timer.encode(), deadline);
                let deadline_ns = SimTime(ticks_to_ns(deadline));
                let cause = Cause::Timer { deadline: deadline_ns, requested: latest_seq, renewed: renewed_seq };
                self.wake_slot(slot, generation, Some(cause), false);
            }
        }
        self.timers.firing = false;
        self.timers.expired = expired;
        let mut wakers = Vec::new();
        if let Some(g) = &mut self.timers.generic {
            g.next_expiration(now_ticks, &mut wakers);
        }
        self.timers.foreign.next_expiration(now_ticks, &mut wakers);
        wakers
    }
}

impl Shared {
    /// Wakes wakers that are not ours (generic queue, foreign timers) as the timer alarm, with
    /// no borrow held.
    #[inline]
    pub(super) fn wake_as_timer(&self, wakers: Vec<Waker>) {
        // Inline check, out-of-line work: the common case (no foreign or generic-queue
        // wakers) costs a compare.
        if !wakers.is_empty() {
            self.wake_foreign_as_timer(wakers);
        }
    }

    #[inline(never)]
    pub(super) fn wake_foreign_as_timer(&self, wakers: Vec<Waker>) {
        self.core.borrow_mut().timers.firing = true;
        for w in wakers {
            w.wake();
        }
        self.core.borrow_mut().timers.firing = false;
    }

    pub(crate) fn driver_now(&self) -> u64 {
        {
            let mut core = self.core.borrow_mut();
            let c = &mut *core;
            if !c.poll.counts_spin_read(c.irq.stack.is_empty(), self.config.spin_threshold) {
                return ns_to_ticks(c.clock.now);
            }
        }
        self.spin_tick(&|| "Instant::now()".into(), true);
        ns_to_ticks(self.core.borrow().clock.now)
    }

    /// The running task no longer awaits a wake at `at` (ticks): see [`crate::timer_withdrawn`].
    pub(crate) fn withdraw_timer(&self, at: u64) {
        let mut c = self.core.borrow_mut();
        if let Some(slot) = c.poll.running {
            c.timers.integrated.withdraw(slot, at);
        }
    }

    pub(crate) fn driver_schedule_wake(&self, at: u64, w: &Waker) {
        // Monomorphised on the queue kind, so that the integrated queue's path (every timer of
        // W2) carries no clone to drop.
        if matches!(self.config.timer_queue, TimerQueueKind::Generic(_)) {
            self.schedule_wake_with::<true>(at, w)
        } else {
            self.schedule_wake_with::<false>(at, w)
        }
    }

    pub(super) fn schedule_wake_with<const GENERIC: bool>(&self, at: u64, w: &Waker) {
        // A generic queue may keep a clone of `w`. It is made here, before the core is
        // borrowed, so that it is counted like any clone (`on_waker_clone`). Declared before
        // the borrow, a clone the queue does not keep is dropped after it, on every path.
        let mut clone = GENERIC.then(|| w.clone());
        let mut spare = None;
        let mut evicted = Vec::new();
        let mut c = self.core.borrow_mut();
        let ours = waker::decode(w).filter(|(tag, slot, generation)| {
            *tag == self.tag
                && c.tasks.metas.get(*slot as usize).is_some_and(|t| t.generation == *generation && t.has(OCCUPIED))
        });
        if let Some((_, slot, _)) = ours
            && c.tasks.metas[slot as usize].has(DONE)
        {
            return; // a finished task's waker: its wake could only be ignored
        }
        let recompute = if GENERIC && let Some(g) = &mut c.timers.generic {
            let (recompute, unused) =
                g.schedule_wake_owned(at, clone.take().expect("cloned for a generic queue"), &mut evicted);
            spare = unused;
            recompute
        } else if let Some((_, slot, _)) = ours {
            let serial = c.serial_of(slot);
            let seq = c.next_seq();
            let changed = c.timers.integrated.schedule_wake(slot, at, seq);
            c.rec(Kind::TimerSet, serial, serial, at);
            changed
        } else {
            // On a board this panics ("Found waker not created by the Embassy executor"),
            // unless the waker is a hosted executor's, which on a board is the executor.
            if self.hosting.get() == 0 {
                let (task, now) =
                    (c.poll.running.map_or_else(|| "code outside the tasks".into(), |r| c.label(r)), c.clock.now);
                c.report(Diagnostic::ForeignWakerTimer { task, at: SimTime(now) });
            }
            c.timers.foreign.schedule_wake(at, w, &mut evicted)
        };
        // The real drivers call `next_expiration(now)` whenever the queue says "recompute":
        // a deadline already reached fires at once, inside this call (an interrupt nested in
        // the poll). Deliver exactly the alarm here, not other interrupt sources.
        let at_ns = ticks_to_ns(at);
        c.clock.due_hint = c.clock.due_hint.min(at_ns);
        let due_now = recompute && at_ns <= c.clock.now;
        drop(c);
        drop(spare);
        self.wake_as_timer(evicted);
        if due_now {
            let wakers = self.core.borrow_mut().fire_alarm();
            self.wake_as_timer(wakers);
        }
    }
}
