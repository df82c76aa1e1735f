//! Waking: the one wake path (queue the task, or tell its queue of a coalesced wake), and the
//! accounting of waker clones that finds tasks nobody can wake any more.

use super::*;

impl Core {
    /// Queues a task that is not queued (a spawn).
    pub(super) fn enqueue_new(&mut self, slot: u32) {
        // As `wake_slot`: the default mode's and a fuzz campaign's queue directly, not through
        // `RunQueue`'s dispatch.
        match self.mode {
            ModeKind::LeanEmbassy => self.enqueue_new_in::<Lean<Embassy>>(slot),
            ModeKind::ExploreFifo => self.enqueue_new_in::<Explore<Fifo>>(slot),
            _ => self.enqueue_new_in::<General>(slot),
        }
    }

    #[inline(always)]
    fn enqueue_new_in<M: Mode>(&mut self, slot: u32) {
        let t = &mut self.tasks.metas[slot as usize];
        t.flags |= QUEUED;
        let (exec, serial) = (if M::SINGLE { 0 } else { t.exec as usize }, t.serial);
        let wake = Wake { task: TaskId(serial), cause: Cause::Spawn, running: false };
        let mut cx = OrderCx { now: self.clock.now, seq: &mut self.clock.seq };
        M::queue(&mut self.executors, exec).push(Runnable(slot), wake, &mut cx);
    }

    /// Wakes a task of this simulation; `release` also drops one counted clone of its waker
    /// (a by-value wake consumes the waker). `cause` is `None` for a plain wake, whose cause
    /// (a task, an interrupt) is read from the context.
    #[inline(always)]
    pub(crate) fn wake_slot(&mut self, slot: u32, generation: u32, cause: Option<Cause>, release: bool) {
        // The default mode and a fuzz campaign's inline, the others out of line: the common
        // wake then saves fewer registers.
        match self.mode {
            ModeKind::LeanEmbassy => self.wake::<Lean<Embassy>>(slot, generation, cause, release),
            ModeKind::ExploreFifo => self.wake::<Explore<Fifo>>(slot, generation, cause, release),
            mode => self.wake_in(mode, slot, generation, cause, release),
        }
    }

    #[inline(never)]
    fn wake_in(&mut self, mode: ModeKind, slot: u32, generation: u32, cause: Option<Cause>, release: bool) {
        by_mode!(mode, M => self.wake::<M>(slot, generation, cause, release))
    }

    /// The task a waker names, if it is alive (a finished task's waker is a spurious wake,
    /// ignored). `release` drops the counted clone a by-value wake consumes: the task is queued
    /// after this (or finished), so it cannot be lost and needs no check.
    #[inline(always)]
    pub(super) fn wakeable(&mut self, slot: u32, generation: u32, release: bool) -> Option<&mut TaskMeta> {
        let t = self.tasks.metas.get_mut(slot as usize)?;
        if t.generation != generation || t.flags & (OCCUPIED | DONE) != OCCUPIED {
            return None;
        }
        if release {
            t.clones.release();
        }
        Some(t)
    }

    /// The one wake path: queues the task on its run queue, or tells the queue of a wake that
    /// coalesces with the entry it has. `M` must be `Core::mode`'s.
    #[inline(always)]
    fn wake<M: Mode>(&mut self, slot: u32, generation: u32, cause: Option<Cause>, release: bool) {
        let Some(t) = self.wakeable(slot, generation, release) else { return };
        let queued = t.flags & QUEUED != 0;
        t.flags |= QUEUED;
        let (serial, exec) = (t.serial, if M::SINGLE { 0 } else { t.exec as usize });
        if M::EXTRAS {
            if self.trace.enabled {
                let src = self.source().encode();
                self.rec(if queued { Kind::WakeCoalesced } else { Kind::Wake }, serial, src, 0);
            }
            self.poll.wakes += !queued as u64;
        }
        let cause = cause.unwrap_or(if self.irq.stack.is_empty() { Cause::Wake } else { Cause::Interrupt });
        let wake = Wake { task: TaskId(serial), cause, running: self.poll.running == Some(slot) };
        let mut cx = OrderCx { now: self.clock.now, seq: &mut self.clock.seq };
        let queue = M::queue(&mut self.executors, exec);
        if queued {
            queue.wake_while_queued(Runnable(slot), wake, &mut cx);
        } else {
            queue.push(Runnable(slot), wake, &mut cx);
        }
    }

    /// Checks whether a pending task has just become unwakeable.
    pub(super) fn check_lost(&mut self, slot: u32, dropped_by_self: bool) {
        let t = &self.tasks.metas[slot as usize];
        // An aborted task is dropped, not lost, whatever its wakers do meanwhile.
        if t.flags & (OCCUPIED | DONE | QUEUED | RUNNING | LOST | ABORT) != OCCUPIED
            || t.clones.live() != 0
            || t.clones.since_poll() == 0
            || self.timers.integrated.deadline_of(slot).is_some()
        {
            return;
        }
        self.tasks.metas[slot as usize].flags |= LOST;
        let dropped_by = if dropped_by_self { self.label(slot) } else { self.source_label() };
        let d = Diagnostic::WakerDropped { task: self.label(slot), dropped_by, at: SimTime(self.clock.now) };
        self.report(d);
    }
}

impl Shared {
    #[inline]
    pub(crate) fn wake_from_waker(&self, slot: u32, generation: u32) {
        self.core.borrow_mut().wake_slot(slot, generation, None, false);
    }

    /// A by-value wake: queue the task and release the clone that was consumed. `cause`
    /// overrides the one the context implies (a task's wake, an interrupt's).
    #[inline]
    pub(crate) fn wake_and_release(&self, slot: u32, generation: u32, cause: Option<Cause>) {
        let mut c = self.core.borrow_mut();
        self.settle_poll_clones(&mut c);
        c.wake_slot(slot, generation, cause, true);
    }

    /// Moves the clones `waker::clone` counted during the current poll into the polled task's
    /// counts; done before a clone is released, so that the counts never go below the truth.
    #[inline(always)]
    pub(super) fn settle_poll_clones(&self, c: &mut Core) {
        let n = self.poll_clones.get();
        if n > 0 {
            self.poll_clones.set(0);
            let (_, slot, _) = waker::unpack(self.polling.get());
            c.tasks.metas[slot as usize].clones.add(n);
        }
    }

    /// A clone of a waker that is not the polled task's (those go to `poll_clones`). One made
    /// while the core is borrowed could not be counted, so the kernel never clones a waker
    /// under the borrow (`poll_join`, `driver_schedule_wake` clone before borrowing).
    pub(crate) fn on_waker_clone(&self, slot: u32, generation: u32) {
        let Ok(mut c) = self.core.try_borrow_mut() else { return };
        if let Some(t) = c.tasks.metas.get_mut(slot as usize)
            && t.generation == generation
            && t.has(OCCUPIED)
        {
            t.clones.add(1);
        }
    }

    pub(crate) fn on_waker_drop(&self, slot: u32, generation: u32) {
        let Ok(mut c) = self.core.try_borrow_mut() else { return };
        if self.torn_down.get() {
            return;
        }
        self.settle_poll_clones(&mut c);
        if let Some(t) = c.tasks.metas.get_mut(slot as usize)
            && t.generation == generation
            && t.has(OCCUPIED)
        {
            t.clones.release();
            if t.clones.live() == 0 {
                c.check_lost(slot, false);
            }
        }
    }
}
