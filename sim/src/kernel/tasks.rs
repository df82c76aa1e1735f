//! The task table: per-slot states and flags, waker clone counts, slots and generations,
//! names and labels, and freeing a slot once nobody can ask for its output.

use super::*;

/// The task table: one entry per slot, reused when a task is freed, with side tables for
/// what only some tasks need.
#[derive(Default)]
pub(super) struct TaskTable {
    /// Per slot: states, generation, clone counts, the cached future pointer.
    pub(super) metas: Vec<TaskMeta>,
    /// Free slots, reused last-freed first.
    pub(super) free: Vec<u32>,
    /// The next task's serial (its `TaskId`).
    pub(super) next_serial: u32,
    /// Tasks not finished.
    pub(super) live: usize,
    /// Tasks declared with [`JoinHandle::must_finish`](crate::JoinHandle::must_finish) and not
    /// finished: a count kept by the declaration and by `complete`, so that the end of a run
    /// tells whether one is stuck without a look at any task.
    pub(super) must_finish: u32,
    /// Task names, per slot: only labels read them (a table apart from `metas`, whose entries
    /// stay small for the hot paths).
    pub(super) names: Vec<Cow<'static, str>>,
    /// The waker of whoever awaits a task's join handle, per slot (a side table).
    pub(super) joiners: BTreeMap<u32, Waker>,
    /// How finished tasks failed, per slot, until their join handle takes it (a side table:
    /// rare, and it keeps `TaskMeta` small).
    pub(super) errors: BTreeMap<u32, JoinError>,
}

impl TaskTable {
    /// The waker awaiting `slot`'s join handle. (The side tables are usually empty, and a
    /// lookup in an empty map still costs a call per task.)
    #[inline]
    pub(super) fn take_joiner(&mut self, slot: u32) -> Option<Waker> {
        if self.joiners.is_empty() { None } else { self.joiners.remove(&slot) }
    }

    /// How `slot`'s task failed, if it did and nobody has asked yet.
    #[inline]
    pub(super) fn take_error(&mut self, slot: u32) -> Option<JoinError> {
        if self.errors.is_empty() { None } else { self.errors.remove(&slot) }
    }
}

// Task flags.
pub(super) const OCCUPIED: u8 = 1;
pub(super) const QUEUED: u8 = 2;
pub(super) const RUNNING: u8 = 4;
pub(super) const DONE: u8 = 8;
pub(super) const ABORT: u8 = 16;
pub(super) const DETACHED: u8 = 32;
pub(super) const TAKEN: u8 = 64;
pub(super) const LOST: u8 = 128;

pub(super) struct TaskMeta {
    pub(super) generation: u32,
    pub(super) serial: u32,
    pub(super) flags: u8,
    pub(super) exec: u8,
    /// Declared with [`JoinHandle::must_finish`](crate::JoinHandle::must_finish) (counted in
    /// `TaskTable::must_finish` until it finishes). A byte of the entry's padding: the flags
    /// byte is full.
    pub(super) must_finish: bool,
    /// Live clones of this task's waker (made on this thread), and clones made since its last
    /// poll began.
    pub(super) clones: CloneCounts,
    /// The task's future, in the box that owns it. Set at spawn; taken out to be dropped
    /// (outside the core's borrow: a future's drop may re-enter) only once the task is DONE,
    /// or aborted and not running, or at shutdown: so it stays put while the task is polled.
    /// A freed slot may still hold its last task's box (see `Core::drop_stale_entry`) until
    /// the slot is reused or the simulation shut down. `ManuallyDrop`: the table never drops
    /// a box itself (every box is taken out first, and shutdown takes what is left), so
    /// emptying the table is not a loop over its entries.
    pub(super) future: ManuallyDrop<Option<TaskBox>>,
    /// Times picked to poll (counted only with an explorer that records its schedule: the
    /// anchor of the choice points after each pick, see `Choices::picked`). 32 bits keep the
    /// entry at 40 bytes, which the wake and poll paths of every mode measurably prefer; a
    /// count that saturates would take one task polled four billion times in one execution.
    pub(super) picks: u32,
}

// The hot paths index the task table on every poll and wake: keep an entry at 40 bytes.
const _: () = assert!(std::mem::size_of::<TaskMeta>() <= 40);

/// A task's waker clone counts, packed in one word: live clones (low half) and clones made
/// since the last poll began (high half). One word, always read and written whole: a clone's
/// increment of both must not load what a wake or a poll just stored as a half, which the CPU
/// cannot forward from its store buffer (a stall on every ping-pong round trip).
#[derive(Clone, Copy, Default)]
pub(super) struct CloneCounts(pub(super) u64);

impl CloneCounts {
    const SINCE_POLL: u64 = 1 << 32;
    #[inline(always)]
    pub(super) fn live(self) -> u32 {
        self.0 as u32
    }
    #[inline(always)]
    pub(super) fn since_poll(self) -> u32 {
        (self.0 >> 32) as u32
    }
    /// `n` clones were made.
    #[inline(always)]
    pub(super) fn add(&mut self, n: u32) {
        self.0 = self.0.wrapping_add(n as u64 * (1 + Self::SINCE_POLL));
    }
    /// A clone was dropped or consumed by a wake.
    #[inline(always)]
    pub(super) fn release(&mut self) {
        if self.live() > 0 {
            self.0 -= 1;
        }
    }
    #[inline(always)]
    pub(super) fn poll_begins(&mut self) {
        self.0 &= u32::MAX as u64;
    }
}

impl TaskMeta {
    pub(super) fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }
}

/// A task's identity for join handles: slot and generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) slot: u32,
    pub(crate) generation: u32,
    pub(crate) serial: u32,
}

impl Core {
    pub(crate) fn serial_of(&self, slot: u32) -> u32 {
        self.tasks.metas[slot as usize].serial
    }

    pub(crate) fn running_label(&self) -> String {
        self.poll.running.map_or_else(|| "-".to_owned(), |r| self.label(r))
    }

    pub(crate) fn label(&self, slot: u32) -> String {
        let t = &self.tasks.metas[slot as usize];
        format!("{}#{}", self.tasks.names[slot as usize], t.serial)
    }

    /// Who is acting right now: an interrupt, the alarm, the running task, or the outside.
    #[inline]
    pub(crate) fn source(&self) -> TaskRef {
        if let Some(irq) = self.irq.stack.last() {
            TaskRef::Interrupt(irq.number)
        } else if self.timers.firing {
            TaskRef::Timer
        } else if let Some(r) = self.poll.running {
            TaskRef::Task(self.serial_of(r))
        } else {
            TaskRef::Outside
        }
    }

    pub(super) fn source_label(&self) -> String {
        match self.source() {
            TaskRef::Task(_) => self.label(self.poll.running.expect("running")),
            TaskRef::Timer => "the timer alarm".into(),
            TaskRef::Interrupt(n) => match self.trace.names.irq(n) {
                Some(name) => format!("interrupt {n} ({name})"),
                None => format!("interrupt {n}"),
            },
            TaskRef::Outside => "code outside the tasks".into(),
        }
    }

    /// Puts `task` in a slot, new or free, and queues it; returns the slot, its generation, the
    /// task's serial, and the box a free slot still held (see `TaskMeta::future`), for the
    /// caller to drop outside the core's borrow.
    pub(super) fn alloc_task(
        &mut self,
        name: Cow<'static, str>,
        exec: u8,
        task: TaskBox,
    ) -> (u32, u32, u32, Option<TaskBox>) {
        let serial = self.tasks.next_serial;
        self.tasks.next_serial += 1;
        if self.trace.enabled {
            let name_id = self.trace.name_task(serial, &name);
            let src = self.source().encode();
            self.rec(Kind::Spawn, serial, src, name_id as u64);
        }
        let entry = |generation, task| TaskMeta {
            generation,
            serial,
            flags: OCCUPIED,
            exec,
            must_finish: false,
            clones: CloneCounts::default(),
            future: ManuallyDrop::new(Some(task)),
            picks: 0,
        };
        let (slot, generation, left) = match self.tasks.free.pop() {
            Some(s) => {
                let t = &mut self.tasks.metas[s as usize];
                let left = t.future.take();
                *t = entry(t.generation, task);
                self.tasks.names[s as usize] = name;
                (s, t.generation, left)
            }
            None => {
                // A new slot is written once, whole (a recycled simulation's first tasks all
                // take new slots).
                let s = self.tasks.metas.len() as u32;
                assert!(s <= waker::SLOT_MASK, "fwsim: more than 1,048,576 tasks alive at once");
                self.tasks.metas.push(entry(0, task));
                self.tasks.names.push(name);
                (s, 0, None)
            }
        };
        self.tasks.live += 1;
        self.enqueue_new(slot);
        (slot, generation, serial, left)
    }

    /// Declares that `key`'s task must finish, once (a second declaration, or one made once
    /// the task has finished, counts nothing).
    pub(crate) fn declare_must_finish(&mut self, key: TaskKey) {
        let Some(t) = self.tasks.metas.get_mut(key.slot as usize) else { return };
        if t.generation == key.generation && t.flags & (OCCUPIED | DONE) == OCCUPIED && !t.must_finish {
            t.must_finish = true;
            self.tasks.must_finish += 1;
        }
    }

    /// Frees a finished slot if nobody can still ask for its output. (Its future box stays:
    /// the caller takes it out and drops it outside the borrow, see `Shared::free_task`.)
    pub(super) fn maybe_free(&mut self, slot: u32) -> bool {
        let t = &mut self.tasks.metas[slot as usize];
        let releasable = t.has(DONE) && !t.has(QUEUED) && (t.has(DETACHED) || t.has(TAKEN));
        if releasable && t.has(OCCUPIED) {
            t.flags = 0;
            t.generation = t.generation.wrapping_add(1) & waker::GEN_MASK;
            // The name stays until the slot's next task replaces it (or the table is emptied):
            // nothing reads a free slot's name.
            self.tasks.take_error(slot); // (its timer left in `complete`)
            self.tasks.free.push(slot);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use crate::{Sim, SimConfig};

    /// Slots in the task table after spawning `n` tasks that each wake themselves, abort
    /// themselves (leaving a stale run-queue entry) and are detached.
    pub(super) fn slots_after_self_aborts(config: SimConfig, n: usize) -> usize {
        let sim = Sim::with_config(config);
        for _ in 0..n {
            let me: std::rc::Rc<std::cell::Cell<Option<crate::JoinHandle<()>>>> = Default::default();
            let me2 = me.clone();
            let handle = sim.spawn("self-aborter", async move {
                let handle = me2.take().expect("set before the first poll");
                std::future::poll_fn(|cx| {
                    cx.waker().wake_by_ref(); // queued again…
                    handle.abort(); // …and aborted: the queue entry goes stale
                    std::task::Poll::<()>::Pending
                })
                .await
            });
            me.set(Some(handle));
            sim.run_until_stalled().unwrap();
        }
        sim.shared.core.borrow().tasks.metas.len()
    }

    /// A detached task that woke itself and then finished leaves its box (holding its
    /// output) in its freed slot; whoever takes the slot next, a spawn or the shutdown, drops
    /// it with no borrow held: the output's drop here spawns.
    #[test]
    fn a_box_left_in_a_freed_slot_is_dropped_by_the_next_spawn_or_the_shutdown() {
        struct SpawnsOnDrop(crate::SimHandle, std::rc::Rc<std::cell::Cell<u32>>);
        impl Drop for SpawnsOnDrop {
            fn drop(&mut self) {
                self.1.set(self.1.get() + 1);
                // Refused (a panic) once the simulation is shut down.
                let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    drop(self.0.spawn("from-a-drop", async {}));
                }));
                if spawned.is_ok() {
                    self.1.set(self.1.get() + 100);
                }
            }
        }
        let finish_while_queued = |sim: &Sim, drops: &std::rc::Rc<std::cell::Cell<u32>>| {
            let mut output = Some(SpawnsOnDrop(sim.handle(), drops.clone()));
            drop(sim.spawn(
                "ready-while-queued",
                std::future::poll_fn(move |cx| {
                    cx.waker().wake_by_ref();
                    std::task::Poll::Ready(output.take())
                }),
            ));
            sim.run_until_stalled().unwrap();
        };
        let drops = std::rc::Rc::default();
        let sim = Sim::with_config(SimConfig::new().quiet_panics(true));
        finish_while_queued(&sim, &drops);
        assert_eq!(sim.live_tasks(), 0);
        sim.spawn("reuses-the-slot", async {});
        assert_eq!(drops.get(), 101, "dropped by the spawn that reused its slot, and could spawn");
        sim.run_until_stalled().unwrap();
        assert_eq!(sim.shared.core.borrow().tasks.metas.len(), 2, "the slot was reused");
        finish_while_queued(&sim, &drops);
        drop(sim);
        assert_eq!(drops.get(), 102, "dropped by the shutdown, whose spawn was refused");
    }

    #[test]
    pub(super) fn a_task_that_aborts_itself_while_queued_frees_its_slot() {
        for config in [SimConfig::new(), SimConfig::new().no_trace()] {
            assert_eq!(slots_after_self_aborts(config, 50), 1, "one slot, reused by every task");
        }
    }
}
