use super::*;

impl Core {
    /// Puts a task on its run queue (the caller has checked it is not queued).
    #[inline(always)]
    pub(super) fn enqueue(&mut self, slot: u32, key: Option<ReadyKey>) {
        let t = &mut self.tasks[slot as usize];
        t.flags |= QUEUED;
        let exec = t.exec as usize;
        match &mut self.executors[exec] {
            RunQueue::Embassy(q) => q.push(slot),
            RunQueue::Fifo(q) => q.push(slot),
            // Only MicroPython's queue orders by key; the others need no key (and no division).
            RunQueue::MicroPython(_) => {
                // A self-wake resumes at the place of a wake coalesced while queued (policy docs).
                let held = if self.running == Some(slot) { self.held_keys.remove(&slot) } else { None };
                let key = match held.or(key) {
                    Some(k) => k,
                    None => self.now_key(),
                };
                self.executors[exec].push(slot, key);
            }
        }
    }

    /// MicroPython's key for a wake now: the current µs, the next push sequence.
    pub(super) fn now_key(&mut self) -> ReadyKey {
        ReadyKey { key_us: self.now / 1_000, seq: self.next_seq() }
    }

    /// Wakes a task of this simulation; `release` also drops one counted clone of its waker
    /// (a by-value wake consumes the waker).
    #[inline(always)]
    pub(crate) fn wake_slot(&mut self, slot: u32, generation: u32, key: Option<ReadyKey>, release: bool) {
        if self.lean {
            self.wake_lean(slot, generation, release);
        } else {
            self.wake_general(slot, generation, key, release);
        }
    }

    /// The task a waker names, if it is alive (a finished task's waker is a spurious wake,
    /// ignored). `release` drops the counted clone a by-value wake consumes: the task is queued
    /// after this (or finished), so it cannot be lost and needs no check.
    #[inline(always)]
    pub(super) fn wakeable(&mut self, slot: u32, generation: u32, release: bool) -> Option<&mut TaskMeta> {
        let t = self.tasks.get_mut(slot as usize)?;
        if t.generation != generation || t.flags & (OCCUPIED | DONE) != OCCUPIED {
            return None;
        }
        if release {
            t.clones.release();
        }
        Some(t)
    }

    /// `wake_slot` for a lean simulation: one embassy-order executor, no trace, no cost model.
    #[inline(always)]
    pub(super) fn wake_lean(&mut self, slot: u32, generation: u32, release: bool) {
        let Some(t) = self.wakeable(slot, generation, release) else { return };
        if t.flags & QUEUED == 0 {
            t.flags |= QUEUED;
            if !lean_queue(&mut self.executors).push_within_capacity(slot) {
                self.push_growing(slot);
            }
        }
    }

    /// Pushes a lean wake's task onto a full run queue (which grows), out of line: the common
    /// wake then calls nothing and saves fewer registers.
    #[cold]
    #[inline(never)]
    pub(super) fn push_growing(&mut self, slot: u32) {
        lean_queue(&mut self.executors).push(slot);
    }

    #[inline(never)]
    pub(super) fn wake_general(&mut self, slot: u32, generation: u32, key: Option<ReadyKey>, release: bool) {
        let Some(t) = self.wakeable(slot, generation, release) else { return };
        let queued = t.has(QUEUED);
        let serial = t.serial;
        if self.trace.enabled {
            let src = self.source().encode();
            self.rec(if queued { Kind::WakeCoalesced } else { Kind::Wake }, serial, src, 0);
        }
        if queued {
            let t = &self.tasks[slot as usize];
            let exec = t.exec as usize;
            if self.running != Some(slot)
                && self.executors[exec].order() == Order::MicroPython
                && !self.held_keys.contains_key(&slot)
            {
                let key = match key {
                    Some(k) => k,
                    None => self.now_key(),
                };
                self.held_keys.insert(slot, key);
            }
            return;
        }
        self.wakes_in_poll += 1;
        if !self.isr_stack.is_empty()
            && self.executors[self.tasks[slot as usize].exec as usize].order() == Order::MicroPython
        {
            // asyncio notices interrupt work (ThreadSafeFlag) at its next loop step.
            self.tasks[slot as usize].flags |= QUEUED;
            self.deferred.push(slot);
            return;
        }
        self.enqueue(slot, key);
    }

    /// Checks whether a pending task has just become unwakeable.
    pub(super) fn check_lost(&mut self, slot: u32, dropped_by_self: bool) {
        let t = &self.tasks[slot as usize];
        // An aborted task is dropped, not lost, whatever its wakers do meanwhile.
        if t.flags & (OCCUPIED | DONE | QUEUED | RUNNING | LOST | ABORT) != OCCUPIED
            || t.clones.live() != 0
            || t.clones.since_poll() == 0
            || self.timers.deadline_of(slot).is_some()
        {
            return;
        }
        self.tasks[slot as usize].flags |= LOST;
        let dropped_by = if dropped_by_self { self.label(slot) } else { self.source_label() };
        let d = Diagnostic::WakerDropped { task: self.label(slot), dropped_by, at: SimTime(self.now) };
        self.report(d);
    }
}

impl Shared {
    #[inline]
    pub(crate) fn wake_from_waker(&self, slot: u32, generation: u32) {
        self.core.borrow_mut().wake_slot(slot, generation, None, false);
    }

    /// A by-value wake: queue the task and release the clone that was consumed.
    #[inline]
    pub(crate) fn wake_and_release(&self, slot: u32, generation: u32) {
        let mut c = self.core.borrow_mut();
        self.settle_poll_clones(&mut c);
        c.wake_slot(slot, generation, None, true);
    }

    /// Moves the clones `waker::clone` counted during the current poll into the polled task's
    /// counts; done before a clone is released, so that the counts never go below the truth.
    #[inline(always)]
    pub(super) fn settle_poll_clones(&self, c: &mut Core) {
        let n = self.poll_clones.get();
        if n > 0 {
            self.poll_clones.set(0);
            let (_, slot, _) = waker::unpack(self.polling.get());
            c.tasks[slot as usize].clones.add(n);
        }
    }

    /// A clone of a waker that is not the polled task's (those go to `poll_clones`). One made
    /// while the core is borrowed could not be counted, so the kernel never clones a waker
    /// under the borrow (`poll_join`, `driver_schedule_wake` clone before borrowing).
    pub(crate) fn on_waker_clone(&self, slot: u32, generation: u32) {
        let Ok(mut c) = self.core.try_borrow_mut() else { return };
        if let Some(t) = c.tasks.get_mut(slot as usize)
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
        if let Some(t) = c.tasks.get_mut(slot as usize)
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
