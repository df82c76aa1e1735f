//! embassy-executor 0.10's run queue (default scheduler).

use super::{Order, OrderCx, RunOrder, Runnable, Wake};

/// embassy-executor 0.10's order (default scheduler): woken tasks are pushed on a stack; each
/// `poll()` detaches the whole stack and runs it from the top, so within a batch the task
/// woken **last runs first**, and tasks woken during a batch (self-wakes included) wait for the
/// next batch. A wake while queued is coalesced (`RUN_QUEUED`). Timers that expire together are
/// woken in descending insertion order, so they *run* in registration order.
#[derive(Debug, Default)]
pub struct Embassy {
    /// The batch being run; its top (last element) runs next.
    batch: Vec<Runnable>,
    /// Tasks woken since the batch began: the next batch.
    incoming: Vec<Runnable>,
}

impl Embassy {
    /// Empties both stacks, keeping their allocations.
    pub(crate) fn clear(&mut self) {
        self.batch.clear();
        self.incoming.clear();
    }

    /// Pushes onto a full stack, which grows: out of line, so that the common push calls
    /// nothing and the wake path saves fewer registers.
    #[cold]
    #[inline(never)]
    fn push_growing(&mut self, task: Runnable) {
        self.incoming.push(task);
    }
}

impl RunOrder for Embassy {
    #[inline(always)]
    fn push(&mut self, task: Runnable, _wake: Wake, _cx: &mut OrderCx<'_>) {
        if self.incoming.len() == self.incoming.capacity() {
            return self.push_growing(task);
        }
        self.incoming.push(task);
    }

    #[inline(always)]
    fn prepare(&mut self, _cx: &mut OrderCx<'_>) -> usize {
        if self.batch.is_empty() {
            if self.incoming.len() <= 1 {
                // A batch of one (ping-pong's every batch) or none: `take` pops it from
                // `incoming`, with no swap.
                return self.incoming.len();
            }
            std::mem::swap(&mut self.batch, &mut self.incoming);
        }
        self.batch.len()
    }

    fn candidate(&self, i: usize) -> Runnable {
        if self.batch.is_empty() { self.incoming[0] } else { self.batch[self.batch.len() - 1 - i] }
    }

    #[inline(always)]
    fn take(&mut self, i: usize) -> Runnable {
        let stack = if self.batch.is_empty() { &mut self.incoming } else { &mut self.batch };
        if i == 0 { stack.pop().expect("prepared") } else { stack.remove(stack.len() - 1 - i) }
    }

    #[inline(always)]
    fn pop(&mut self, _cx: &mut OrderCx<'_>) -> Option<(Runnable, bool)> {
        if self.batch.is_empty() {
            if self.incoming.len() <= 1 {
                return self.incoming.pop().map(|t| (t, false));
            }
            std::mem::swap(&mut self.batch, &mut self.incoming);
        }
        let choice = self.batch.len() >= 2;
        self.batch.pop().map(|t| (t, choice))
    }

    fn built_in(&self) -> Option<Order> {
        Some(Order::Embassy)
    }
}
