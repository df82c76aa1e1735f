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
        let task = self.queue[i];
        // Run queues are short and answers near the front: shifting the ones before `i` back
        // by one and dropping the front costs less than `VecDeque::remove`'s general case.
        for k in (0..i).rev() {
            self.queue[k + 1] = self.queue[k];
        }
        self.queue.pop_front();
        task
    }
    fn expired_in_registration_order(&self) -> bool {
        true
    }
    fn built_in(&self) -> Option<Order> {
        Some(Order::Fifo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_any_candidate_keeps_the_others_in_order() {
        // Offsets move the deque's head so that its contents wrap around its buffer.
        for offset in 0..8 {
            for len in 1..6u32 {
                for i in 0..len {
                    let mut fifo = Fifo { queue: VecDeque::with_capacity(4) };
                    for _ in 0..offset {
                        fifo.queue.push_back(Runnable(99));
                        fifo.queue.pop_front();
                    }
                    fifo.queue.extend((0..len).map(Runnable));
                    assert_eq!(fifo.take(i as usize), Runnable(i));
                    let rest: Vec<Runnable> = fifo.queue.iter().copied().collect();
                    let expected: Vec<Runnable> = (0..len).filter(|k| *k != i).map(Runnable).collect();
                    assert_eq!(rest, expected, "offset {offset}, len {len}, taking {i}");
                }
            }
        }
    }
}
