//! The executors' run queues, executor 0's kept apart from the others.
//!
//! Most simulations have one executor, and the hot path of a single-executor mode reaches its
//! queue several times per poll (the pick, the wakes, the end of the poll). Kept in a field of
//! its own rather than at index 0 of a vector, it is one load away, with no length to check.

use std::ops::{Index, IndexMut};

use crate::order::RunQueue;

/// Every executor's run queue, by executor id.
pub(super) struct Executors {
    first: RunQueue,
    more: Vec<RunQueue>,
}

impl Executors {
    /// One executor, with `queue`.
    pub(super) fn new(queue: RunQueue) -> Self {
        Executors { first: queue, more: Vec::new() }
    }

    /// Executor 0's queue.
    #[inline(always)]
    pub(super) fn first(&mut self) -> &mut RunQueue {
        &mut self.first
    }

    /// How many executors there are.
    pub(super) fn len(&self) -> usize {
        1 + self.more.len()
    }

    /// Adds an executor with `queue`.
    pub(super) fn push(&mut self, queue: RunQueue) {
        self.more.push(queue);
    }

    /// Drops every executor but the first.
    pub(super) fn keep_first_only(&mut self) {
        self.more.clear();
    }

    /// Every queue, in executor order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &RunQueue> {
        std::iter::once(&self.first).chain(&self.more)
    }
}

impl Index<usize> for Executors {
    type Output = RunQueue;
    #[inline]
    fn index(&self, exec: usize) -> &RunQueue {
        if exec == 0 { &self.first } else { &self.more[exec - 1] }
    }
}

impl IndexMut<usize> for Executors {
    #[inline]
    fn index_mut(&mut self, exec: usize) -> &mut RunQueue {
        if exec == 0 { &mut self.first } else { &mut self.more[exec - 1] }
    }
}
