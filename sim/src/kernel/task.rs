//! Task storage: the type-erased future with room for its output, and the owning pointer that
//! keeps it pinned.

use std::alloc::Layout;

use super::blocks::Blocks;
use super::*;

/// A spawned future, type-erased, with room for its output.
pub(crate) trait ErasedTask {
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
    /// Moves the output into `*out`, which must be an `Option<F::Output>`.
    ///
    /// # Safety
    /// `out` must point to a valid `Option<Output>` of this task's output type.
    unsafe fn take_output(self: Pin<&mut Self>, out: *mut ());
}

pub(crate) enum TaskCell<F: Future> {
    Running(F),
    Done(Option<F::Output>),
}

impl<F: Future> ErasedTask for TaskCell<F> {
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the future is never moved out; it is dropped in place when replaced by Done.
        let this = unsafe { self.get_unchecked_mut() };
        let out = match this {
            // SAFETY: `f` is structurally pinned: `self` is pinned and `f` never moves out.
            TaskCell::Running(f) => match unsafe { Pin::new_unchecked(f) }.poll(cx) {
                Poll::Ready(v) => v,
                Poll::Pending => return Poll::Pending,
            },
            TaskCell::Done(_) => return Poll::Ready(()),
        };
        *this = TaskCell::Done(Some(out));
        Poll::Ready(())
    }

    unsafe fn take_output(self: Pin<&mut Self>, out: *mut ()) {
        // SAFETY: Done holds no pinned data; the caller guarantees the type of `out`.
        let this = unsafe { self.get_unchecked_mut() };
        if let TaskCell::Done(v) = this {
            // SAFETY: the caller guarantees `out` points to a valid `Option<F::Output>`.
            unsafe { *(out as *mut Option<F::Output>) = v.take() };
        }
    }
}

/// An owned, pinned, type-erased task, held by raw pointer.
///
/// Not a `Pin<Box<_>>`: the task table caches a pointer to the future for the poll path
/// (`TaskMeta::future`), and every move of a `Box` asserts that it is the only pointer to its
/// contents, which would invalidate that cache whenever the table moves the box. A raw pointer
/// asserts nothing; this type owns the allocation and frees it on drop.
pub(crate) struct TaskBox(NonNull<dyn ErasedTask>);

impl TaskBox {
    /// Moves `cell` into a block from `blocks` (where it stays pinned until dropped), erasing
    /// its lifetime.
    ///
    /// # Safety
    /// The caller guarantees the task is dropped, and never polled, after anything it borrows
    /// ends: `Shared::shutdown` drops every task, and it runs before `'env` can end.
    pub(crate) unsafe fn new_in<'a, T: ErasedTask + 'a>(blocks: &Blocks, cell: T) -> Self {
        let block = blocks.take(Layout::new::<T>()).cast::<T>();
        // SAFETY: the block is unused, and sized and aligned for a `T`.
        unsafe { block.as_ptr().write(cell) };
        let raw: *mut (dyn ErasedTask + 'a) = block.as_ptr();
        // SAFETY: only the trait object's lifetime bound changes (same layout and metadata);
        // the caller upholds the lifetime, as documented above.
        let raw: *mut (dyn ErasedTask + 'static) = unsafe { std::mem::transmute(raw) };
        // SAFETY: the block's pointer is non-null.
        TaskBox(unsafe { NonNull::new_unchecked(raw) })
    }

    /// Gives up ownership: the task's layout and pointer, to be dropped in place and its block
    /// freed or reused by the caller.
    pub(crate) fn into_raw(self) -> (Layout, NonNull<dyn ErasedTask>) {
        // SAFETY: the task is live until this box is dropped, and this box is not dropped.
        let layout = Layout::for_value(unsafe { self.0.as_ref() });
        let ptr = self.0;
        std::mem::forget(self);
        (layout, ptr)
    }

    /// The task, for the poll path to cache: valid until this box is dropped, and pinned.
    pub(crate) fn as_ptr(&self) -> NonNull<dyn ErasedTask> {
        self.0
    }

    /// Moves a finished task's output into `*out`.
    ///
    /// # Safety
    /// As [`ErasedTask::take_output`]; and the task is not being polled.
    pub(crate) unsafe fn take_output(&mut self, out: *mut ()) {
        // SAFETY: we own the allocation, it never moves, and no poll is running on it.
        unsafe { Pin::new_unchecked(self.0.as_mut()).take_output(out) }
    }
}

impl Drop for TaskBox {
    fn drop(&mut self) {
        // SAFETY: the block came from the global allocator with the task's layout (see
        // `Blocks`), which is what a `Box` of it is; it is freed only here.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

pub(crate) type IsrFn = Box<dyn FnOnce()>;
