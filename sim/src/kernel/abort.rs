//! Aborting tasks: one through its handle, every one at a reset, and the links by which an
//! abort reaches the task an `AbortOnDrop` awaits.

use super::*;

impl Shared {
    /// Aborts every unfinished task: a reset of the MCU. Inside a poll (firmware resetting
    /// itself) each is aborted as [`abort`](Self::abort) does, the caller when its poll
    /// returns. Outside one every future is dropped now, not when it would next be picked, so
    /// what the drops do (a chip select released, a UART read disarmed) happens at the reset,
    /// before anything spawned after it runs.
    pub(crate) fn abort_all(&self) {
        if self.torn_down.get() {
            return;
        }
        let (keys, polling) = {
            let c = self.core.borrow();
            let live = c.tasks.metas.iter().enumerate().filter(|(_, t)| t.flags & (OCCUPIED | DONE) == OCCUPIED);
            let keys: Vec<TaskKey> = live
                .map(|(slot, t)| TaskKey { slot: slot as u32, generation: t.generation, serial: t.serial })
                .collect();
            (keys, c.poll.running.is_some())
        };
        if polling {
            keys.into_iter().for_each(|key| self.abort(key));
            return;
        }
        for key in keys {
            let future = {
                let mut c = self.core.borrow_mut();
                let t = &mut c.tasks.metas[key.slot as usize];
                // A drop earlier in this loop may have ended it (an abort-on-drop handle).
                if t.generation != key.generation || t.flags & (OCCUPIED | DONE) != OCCUPIED {
                    continue;
                }
                t.flags |= ABORT;
                let future = t.future.take();
                let src = c.source().encode();
                c.rec(Kind::Abort, key.serial, src, 0);
                future
            };
            self.abort_links.borrow_mut().remove(&key.slot);
            // A queue entry it had (woken, not yet polled) is left stale: the pick skips it.
            self.finish_aborted(key.slot, future);
        }
    }

    /// Drops an aborted task's future (outside any borrow: its drop may call back in) and
    /// completes the task as aborted.
    pub(super) fn finish_aborted(&self, slot: u32, future: Option<TaskBox>) {
        if let Some(future) = future {
            self.blocks.drop_task(future);
        }
        self.complete(slot, Some(JoinError::Aborted));
    }

    pub(crate) fn abort(&self, key: TaskKey) {
        if self.torn_down.get() {
            return;
        }
        let mut c = self.core.borrow_mut();
        let t = &mut c.tasks.metas[key.slot as usize];
        if t.generation != key.generation || t.flags & (OCCUPIED | DONE | ABORT) != OCCUPIED {
            return;
        }
        t.flags |= ABORT;
        let (serial, running) = (t.serial, t.has(RUNNING));
        let src = c.source().encode();
        c.rec(Kind::Abort, serial, src, 0);
        if !running {
            // Scheduled like a wake, in the policy's order; dropped instead of polled.
            c.wake_slot(key.slot, key.generation, None, false);
        }
        drop(c);
        let forwarded = self.abort_links.borrow_mut().remove(&key.slot);
        if let Some((generation, target)) = forwarded
            && generation == key.generation
        {
            self.abort(target);
        }
    }

    /// Links the running task to `target`, which it awaits through an `AbortOnDrop` (`on`),
    /// or unlinks it: while linked, an abort of the running task aborts `target` at once, as
    /// asyncio's `cancel` reaches the awaited task at the call, not when the awaiter next runs.
    pub(crate) fn link_abort(&self, target: TaskKey, on: bool) {
        let running = {
            let c = self.core.borrow();
            c.poll.running.map(|slot| (slot, c.tasks.metas[slot as usize].generation))
        };
        let Some((slot, generation)) = running else { return };
        let mut links = self.abort_links.borrow_mut();
        if on {
            links.insert(slot, (generation, target));
        } else {
            links.remove(&slot);
        }
    }

    /// Removes every link to `target` (its `AbortOnDrop` became a plain handle again).
    pub(crate) fn unlink_abort_target(&self, target: TaskKey) {
        self.abort_links.borrow_mut().retain(|_, (_, linked)| *linked != target);
    }
}
