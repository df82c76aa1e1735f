//! The three run orders. Each answers: push a runnable task; how many candidates are there for
//! the next pick; which task is candidate `i` (0 = the real scheduler's pick); take candidate `i`.

use std::collections::{BTreeSet, VecDeque};

use super::Order;

/// Where a task enters the run queue: the MicroPython key (µs) and the global push sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ReadyKey {
    pub key_us: u64,
    pub seq: u64,
}

/// embassy-executor's run queue: a stack of woken tasks, detached whole at each `poll()`.
#[derive(Debug, Default)]
pub(crate) struct EmbassyStack {
    /// The batch being run; its top (last element) runs next.
    batch: Vec<u32>,
    /// Tasks woken since the batch began: the next batch.
    incoming: Vec<u32>,
}

impl EmbassyStack {
    #[inline]
    pub(crate) fn push(&mut self, task: u32) {
        self.incoming.push(task);
    }
    /// `push` if it fits without growing the queue; `false` (and nothing pushed) otherwise.
    #[inline(always)]
    pub(crate) fn push_within_capacity(&mut self, task: u32) -> bool {
        if self.incoming.len() == self.incoming.capacity() {
            return false;
        }
        self.incoming.push(task);
        true
    }
    fn prepare(&mut self) -> usize {
        if self.batch.is_empty() {
            std::mem::swap(&mut self.batch, &mut self.incoming);
        }
        self.batch.len()
    }
    fn candidate(&self, i: usize) -> u32 {
        self.batch[self.batch.len() - 1 - i]
    }
    fn take(&mut self, i: usize) -> u32 {
        if i == 0 { self.batch.pop().expect("prepared") } else { self.batch.remove(self.batch.len() - 1 - i) }
    }
    /// `prepare` then `take(0)` in one step, for the default chooser: counts the choice point
    /// in `choice_no` when there were several candidates.
    #[inline(always)]
    pub(crate) fn pop(&mut self, choice_no: &mut u64) -> Option<u32> {
        if self.batch.is_empty() {
            if self.incoming.len() <= 1 {
                // A batch of one (ping-pong's every batch) or none: no need to swap.
                return self.incoming.pop();
            }
            std::mem::swap(&mut self.batch, &mut self.incoming);
        }
        if self.batch.len() >= 2 {
            *choice_no += 1;
        }
        self.batch.pop()
    }
}

/// MicroPython's task queue (asyncio's is a pairing heap): an ordered set that pops the minimum
/// `(key, push sequence)`; the sequence makes every key unique.
#[derive(Debug, Default)]
pub(crate) struct KeyedQueue {
    set: BTreeSet<(ReadyKey, u32)>,
}

impl KeyedQueue {
    pub(crate) fn push(&mut self, task: u32, key: ReadyKey) {
        self.set.insert((key, task));
    }
    fn candidate(&self, i: usize) -> u32 {
        self.set.iter().nth(i).expect("in range").1
    }
    fn take(&mut self, i: usize) -> u32 {
        let item = if i == 0 {
            self.set.pop_first()
        } else {
            let k = *self.set.iter().nth(i).expect("in range");
            self.set.take(&k)
        };
        item.expect("in range").1
    }
}

/// First in, first out.
#[derive(Debug, Default)]
pub(crate) struct FifoQueue {
    queue: VecDeque<u32>,
}

impl FifoQueue {
    #[inline]
    pub(crate) fn push(&mut self, task: u32) {
        self.queue.push_back(task);
    }
}

/// A run queue in one of the three orders. An enum rather than a trait object: the hot path
/// (push, pick) is a predictable branch, with no indirect call.
// `repr(u8)`: an explicit tag byte, which is cheaper to test on the hot path than the niche
// the compiler would otherwise hide in a `Vec`'s capacity.
#[derive(Debug)]
#[repr(u8)]
pub(crate) enum RunQueue {
    Embassy(EmbassyStack),
    MicroPython(KeyedQueue),
    Fifo(FifoQueue),
}

impl RunQueue {
    pub(crate) fn new(order: Order) -> Self {
        match order {
            Order::Embassy => RunQueue::Embassy(EmbassyStack::default()),
            Order::MicroPython => RunQueue::MicroPython(KeyedQueue::default()),
            Order::Fifo => RunQueue::Fifo(FifoQueue::default()),
        }
    }

    /// The order this queue keeps.
    pub(crate) fn order(&self) -> Order {
        match self {
            RunQueue::Embassy(_) => Order::Embassy,
            RunQueue::MicroPython(_) => Order::MicroPython,
            RunQueue::Fifo(_) => Order::Fifo,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, task: u32, key: ReadyKey) {
        match self {
            RunQueue::Embassy(q) => q.push(task),
            RunQueue::MicroPython(q) => q.push(task, key),
            RunQueue::Fifo(q) => q.queue.push_back(task),
        }
    }

    /// Readies the next pick and returns the number of candidates (0: nothing runnable).
    #[inline]
    pub(crate) fn prepare(&mut self) -> usize {
        match self {
            RunQueue::Embassy(q) => q.prepare(),
            RunQueue::MicroPython(q) => q.set.len(),
            RunQueue::Fifo(q) => q.queue.len(),
        }
    }

    /// Candidate `i` of the prepared pick (0 = the order's own choice).
    pub(crate) fn candidate(&self, i: usize) -> u32 {
        match self {
            RunQueue::Embassy(q) => q.candidate(i),
            RunQueue::MicroPython(q) => q.candidate(i),
            RunQueue::Fifo(q) => q.queue[i],
        }
    }

    /// Removes and returns candidate `i` of the prepared pick.
    #[inline]
    pub(crate) fn take(&mut self, i: usize) -> u32 {
        match self {
            RunQueue::Embassy(q) => q.take(i),
            RunQueue::MicroPython(q) => q.take(i),
            RunQueue::Fifo(q) => q.queue.remove(i).expect("in range"),
        }
    }
}
