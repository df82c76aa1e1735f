//! First in, first out.

use super::{Order, OrderCx, RunOrder, Runnable, Wake};

/// Plain first in, first out; timers that expire together in registration order. A neutral
/// baseline, and the order the any-order explorers permute.
#[derive(Debug, Default)]
pub struct Fifo {
    /// The queue is `items[head..]`. A vector with a moving front rather than a `VecDeque`:
    /// run queues are a few entries long and empty out again and again, and indexing a ring
    /// buffer (wrapping every index) cost more than the rest of a pick.
    items: Vec<Runnable>,
    head: usize,
}

/// Entries taken from the front that are reclaimed at the latest once they are this many and
/// at least half the vector (a queue that never empties still uses bounded memory).
const COMPACT_AT: usize = 32;

impl Fifo {
    /// Empties the queue, keeping its allocation.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.head = 0;
    }
}

impl RunOrder for Fifo {
    #[inline]
    fn push(&mut self, task: Runnable, _wake: Wake, _cx: &mut OrderCx<'_>) {
        self.items.push(task);
    }
    #[inline]
    fn prepare(&mut self, _cx: &mut OrderCx<'_>) -> usize {
        self.items.len() - self.head
    }
    #[inline]
    fn candidate(&self, i: usize) -> Runnable {
        self.items[self.head + i]
    }
    #[inline]
    fn take(&mut self, i: usize) -> Runnable {
        let head = self.head;
        let task = self.items[head + i];
        // Answers are near the front: the ones before `i` move back by one, over the front.
        for k in (head..head + i).rev() {
            self.items[k + 1] = self.items[k];
        }
        self.head = head + 1;
        if self.head == self.items.len() {
            self.clear();
        } else if self.head >= COMPACT_AT && self.head * 2 >= self.items.len() {
            self.items.drain(..self.head);
            self.head = 0;
        }
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

    fn cx_free_push(fifo: &mut Fifo, task: u32) {
        fifo.items.push(Runnable(task));
    }

    fn contents(fifo: &Fifo) -> Vec<Runnable> {
        fifo.items[fifo.head..].to_vec()
    }

    #[test]
    fn taking_any_candidate_keeps_the_others_in_order() {
        // Offsets move the front, so that the queue starts past taken entries.
        for offset in 0..8 {
            for len in 1..6u32 {
                for i in 0..len {
                    let mut fifo = Fifo::default();
                    for _ in 0..offset {
                        cx_free_push(&mut fifo, 99);
                    }
                    (0..len).for_each(|t| cx_free_push(&mut fifo, t));
                    for _ in 0..offset {
                        assert_eq!(fifo.take(0), Runnable(99));
                    }
                    assert_eq!(fifo.take(i as usize), Runnable(i));
                    let expected: Vec<Runnable> = (0..len).filter(|k| *k != i).map(Runnable).collect();
                    assert_eq!(contents(&fifo), expected, "offset {offset}, len {len}, taking {i}");
                }
            }
        }
    }

    /// A queue that never empties (a task queued behind every pick) reclaims what it took.
    #[test]
    fn a_queue_that_never_empties_stays_bounded() {
        let mut fifo = Fifo::default();
        cx_free_push(&mut fifo, 0);
        cx_free_push(&mut fifo, 1);
        for n in 2..10_000u32 {
            assert_eq!(fifo.take(0), Runnable(n - 2));
            cx_free_push(&mut fifo, n);
            assert_eq!(contents(&fifo), [Runnable(n - 1), Runnable(n)]);
            assert!(fifo.items.len() <= 2 * COMPACT_AT + 2, "{} entries kept", fifo.items.len());
        }
    }
}
