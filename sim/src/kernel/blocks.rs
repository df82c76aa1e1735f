//! Heap blocks kept for reuse: the memory of tasks and arena values that have been dropped.
//!
//! A fuzz campaign runs the same body thousands of times in one recycled simulation (see
//! `recycle`), and every execution spawns the same futures and allocates the same arena
//! values: the same sizes, over and over. Dropping one keeps its block here, keyed by layout,
//! and the next value of that layout moves into it, so that after the first execution a run
//! calls the allocator for none of them.
//!
//! Every block comes from the global allocator with exactly the layout of the value that
//! lives in it, so a [`TaskBox`] or [`ArenaBox`] dropped the ordinary way (its `Box` freed)
//! is still correct; only the paths that hand a value back here keep its block.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::RefCell;
use std::ptr::NonNull;

use super::{ArenaBox, TaskBox};

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

    /// Drops `entry`'s value and keeps its block, as [`drop_task`](Self::drop_task).
    pub(crate) fn drop_arena_value(&self, entry: ArenaBox) {
        let (layout, block, drop_value) = entry.into_raw();
        let _keep = KeepOnDrop { blocks: self, layout, block };
        // SAFETY: `into_raw` handed over the value, whose drop is `drop_value`; it runs once.
        unsafe { drop_value(block) }
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
        // SAFETY: built by `drop_task` and `drop_arena_value` from a block handed over by
        // `into_raw`, whose value has been dropped by the time this runs.
        unsafe { self.blocks.give(self.layout, self.block) }
    }
}
