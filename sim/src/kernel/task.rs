//! Task storage: the type-erased future with room for its output, the owning pointer that
//! keeps it pinned, and the per-simulation arena behind `Sim::alloc`.

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
    /// Moves `cell` to the heap (where it stays pinned until dropped), erasing its lifetime.
    ///
    /// # Safety
    /// The caller guarantees the task is dropped, and never polled, after anything it borrows
    /// ends: `Shared::shutdown` drops every task, and it runs before `'env` can end.
    pub(crate) unsafe fn new<'a>(cell: impl ErasedTask + 'a) -> Self {
        let raw: *mut (dyn ErasedTask + 'a) = Box::into_raw(Box::new(cell));
        // SAFETY: only the trait object's lifetime bound changes (same layout and metadata);
        // the caller upholds the lifetime, as documented above.
        let raw: *mut (dyn ErasedTask + 'static) = unsafe { std::mem::transmute(raw) };
        // SAFETY: `Box::into_raw` never returns null.
        TaskBox(unsafe { NonNull::new_unchecked(raw) })
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
        // SAFETY: the pointer came from `Box::into_raw` in `new` and is freed only here.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

/// A value moved into the per-simulation arena ([`Sim::alloc`](crate::Sim::alloc)), held by raw
/// pointer for the same reason as [`TaskBox`]: the reference handed out must stay valid while
/// the arena's `Vec` moves its entries.
pub(crate) struct ArenaBox {
    ptr: NonNull<()>,
    drop_value: unsafe fn(NonNull<()>),
}

impl ArenaBox {
    /// Moves `value` to the heap; returns the entry that owns it and a pointer to it.
    ///
    /// # Safety
    /// The caller guarantees the entry is dropped before anything `T` borrows ends.
    pub(crate) unsafe fn new<T>(value: T) -> (Self, NonNull<T>) {
        /// Frees a `T` made by `new`.
        unsafe fn drop_value<T>(ptr: NonNull<()>) {
            // SAFETY: `ptr` came from `Box::into_raw` of a `Box<T>` and is freed once.
            drop(unsafe { Box::from_raw(ptr.cast::<T>().as_ptr()) });
        }
        // SAFETY: `Box::into_raw` never returns null.
        let ptr = unsafe { NonNull::new_unchecked(Box::into_raw(Box::new(value))) };
        (ArenaBox { ptr: ptr.cast(), drop_value: drop_value::<T> }, ptr)
    }
}

impl Drop for ArenaBox {
    fn drop(&mut self) {
        // SAFETY: `drop_value` is the one made for this pointer's type in `new`.
        unsafe { (self.drop_value)(self.ptr) }
    }
}

pub(crate) type IsrFn = Box<dyn FnOnce()>;
