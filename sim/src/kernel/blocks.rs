//! Heap blocks kept for reuse: the memory of tasks that have been dropped.
//!
//! A fuzz campaign runs the same body thousands of times in one recycled simulation (see
//! `recycle`), and every execution spawns the same futures: the same sizes, over and over.
//! Dropping one keeps its block here, keyed by layout, and the next future of that layout
//! moves into it, so that after the first execution a run calls the allocator for none of
//! them. (Arena values live in `bump`'s chunks instead: they are all dropped at once.)
//!
//! Every block comes from the global allocator with exactly the layout of the value that
//! lives in it, so a [`TaskBox`] dropped the ordinary way (its `Box` freed) is still correct;
//! only the paths that hand a task back here keep its block.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::RefCell;
use std::ptr::NonNull;

use super::TaskBox;

/// At most this many free blocks are kept; more are freed.
const KEPT: usize = 64;

/// Free heap blocks, by layout.
#[derive(Default)]
pub(crate) struct Blocks {
    free: RefCell<Vec<(Layout, NonNull<u8>)>>,
}

impl Blocks {
    /// A block for `layout`: a kept one, or a new one. A zero-sized layout gets a dangling,
    /// aligned pointer, as a `Box` of a zero-sized value does.
    pub(crate) fn take(&self, layout: Layout) -> NonNull<u8> {
        if layout.size() == 0 {
            // An address equal to the alignment: non-null, aligned, never dereferenced.
            return NonNull::new(std::ptr::without_provenance_mut(layout.align())).expect("alignment is non-zero");
        }
        let mut free = self.free.borrow_mut();
        if let Some(i) = free.iter().rposition(|(l, _)| *l == layout) {
            return free.swap_remove(i).1;
        }
        drop(free);
        // SAFETY: the layout's size is non-zero (checked above).
        NonNull::new(unsafe { alloc(layout) }).unwrap_or_else(|| handle_alloc_error(layout))
    }

    /// Keeps `block`, of `layout`, whose value has been dropped (or frees it, past [`KEPT`]).
    ///
    /// # Safety
    /// `block` came from [`take`](Self::take) with `layout` (or from the global allocator
    /// with `layout`), holds no live value, and nothing else will use or free it.
    unsafe fn give(&self, layout: Layout, block: NonNull<u8>) {
        if layout.size() == 0 {
            return;
        }
        let mut free = self.free.borrow_mut();
        if free.len() < KEPT {
            free.push((layout, block));
        } else {
            drop(free);
            // SAFETY: the caller guarantees the block is the global allocator's, of `layout`.
            unsafe { dealloc(block.as_ptr(), layout) }
        }
    }

    /// Drops `task` and keeps its block. A panic from the task's drop still keeps the block.
    pub(crate) fn drop_task(&self, task: TaskBox) {
        let (layout, value) = task.into_raw();
        let _keep = KeepOnDrop { blocks: self, layout, block: value.cast() };
        // SAFETY: `into_raw` handed over the value and its block; the value is dropped here
        // once, and `_keep` then gives the block back with the layout the value had.
        unsafe { value.as_ptr().drop_in_place() }
    }
}

impl Drop for Blocks {
    fn drop(&mut self) {
        for (layout, block) in self.free.get_mut().drain(..) {
            // SAFETY: every kept block is the global allocator's, of its recorded layout, and
            // nothing else holds it.
            unsafe { dealloc(block.as_ptr(), layout) }
        }
    }
}

/// Gives a block back when dropped: after its value's drop, whether that returned or panicked.
struct KeepOnDrop<'a> {
    blocks: &'a Blocks,
    layout: Layout,
    block: NonNull<u8>,
}

impl Drop for KeepOnDrop<'_> {
    fn drop(&mut self) {
        // SAFETY: built by `drop_task` from a block handed over by `into_raw`, whose value
        // has been dropped by the time this runs.
        unsafe { self.blocks.give(self.layout, self.block) }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;
    use crate::kernel::TaskCell;

    /// A future that panics when dropped.
    struct PanicsOnDrop([u64; 4]);
    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("dropping {}", self.0[0]);
        }
    }
    impl std::future::Future for PanicsOnDrop {
        type Output = ();
        fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
            std::task::Poll::Ready(())
        }
    }

    fn kept(blocks: &Blocks) -> usize {
        blocks.free.borrow().len()
    }

    #[test]
    fn a_dropped_task_block_is_reused_by_the_next_task_of_its_size() {
        let blocks = Blocks::default();
        // SAFETY: the tasks borrow nothing.
        let first = unsafe { TaskBox::new_in(&blocks, TaskCell::Running(async { 1u64 })) };
        let at = first.as_ptr().cast::<u8>();
        blocks.drop_task(first);
        assert_eq!(kept(&blocks), 1);
        // SAFETY: as above.
        let other_size = unsafe { TaskBox::new_in(&blocks, TaskCell::Running(async { [0u8; 100] })) };
        assert_eq!(kept(&blocks), 1, "a block of another size is not taken");
        // SAFETY: as above.
        let second = unsafe { TaskBox::new_in(&blocks, TaskCell::Running(async { 2u64 })) };
        assert_eq!(second.as_ptr().cast::<u8>(), at, "the same block");
        assert_eq!(kept(&blocks), 0);
        drop(other_size); // the ordinary drop frees its block
        blocks.drop_task(second);
    }

    #[test]
    fn a_task_whose_drop_panics_still_gives_its_block_back() {
        let blocks = Blocks::default();
        // SAFETY: the task borrows nothing.
        let task = unsafe { TaskBox::new_in(&blocks, TaskCell::Running(PanicsOnDrop([7; 4]))) };
        let quiet = crate::quiet::Quiet::enter(true);
        assert!(catch_unwind(AssertUnwindSafe(|| blocks.drop_task(task))).is_err());
        drop(quiet);
        assert_eq!(kept(&blocks), 1);
    }

    #[test]
    fn past_the_limit_blocks_are_freed() {
        let blocks = Blocks::default();
        let spawn = |i: usize| {
            // SAFETY: the task borrows nothing.
            unsafe { TaskBox::new_in(&blocks, TaskCell::Running(async move { i })) }
        };
        let tasks: Vec<_> = (0..KEPT + 3).map(spawn).collect();
        tasks.into_iter().for_each(|t| blocks.drop_task(t));
        assert_eq!(kept(&blocks), KEPT);
    }
}
