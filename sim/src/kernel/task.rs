//! Task storage: the type-erased future with room for its output, the owning pointer that
//! keeps it pinned, and the per-simulation arena behind `Sim::alloc`.

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

/// A value moved into the per-simulation arena ([`Sim::alloc`](crate::Sim::alloc)), held by raw
/// pointer for the same reason as [`TaskBox`]: the reference handed out must stay valid while
/// the arena's `Vec` moves its entries.
///
/// Two words, like a `Box<dyn Any>`: the block, and what is known of its type. Two words come
/// back from `new_in` in registers; a larger entry comes back through memory, written word by
/// word and read back in wider loads to be pushed (a store-forwarding stall per `Sim::alloc`).
pub(crate) struct ArenaBox {
    ptr: NonNull<u8>,
    kind: &'static ArenaKind,
}

/// The layout of an arena value's type, and what becomes of a value of it at the end: the
/// function that drops one in place, or one that leaves it undropped.
struct ArenaKind {
    layout: Layout,
    drop_value: unsafe fn(NonNull<u8>),
}

/// The [`ArenaKind`]s of `T`, as constants, so that references to them are `'static`.
trait HasArenaKind: Sized {
    const DROPPED: ArenaKind = ArenaKind { layout: Layout::new::<Self>(), drop_value: drop_value::<Self> };
    const UNDROPPED: ArenaKind = ArenaKind { layout: Layout::new::<Self>(), drop_value: keep_value };
}

impl<T> HasArenaKind for T {}

/// Drops the `T` that [`ArenaBox::new_in`] moved to `ptr`, in place.
///
/// # Safety
/// `ptr` holds a `T` that nothing else will use or drop.
unsafe fn drop_value<T>(ptr: NonNull<u8>) {
    // SAFETY: the caller guarantees `ptr` holds a `T`, dropped once.
    unsafe { ptr.cast::<T>().as_ptr().drop_in_place() }
}

/// Leaves an [`ArenaBox::new_undropped_in`] value as it is: its drop never runs, and what it
/// owns is never freed (as a `static`'s).
///
/// # Safety
/// None needed; `unsafe` only to share `drop_value`'s type.
unsafe fn keep_value(_: NonNull<u8>) {}

impl ArenaBox {
    /// Moves `value` into a block from `blocks`, to be dropped with the entry; returns the
    /// entry that owns it and a pointer to it.
    ///
    /// # Safety
    /// The caller guarantees the entry is dropped before anything `T` borrows ends.
    pub(crate) unsafe fn new_in<T>(blocks: &Blocks, value: T) -> (Self, NonNull<T>) {
        // SAFETY: as this function's.
        unsafe { Self::with_kind(blocks, value, &<T as HasArenaKind>::DROPPED) }
    }

    /// Moves `value` into a block from `blocks`, never to be dropped: the entry frees or
    /// reuses the block and leaves the value's drop unrun (see `Sim::alloc_borrowing`).
    ///
    /// # Safety
    /// The caller guarantees nothing uses the value after the entry is dropped.
    pub(crate) unsafe fn new_undropped_in<T>(blocks: &Blocks, value: T) -> (Self, NonNull<T>) {
        // SAFETY: as this function's: the value is never dropped, so nothing it borrows is
        // used at the end.
        unsafe { Self::with_kind(blocks, value, &<T as HasArenaKind>::UNDROPPED) }
    }

    /// # Safety
    /// As `new_in` for a kind that drops, as `new_undropped_in` for one that does not.
    #[inline(always)]
    unsafe fn with_kind<T>(blocks: &Blocks, value: T, kind: &'static ArenaKind) -> (Self, NonNull<T>) {
        let ptr = blocks.take(kind.layout);
        // SAFETY: the block is unused, and sized and aligned for a `T`.
        unsafe { ptr.cast::<T>().as_ptr().write(value) };
        (ArenaBox { ptr, kind }, ptr.cast())
    }

    /// Gives up ownership: the value's layout and block, and the function that drops it in
    /// place; the caller drops it and frees or reuses the block.
    pub(crate) fn into_raw(self) -> (Layout, NonNull<u8>, unsafe fn(NonNull<u8>)) {
        let parts = (self.kind.layout, self.ptr, self.kind.drop_value);
        std::mem::forget(self);
        parts
    }
}

impl Drop for ArenaBox {
    fn drop(&mut self) {
        /// Frees the block, after the value's drop whether that returned or panicked.
        struct Free(NonNull<u8>, Layout);
        impl Drop for Free {
            fn drop(&mut self) {
                if self.1.size() > 0 {
                    // SAFETY: the block came from the global allocator with this layout (see
                    // `Blocks`), and its value has been dropped.
                    unsafe { std::alloc::dealloc(self.0.as_ptr(), self.1) }
                }
            }
        }
        let _free = Free(self.ptr, self.kind.layout);
        // SAFETY: `drop_value` is the one made for this block's type in `new_in`; it runs once.
        unsafe { (self.kind.drop_value)(self.ptr) }
    }
}

pub(crate) type IsrFn = Box<dyn FnOnce()>;
