//! First in, first out.

use std::collections::VecDeque;

use super::{Order, OrderCx, RunOrder, Runnable, Wake};

/// Plain first in, first out; timers that expire together in registration order. A neutral
/// baseline, and the order the any-order explorers permute.
#[derive(Debug, Default)]
pub struct Fifo {
    queue: VecDeque<Runnable>,
}

impl Fifo {
    /// Empties the queue, keeping its allocation.
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }
}

impl RunOrder for Fifo {
    #[inline]
    fn push(&mut self, task: Runnable, _wake: Wake, _cx: &mut OrderCx<'_>) {
        self.queue.push_back(task);
    }
    #[inline]
    fn prepare(&mut self, _cx: &mut OrderCx<'_>) -> usize {
        self.queue.len()
    }
    #[inline]
    fn candidate(&self, i: usize) -> Runnable {
        self.queue[i]
    }
    #[inline]
    fn take(&mut self, i: usize) -> Runnable {
        // The front is the common answer, and `remove` does not special-case it.
        if i == 0 { self.queue.pop_front() } else { self.queue.remove(i) }.expect("in range")
    }
    fn expired_in_registration_order(&self) -> bool {
        true
    }
    fn built_in(&self) -> Option<Order> {
        Some(Order::Fifo)
    }
}
