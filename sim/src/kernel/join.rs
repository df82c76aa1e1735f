//! A task's life from outside: spawning, joining, detaching, completing (aborting is in
//! `abort.rs`), and the simulation's shutdown, which drops every task, handler and arena
//! value before `'env` ends.

use super::*;

impl Shared {
    #[inline(always)]
    pub(crate) fn spawn_boxed(&self, exec: u8, name: Cow<'static, str>, task: TaskBox) -> TaskKey {
        // A pair of registers, not a three-field key: written to memory field by field by the
        // callee and read back by the caller as whole words, that key stalled every spawn on
        // store-to-load forwarding (several percent of a fuzz execution's time, measured).
        let (slot_and_generation, serial) = self.spawn_unkeyed(exec, name, task);
        TaskKey { slot: slot_and_generation as u32, generation: (slot_and_generation >> 32) as u32, serial }
    }

    /// Spawns `task`; returns its slot (low half) and generation (high half), and its serial.
    fn spawn_unkeyed(&self, exec: u8, name: Cow<'static, str>, task: TaskBox) -> (u64, u32) {
        assert!(!self.torn_down.get(), "fwsim: spawn on a simulation that has been shut down");
        let (slot, generation, serial, left) = {
            let mut c = self.core.borrow_mut();
            assert!((exec as usize) < c.executors.len(), "fwsim: no executor {exec}");
            // Kept apart for the watchdog's reports (its thread cannot read the core), in
            // traced runs, which pay for names anyway.
            let watched = (c.trace.enabled && self.config.watchdog.is_some()).then(|| name.clone());
            let spawned = c.alloc_task(name, exec, task);
            if let Some(name) = watched {
                self.inbox.names.lock().unwrap_or_else(|e| e.into_inner()).set(self.tag, spawned.0, name);
            }
            spawned
        };
        if let Some(left) = left {
            // A box left by the slot's previous task: its drop may re-enter.
            self.blocks.drop_task(left);
        }
        (slot as u64 | (generation as u64) << 32, serial)
    }

    /// Drops slot `slot`'s task box, if it still has one, keeping its block for reuse. (Its
    /// drop may re-enter: no borrow is held across it.)
    pub(super) fn free_task(&self, slot: u32) {
        let task = self.take_task(slot);
        if let Some(task) = task {
            self.blocks.drop_task(task);
        }
    }

    /// Takes slot `slot`'s task box out of the table, to be dropped outside the borrow.
    #[inline]
    pub(super) fn take_task(&self, slot: u32) -> Option<TaskBox> {
        self.core.borrow_mut().tasks.metas[slot as usize].future.take()
    }

    pub(crate) fn add_executor(&self, order: OrderSpec) -> u8 {
        let mut c = self.core.borrow_mut();
        let id = c.executors.len();
        assert!(id < 255, "fwsim: at most 255 executors");
        c.executors.push(RunQueue::new(&order));
        drop(c);
        self.update_mode();
        id as u8
    }

    /// Polls a join handle's task for its output.
    pub(crate) fn poll_join(&self, key: TaskKey, cx: &mut Context<'_>, out: *mut ()) -> Poll<Result<(), JoinError>> {
        if self.torn_down.get() {
            return Poll::Ready(Err(JoinError::SimulationDropped));
        }
        {
            let mut c = self.core.borrow_mut();
            let t = &mut c.tasks.metas[key.slot as usize];
            assert!(
                t.generation == key.generation && t.has(OCCUPIED) && !t.has(TAKEN),
                "fwsim: JoinHandle polled after it returned"
            );
            if !t.has(DONE) {
                drop(c);
                // Cloned with no borrow held, so that the clone is counted whoever's waker it
                // is (a clone made under the borrow is counted only if it is the polled task's).
                let joiner = cx.waker().clone();
                let old_joiner = self.core.borrow_mut().tasks.joiners.insert(key.slot, joiner);
                drop(old_joiner); // its drop may re-enter the core
                return Poll::Pending;
            }
            t.flags |= TAKEN;
            if let Some(e) = c.tasks.take_error(key.slot) {
                let freed = c.maybe_free(key.slot);
                drop(c);
                if freed {
                    self.free_task(key.slot);
                }
                return Poll::Ready(Err(e));
            }
        }
        let task = self.take_task(key.slot);
        if let Some(mut task) = task {
            // SAFETY: the handle that created this key was made for this output type, and a
            // DONE task is never polled.
            unsafe { task.take_output(out) };
            self.blocks.drop_task(task);
        }
        self.core.borrow_mut().maybe_free(key.slot);
        Poll::Ready(Ok(()))
    }

    pub(crate) fn is_finished(&self, key: TaskKey) -> bool {
        if self.torn_down.get() {
            return true;
        }
        let c = self.core.borrow();
        let t = &c.tasks.metas[key.slot as usize];
        t.generation != key.generation || t.has(DONE)
    }

    pub(crate) fn detach(&self, key: TaskKey) {
        if self.torn_down.get() {
            return;
        }
        let (freed, joiner) = {
            let mut c = self.core.borrow_mut();
            let t = &mut c.tasks.metas[key.slot as usize];
            if t.generation != key.generation || !t.has(OCCUPIED) {
                return;
            }
            t.flags |= DETACHED;
            // (Most handles are dropped while their task runs: nothing to free yet.)
            let done = t.has(DONE);
            let joiner = c.tasks.take_joiner(key.slot);
            (done && c.maybe_free(key.slot), joiner)
        };
        drop(joiner);
        if freed {
            self.free_task(key.slot);
        }
    }

    /// Marks a task finished and wakes its joiner; drops what must be dropped outside borrows.
    pub(super) fn complete(&self, slot: u32, error: Option<JoinError>) {
        let (joiner, freed) = {
            let mut c = self.core.borrow_mut();
            let serial = c.serial_of(slot);
            match &error {
                Some(JoinError::Panicked(_)) => c.rec(Kind::Panic, serial, serial, 0),
                aborted => c.rec(Kind::Complete, serial, serial, aborted.is_some() as u64),
            }
            c.tasks.live -= 1;
            // Deliberate difference: on a board a finished task's timer item stays queued in
            // its task storage, and a task later spawned into the same pool slot inherits it
            // (an early, spurious wake). fwsim's slots are not embassy's pool slots, so the
            // item leaves with the task.
            c.timers.integrated.remove(slot);
            let exec = c.tasks.metas[slot as usize].exec as usize;
            c.executors[exec].finished(Runnable(slot));
            if let Some(e) = error {
                c.tasks.errors.insert(slot, e);
            }
            let t = &mut c.tasks.metas[slot as usize];
            t.flags |= DONE;
            t.flags &= !(RUNNING | ABORT);
            let declared = t.must_finish as u32;
            c.tasks.must_finish -= declared;
            let joiner = c.tasks.take_joiner(slot);
            if self.awaited.get() == Some(slot) {
                self.awaited_done.set(true);
            }
            (joiner, c.maybe_free(slot))
        };
        if freed {
            self.free_task(slot);
        }
        if let Some(j) = joiner {
            j.wake();
        }
    }

    /// A task's `name#id`, while its slot is its own.
    pub(crate) fn label_of(&self, key: TaskKey) -> String {
        let c = self.core.borrow();
        match c.tasks.metas.get(key.slot as usize) {
            Some(t) if t.generation == key.generation && t.has(OCCUPIED) => c.label(key.slot),
            _ => format!("#{}", key.serial),
        }
    }

    pub(crate) fn live_tasks(&self) -> usize {
        self.core.borrow().tasks.live
    }

    /// Drops every task, pending interrupt and arena value, in that order (an arena value that
    /// borrows is left undropped: see `Sim::alloc_borrowing`), and refuses new ones (a spawn
    /// panics, an interrupt handler is dropped unrun): afterwards nothing of the simulation's
    /// `'env` remains, so the state may outlive it (join handles keep it).
    pub(crate) fn shutdown(self: &Rc<Self>) {
        if self.torn_down.replace(true) {
            return;
        }
        let _g = Entered::new(self);
        // Tasks first: they may borrow arena values. Most runs have freed every box by now.
        if self.core.borrow().tasks.metas.iter().any(|t| t.future.is_some()) {
            self.drop_held_tasks();
        }
        {
            let mut c = self.core.borrow_mut();
            c.clock.events.clear();
            let choice_points = c.choices.count;
            c.choices.explorer.end(choice_points);
        }
        // Before the arena values they may read. Most runs use none of these: one inline test
        // skips them all, and their work stays out of line.
        if self.has_cold_leftovers() {
            self.shutdown_cold();
        }
        if self.arena.borrow().has_drops() {
            self.drop_arena_values();
        }
        drop_all(&self.artifact_writers);
        debug_assert!(self.isr_fns.borrow().is_empty());
    }

    /// Drops the arena's values, in the order they came. Their drops may re-enter (and an
    /// `alloc` is refused now), so no borrow is held across them; one that panics does not
    /// stop the others (they are dropped while the panic unwinds).
    fn drop_arena_values(&self) {
        /// The values left to drop: dropped by `drop_all`, or by the guard's own drop if one
        /// of them panics.
        struct Rest {
            values: Vec<bump::Dropped>,
            next: usize,
        }
        impl Rest {
            fn drop_all(&mut self) {
                while let Some(&value) = self.values.get(self.next) {
                    self.next += 1;
                    // SAFETY: each value was listed by `Bump::put` and is dropped once (`next`
                    // has moved past it), at shutdown, after which nothing uses it.
                    unsafe { value.drop_value() };
                }
            }
        }
        impl Drop for Rest {
            fn drop(&mut self) {
                self.drop_all();
            }
        }
        let mut rest = Rest { values: self.arena.borrow_mut().take_drops(), next: 0 };
        rest.drop_all();
        let mut emptied = std::mem::take(&mut rest.values);
        emptied.clear();
        self.arena.borrow_mut().give_back_drops(emptied);
    }

    /// Drops the task boxes still held, in slot order. Their drops may re-enter (a dropped
    /// JoinHandle, a spawn, which is refused now), so each is taken out of the table and
    /// dropped with no borrow held; a drop that panics does not stop the others.
    #[cold]
    #[inline(never)]
    fn drop_held_tasks(&self) {
        let slots = self.core.borrow().tasks.metas.len();
        for slot in 0..slots as u32 {
            if let Some(task) = self.take_task(slot) {
                let _ = catch_unwind(AssertUnwindSafe(|| self.blocks.drop_task(task)));
            }
        }
    }

    /// Whether shutdown has anything besides tasks and arena values to drop or flush.
    #[inline]
    fn has_cold_leftovers(&self) -> bool {
        let c = self.core.borrow();
        // (`isr_free` names slots of `isr_fns`, which only shutdown empties.)
        self.invariants.armed()
            || !self.isr_fns.borrow().is_empty()
            || !c.irq.pending.is_empty()
            || c.irq.armed.is_some()
            || !c.tasks.joiners.is_empty()
            || c.timers.generic.as_ref().is_some_and(|g| !g.is_empty())
            || !c.timers.foreign.is_empty()
            || c.trace.has_output()
    }

    /// Shutdown's rarely needed part: invariants, interrupt handlers, joiners, the generic and
    /// foreign timer queues' wakers, the trace file.
    #[cold]
    #[inline(never)]
    fn shutdown_cold(self: &Rc<Self>) {
        self.invariants.clear();
        self.isr_free.borrow_mut().clear();
        drop_all(&self.isr_fns);
        let (joiners, generic, foreign) = {
            let mut c = self.core.borrow_mut();
            c.irq.pending.clear();
            c.irq.armed = None;
            let joiners = std::mem::take(&mut c.tasks.joiners);
            let generic = c.timers.generic.as_mut().map(|g| g.clear());
            let foreign = c.timers.foreign.clear();
            let _ = c.trace.flush();
            (joiners, generic, foreign)
        };
        // Wakers are dropped outside the borrow: their drops may re-enter.
        drop(joiners);
        drop(generic);
        drop(foreign);
    }
}

/// Drops a table's entries outside its cell's borrow (their drops may re-enter), keeping the
/// table's allocation.
#[inline]
fn drop_all<T>(cell: &RefCell<Vec<T>>) {
    if !cell.borrow().is_empty() {
        drop_entries(cell);
    }
}

/// `drop_all`'s work, out of line: most shutdowns find the table empty.
#[inline(never)]
fn drop_entries<T>(cell: &RefCell<Vec<T>>) {
    let mut table = std::mem::take(&mut *cell.borrow_mut());
    table.clear();
    give_back(cell, table);
}

/// Puts an emptied table back in its cell, unless something was added to the cell meanwhile
/// (then the cell's own table stays, and `emptied` is just freed).
#[inline]
fn give_back<T>(cell: &RefCell<Vec<T>>, emptied: Vec<T>) {
    let mut table = cell.borrow_mut();
    if table.is_empty() {
        *table = emptied;
    }
}
