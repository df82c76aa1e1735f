//! Polling one task: picking it, polling its future in place with its waker, and settling
//! what the poll did (completion, panic, abort, clone counts, cost).

use super::*;

/// The poll under way, and the last polls at this instant.
pub(crate) struct PollState {
    /// The task being polled.
    pub(crate) running: Option<u32>,
    /// Reads of `Instant::now()` and of spin points in this poll (spin detection).
    pub(super) spin_reads: u32,
    /// The spin this poll is in, if it is.
    pub(super) spin: Option<spin::Spin>,
    /// Wakes this poll made (for the cost model).
    pub(super) wakes: u64,
    /// Polls so far (for the watchdog).
    pub(super) id: u64,
    /// The last polls' tasks, recorded only when a same-instant loop nears the limit.
    pub(super) recent: [u32; RECENT],
    pub(super) recent_head: usize,
}

impl PollState {
    /// No poll under way, none counted or recorded.
    const IDLE: PollState = PollState {
        running: None,
        spin_reads: 0,
        spin: None,
        wakes: 0,
        id: 0,
        recent: [u32::MAX; RECENT],
        recent_head: 0,
    };

    /// Back to [`IDLE`](Self::IDLE), field by field: a whole `PollState` built on the stack
    /// and copied in is read back across two of its stores (a store-forwarding stall on every
    /// recycle).
    pub(super) fn reset(&mut self) {
        let PollState { running, spin_reads, spin, wakes, id, recent, recent_head } = self;
        *running = Self::IDLE.running;
        *spin_reads = Self::IDLE.spin_reads;
        *spin = Self::IDLE.spin;
        *wakes = Self::IDLE.wakes;
        *id = Self::IDLE.id;
        *recent = Self::IDLE.recent;
        *recent_head = Self::IDLE.recent_head;
    }
}

impl Default for PollState {
    fn default() -> Self {
        Self::IDLE
    }
}

/// A caught panic's message: its payload when that is a string (as `panic!` makes it), or a
/// placeholder saying it is not. How fwsim words a task's panic, and how a harness can word
/// one it caught itself.
///
/// ```
/// let caught = std::panic::catch_unwind(|| panic!("no fix after {} s", 3)).unwrap_err();
/// assert_eq!(fwsim::panic_message(&*caught), "no fix after 3 s");
/// ```
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

impl Shared {
    /// A quiet section for a poll or a handler, if panics in them are to stay quiet and the
    /// thread is not kept quiet already.
    #[inline(always)]
    pub(super) fn quiet_section(&self) -> Option<crate::quiet::Quiet> {
        crate::quiet::Quiet::enter(self.config.quiet_panics && !self.quiet_around.get())
    }

    /// One step of the loop: polls one task, or says why it did not. `M` must be
    /// `Core::mode`'s; the loop is monomorphised on it.
    pub(super) fn poll_one<M: Mode>(&self) -> Step {
        let mut c = self.core.borrow_mut();
        let (slot, generation, serial, task) = {
            if c.clock.now >= c.clock.due_hint {
                return Step::EventsDue;
            }
            let picked = c.pick::<M>();
            let Some((slot, abort)) = picked else { return Step::Idle };
            if abort {
                if self.invariants.armed() {
                    self.invariants.task_step(format_args!("the drop of aborted {}", c.label(slot)));
                }
                let t = &mut c.tasks.metas[slot as usize];
                t.flags &= !QUEUED;
                let fut = t.future.take();
                drop(c);
                self.finish_aborted(slot, fut);
                return Step::Polled;
            }
            let t = &mut c.tasks.metas[slot as usize];
            t.flags = (t.flags | RUNNING) & !(QUEUED | LOST);
            t.clones.poll_begins();
            let (generation, serial) = (t.generation, t.serial);
            // The future stays in its box, in place: a RUNNING task's box is never taken out
            // of its entry (aborts, completion and frees wait for the poll to end), so the
            // pointer is valid for the poll even if the table grows meanwhile (a spawn may
            // move the entries, which hold the box's pointer, not the future).
            let task = t.future.as_ref().expect("fwsim: queued task has no future").as_ptr();
            c.poll.running = Some(slot);
            c.poll.spin_reads = 0;
            c.clock.instant_polls += 1;
            if c.clock.instant_polls > self.recent_from {
                // Near the same-instant limit: remember who polls, for the report.
                let h = c.poll.recent_head;
                c.poll.recent[h] = slot;
                c.poll.recent_head = (h + 1) % RECENT;
            }
            if M::EXTRAS {
                c.poll.wakes = 0;
                c.rec(Kind::PollBegin, serial, serial, 0);
            }
            if self.invariants.armed() {
                // Named now: the poll may end the task and free the slot that names it.
                self.invariants.task_step(format_args!("a poll of {}", c.label(slot)));
            }
            if self.config.watchdog.is_some() {
                c.poll.id += 1;
                let w = &self.inbox.watch;
                w.task.store(serial, Ordering::Relaxed);
                if M::EXTRAS {
                    // For the names a traced run keeps (a lean run keeps none).
                    w.slot.store(slot, Ordering::Relaxed);
                }
                w.vt.store(c.clock.now, Ordering::Relaxed);
                w.poll_id.store(c.poll.id, Ordering::Relaxed);
                w.in_poll.store(true, Ordering::Release);
            }
            (slot, generation, serial, task)
        };
        drop(c); // no borrow across the poll
        debug_assert_eq!(self.poll_clones.get(), 0);
        self.polling.set(waker::pack(self.tag, slot, generation));
        // SAFETY: fwsim's waker vtable upholds `RawWaker`'s contract: the data word is a number
        // that is never dereferenced, and its functions are thread-safe (they reach a
        // simulation only through this thread's current one, and other threads' only through
        // the registry's locks). `ManuallyDrop`: this waker is not a counted clone.
        let waker = ManuallyDrop::new(unsafe { Waker::from_raw(waker::raw(self.tag, slot, generation)) });
        let mut cx = Context::from_waker(&waker);
        // SAFETY: `task` came from this task's `TaskBox`, which owns the future, never moves it
        // (it is pinned there) and is not dropped while the task is RUNNING: aborts,
        // completion and frees wait for this poll to end. No other reference to the future
        // exists during the poll (only the table's copy of the pointer, unused meanwhile).
        let task = unsafe { Pin::new_unchecked(&mut *task.as_ptr()) };
        let _quiet = self.quiet_section();
        let result = if M::EXTRAS && self.config.poll_spans {
            let t = self.core.borrow();
            let span = tracing::trace_span!("poll", task = %t.tasks.names[slot as usize], serial);
            drop(t);
            let _entered = span.enter();
            catch_unwind(AssertUnwindSafe(|| task.poll_task(&mut cx)))
        } else {
            catch_unwind(AssertUnwindSafe(|| task.poll_task(&mut cx)))
        };
        if self.config.watchdog.is_some() {
            self.inbox.watch.in_poll.store(false, Ordering::Release);
        }
        let (abort_now, cost, over_limit) = {
            let mut c = self.core.borrow_mut();
            // The clones the task made of its waker in this poll (`Shared::polling`).
            let clones_made = self.poll_clones.replace(0);
            self.polling.set(NOT_POLLING);
            c.poll.running = None;
            if let Some(spin) = c.poll.spin.take()
                && M::EXTRAS
            {
                let now = c.clock.now;
                c.trace.record(Record { at: spin.from, arg: now, task: serial, source: serial, kind: Kind::BusyWait });
            }
            if M::EXTRAS {
                let done = matches!(result, Ok(Poll::Ready(())));
                c.rec(Kind::PollEnd, serial, serial, done as u64);
            }
            let exec = if M::SINGLE { 0 } else { c.tasks.metas[slot as usize].exec as usize };
            M::queue(&mut c.executors, exec).poll_ended(Runnable(slot));
            let pending = matches!(result, Ok(Poll::Pending));
            let t = &mut c.tasks.metas[slot as usize];
            t.clones.add(clones_made);
            let flags = t.flags;
            t.flags = flags & !RUNNING;
            let abort_now = flags & ABORT != 0;
            let lost = pending && !abort_now && t.clones.live() == 0 && t.clones.since_poll() > 0;
            if M::EXPLORES {
                // Queued again by the end of its own poll (the pick cleared QUEUED): it yielded.
                c.choices.yielded = (pending && flags & QUEUED != 0).then_some(TaskId(serial));
            }
            if lost {
                // Clones dropped during the task's own poll were dropped by the task.
                c.check_lost(slot, true);
            }
            let cost = if M::EXTRAS && self.has_cost {
                self.config.cost.per_poll_ns + self.config.cost.per_wake_ns * c.poll.wakes
            } else {
                0
            };
            (abort_now, cost, c.clock.instant_polls >= self.poll_limit)
        };
        match result {
            Ok(Poll::Pending) if !abort_now => {}
            Ok(Poll::Ready(())) => self.complete(slot, None),
            Ok(Poll::Pending) => self.finish_aborted(slot, self.take_task(slot)),
            Err(payload) => {
                let message = panic_message(&*payload);
                let fut = self.take_task(slot);
                // Dropping a panicked future may panic again; contain that too.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(fut)));
                let (task, at) = {
                    let c = self.core.borrow();
                    (c.label(slot), SimTime(c.clock.now))
                };
                self.report(Diagnostic::TaskPanicked { task, at, message: message.clone() });
                self.complete(slot, Some(JoinError::Panicked(message)));
            }
        }
        // An interrupt moved into this instant's polls that no critical-section exit took.
        self.offer_poll_end();
        if cost > 0 {
            let target = {
                let mut c = self.core.borrow_mut();
                c.clock.busy += cost;
                c.clock.now.saturating_add(cost)
            };
            self.advance_to(target);
        }
        if over_limit { Step::PolledOverLimit } else { Step::Polled }
    }
}
