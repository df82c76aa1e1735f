//! The memory behind [`Sim::alloc`](crate::Sim::alloc): a [`bumpalo`] arena, whose values are
//! placed one after another in chunks, plus the list of those to drop, in the order they came,
//! when the simulation shuts down. A recycled simulation (see `recycle`) resets the arena, which
//! keeps its largest chunk for the next execution's values.
//!
//! A fuzz campaign allocates the same few values in every execution. Placing one in a chunk
//! that the last execution left empty is an alignment, a compare and a write; giving it a heap
//! block of its own meant a search of the kept blocks, a table entry per value, and handing
//! every block back at the end.
//!
//! A chunk never moves and is freed only when the arena is [`reset`](Bump::reset) or dropped:
//! the references `Sim::alloc` hands out stay valid while the simulation lives.

use std::ptr::NonNull;

/// Drops the `T` that [`Bump::put`] placed at `ptr`, in place.
///
/// # Safety
/// `ptr` holds a `T` that nothing else will use or drop.
unsafe fn drop_value<T>(ptr: NonNull<u8>) {
    // SAFETY: the caller guarantees `ptr` holds a `T`, dropped once.
    unsafe { ptr.cast::<T>().as_ptr().drop_in_place() }
}

/// A value to drop at the end, and how.
#[derive(Clone, Copy)]
pub(crate) struct Dropped {
    value: NonNull<u8>,
    drop_value: unsafe fn(NonNull<u8>),
}

impl Dropped {
    /// Drops the value.
    ///
    /// # Safety
    /// Once (of all copies of this entry), and only after nothing uses the value any more
    /// (see [`Bump::put`]).
    pub(crate) unsafe fn drop_value(self) {
        // SAFETY: `drop_value` was made for this value's type in `put`; the caller runs it once.
        unsafe { (self.drop_value)(self.value) }
    }
}

/// The arena, and the values in it to drop at the end.
#[derive(Default)]
pub(crate) struct Bump {
    values: bumpalo::Bump,
    /// The values placed to be dropped, in the order they came.
    drops: Vec<Dropped>,
}

impl Bump {
    /// Moves `value` into the arena; with `dropped`, it is listed for [`take_drops`](Self::take_drops)
    /// (a value that needs no drop is not listed).
    ///
    /// # Safety
    /// The caller uses the value only until the arena is reset or dropped, and, with `dropped`,
    /// drops it (through `take_drops`) before anything `T` borrows ends.
    #[inline(always)]
    pub(crate) unsafe fn put<T>(&mut self, value: T, dropped: bool) -> NonNull<T> {
        // (bumpalo never drops what it holds: the list below does, or nothing.)
        let ptr = NonNull::from(self.values.alloc(value));
        if dropped && std::mem::needs_drop::<T>() {
            self.drops.push(Dropped { value: ptr.cast(), drop_value: drop_value::<T> });
        }
        ptr
    }

    /// Whether a value is listed to be dropped.
    #[inline]
    pub(crate) fn has_drops(&self) -> bool {
        !self.drops.is_empty()
    }

    /// Takes the list of values to drop, in the order they came; the caller drops them with no
    /// borrow of the arena held (a drop may re-enter the simulation) and may hand the emptied
    /// list back with [`give_back_drops`](Self::give_back_drops).
    pub(crate) fn take_drops(&mut self) -> Vec<Dropped> {
        std::mem::take(&mut self.drops)
    }

    /// Keeps an emptied list's allocation for the next values, unless new ones were listed.
    pub(crate) fn give_back_drops(&mut self, emptied: Vec<Dropped>) {
        debug_assert!(emptied.is_empty());
        if self.drops.is_empty() {
            self.drops = emptied;
        }
    }

    /// Forgets every value (the caller has dropped those it had to), keeping the largest chunk
    /// for the next values: its memory is reused.
    pub(crate) fn reset(&mut self) {
        self.drops.clear();
        self.values.reset();
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// Records its name when dropped.
    struct Noted(&'static str, Rc<RefCell<Vec<&'static str>>>);
    impl Drop for Noted {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
        }
    }

    fn drop_all(bump: &mut Bump) {
        for d in bump.take_drops() {
            // SAFETY: every value was put with `dropped` and is not used after this.
            unsafe { d.drop_value() };
        }
    }

    #[test]
    fn values_of_every_size_and_alignment_keep_their_contents_and_are_dropped_once_in_order() {
        #[repr(align(64))]
        struct Wide(u8);
        /// Sets its flag when dropped (it borrows it, so that an undropped one leaks nothing).
        struct Flags<'a>(&'a std::cell::Cell<bool>);
        impl Drop for Flags<'_> {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let never_dropped = std::cell::Cell::new(false);
        let noted = Rc::new(RefCell::new(Vec::new()));
        let mut bump = Bump::default();
        // SAFETY: read only before `drop_all`, which drops it; it borrows nothing.
        let a = unsafe { bump.put(Noted("a", noted.clone()), true) };
        // SAFETY: as `a`.
        let unit = unsafe { bump.put((), true) };
        // SAFETY: as `a`.
        let byte = unsafe { bump.put(7u8, true) };
        // SAFETY: as `a`.
        let wide = unsafe { bump.put(Wide(9), true) };
        // SAFETY: as `a`; larger than bumpalo's first chunk (under 512 bytes), so it opens a new one.
        let big = unsafe { bump.put([3u64; 300], true) };
        // SAFETY: as `a`.
        let b = unsafe { bump.put(Noted("b", noted.clone()), true) };
        // SAFETY: never dropped, so what it borrows (`never_dropped`, which outlives the
        // arena) is never used at the end; read only before `drop_all`.
        let kept = unsafe { bump.put(Flags(&never_dropped), false) };
        assert_eq!(wide.as_ptr().addr() % 64, 0);
        // SAFETY: each pointer holds its value, alive until `drop_all`.
        unsafe {
            assert_eq!((a.as_ref().0, *unit.as_ref(), *byte.as_ref(), wide.as_ref().0), ("a", (), 7, 9));
            assert!(big.as_ref().iter().all(|x| *x == 3));
            assert_eq!((b.as_ref().0, kept.as_ref().0.get()), ("b", false));
        }
        let held = bump.values.allocated_bytes();
        assert!(held >= 2400, "the big value is held ({held} bytes)");
        drop_all(&mut bump);
        assert_eq!(*noted.borrow(), ["a", "b"], "in the order they came");
        assert!(!never_dropped.get(), "the undropped one not at all");
        bump.reset();
        let kept = bump.values.allocated_bytes();
        assert!(kept > 0 && kept <= held, "one chunk is kept ({kept} of {held} bytes)");
        // The next values reuse it.
        // SAFETY: borrows nothing; never used.
        unsafe { bump.put([1u64; 4], true) };
        assert_eq!(bump.values.allocated_bytes(), kept, "no new chunk");
        assert!(!bump.has_drops(), "reset forgot the list; plain data is not listed");
    }

    #[test]
    fn many_small_values_fill_chunks_without_overlapping() {
        let mut bump = Bump::default();
        // SAFETY: plain data, read only before the arena is dropped.
        let values: Vec<NonNull<[u8; 24]>> = (0..200u8).map(|i| unsafe { bump.put([i; 24], true) }).collect();
        for (i, v) in values.iter().enumerate() {
            // SAFETY: as above.
            assert_eq!(unsafe { v.as_ref() }, &[i as u8; 24]);
        }
        assert!(!bump.has_drops(), "plain data needs no drop");
    }
}
