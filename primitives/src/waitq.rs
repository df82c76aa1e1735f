//! The waiter list under every blocking primitive: an intrusive FIFO of pinned futures.
//!
//! A future that must wait (an `Event::wait`, a `Lock::acquire`…) holds a [`Waiter`] node and
//! links it into its primitive's [`WaitQueue`], so waiting needs no allocation and no
//! capacity. Three rules keep this sound:
//!
//! * every access to a node — linking, unlinking, its state and waker — happens while the
//!   primitive's mutex is held, so the list and the nodes never change under each other;
//! * a linked node is pinned: it lives in a `!Unpin` future that was polled through `Pin`;
//! * a future unlinks its node when it is dropped ([`WaitQueue::cancel`]), so a waiter
//!   cancelled mid-wait (dropped by a `select`, a timeout or an abort) leaves nothing behind.
//!
//! One exception to the first rule: the owner knows, without the lock, whether its node is
//! *lent* to the queue ([`Waiter::is_lent`]). Only the owner lends a node (it links it) and
//! takes it back (it consumes the notification or cancels), so a node that is not lent is
//! unreachable by anyone else, and a future that completed drops without taking its
//! primitive's lock — on a board, one critical section less per wait.
//!
//! Each node carries its own state, so a notification is per waiter, not a single flag:
//! `Event::set(); Event::clear()` still releases every waiter that was queued, as asyncio does.

use core::cell::{Cell, UnsafeCell};
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::Waker;

use cordyceps::Linked;
use cordyceps::list::{Links, List};

/// Where a waiter stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitState {
    /// Not in any queue (never polled, or its notification was consumed).
    Idle,
    /// Linked, waiting.
    Queued,
    /// Unlinked by a notification that its future has not consumed yet.
    Notified,
}

/// A node of a [`WaitQueue`]; lives inside a waiting future.
pub(crate) struct Waiter {
    links: Links<Waiter>,
    waker: UnsafeCell<Option<Waker>>,
    state: Cell<WaitState>,
    /// Whether the node is lent to a queue: linked, or notified and not consumed yet. Only
    /// the owner reads and writes it (unlike `state`, which notifiers write), so it needs
    /// no lock.
    lent: Cell<bool>,
    /// Per-waiter memory of a planted bug (see `mutants`).
    #[cfg(feature = "mutants")]
    mark: Cell<bool>,
    _pinned: PhantomPinned,
}

impl Waiter {
    pub(crate) const fn new() -> Self {
        Waiter {
            links: Links::new(),
            waker: UnsafeCell::new(None),
            state: Cell::new(WaitState::Idle),
            lent: Cell::new(false),
            #[cfg(feature = "mutants")]
            mark: Cell::new(false),
            _pinned: PhantomPinned,
        }
    }

    /// The state. Read it only under the primitive's lock.
    pub(crate) fn state(&self) -> WaitState {
        self.state.get()
    }

    /// Whether a planted bug marked this waiter (always `false` without the feature).
    pub(crate) fn marked(&self) -> bool {
        #[cfg(feature = "mutants")]
        return self.mark.get();
        #[cfg(not(feature = "mutants"))]
        false
    }

    /// Marks this waiter for a planted bug (nothing without the feature).
    pub(crate) fn set_mark(&self) {
        #[cfg(feature = "mutants")]
        self.mark.set(true);
    }

    /// Marks a notification consumed.
    pub(crate) fn consume(&self) {
        debug_assert_eq!(self.state.get(), WaitState::Notified);
        self.state.set(WaitState::Idle);
        self.lent.set(false);
    }

    /// Whether the node is lent to a queue (linked, or notified and not consumed). Called by
    /// the node's owner, without the lock. `false` means the node is idle and nobody else can
    /// reach it: its future may drop without cancelling it under the lock.
    #[inline]
    pub(crate) fn is_lent(&self) -> bool {
        debug_assert!(self.lent.get() || self.state.get() == WaitState::Idle);
        self.lent.get()
    }
}

// SAFETY: `links` returns a pointer into the node itself; handles are plain pointers to pinned
// nodes whose owners unlink them before they move or drop (module docs).
unsafe impl Linked<Links<Waiter>> for Waiter {
    type Handle = NonNull<Waiter>;

    fn into_ptr(handle: Self::Handle) -> NonNull<Self> {
        handle
    }

    unsafe fn from_ptr(ptr: NonNull<Self>) -> Self::Handle {
        ptr
    }

    unsafe fn links(ptr: NonNull<Self>) -> NonNull<Links<Waiter>> {
        // SAFETY: `ptr` points to a live node; no reference to the node is created.
        unsafe { NonNull::new_unchecked(core::ptr::addr_of_mut!((*ptr.as_ptr()).links)) }
    }
}

/// A FIFO of waiters. Lives inside a primitive's mutex; every method is called with it held.
///
/// The hot methods are `#[inline]`: their callers, the primitives' futures, are generic and
/// compiled in the crate that uses them, and without link-time optimisation a call into
/// another crate is inlined only when the callee allows it.
pub(crate) struct WaitQueue {
    list: List<Waiter>,
}

impl WaitQueue {
    pub(crate) const fn new() -> Self {
        WaitQueue { list: List::new() }
    }

    /// Queues `waiter` at the tail if it is idle, or refreshes its waker if it is queued.
    /// Returns its state afterwards (`Notified` means: consume and proceed).
    #[inline]
    pub(crate) fn register(&mut self, waiter: Pin<&Waiter>, waker: &Waker) -> WaitState {
        let w = waiter.get_ref();
        // SAFETY: the waker cell is only touched under the primitive's lock, which we hold.
        let slot = unsafe { &mut *w.waker.get() };
        match w.state.get() {
            WaitState::Notified => {}
            WaitState::Queued => {
                if !slot.as_ref().is_some_and(|old| old.will_wake(waker)) {
                    *slot = Some(waker.clone());
                }
            }
            WaitState::Idle => {
                *slot = Some(waker.clone());
                w.state.set(WaitState::Queued);
                w.lent.set(true);
                // The node is pinned (it came to us through `Pin`) and unlinks itself on drop.
                self.list.push_back(NonNull::from(w));
            }
        }
        w.state.get()
    }

    /// Notifies the waiter at the head: unlinks it, marks it notified and wakes it.
    /// Returns `false` when nobody waits.
    #[inline]
    pub(crate) fn notify_one(&mut self) -> bool {
        match self.list.pop_front() {
            Some(node) => {
                Self::notify_unlinked(node);
                true
            }
            None => false,
        }
    }

    /// Marks a node just unlinked from this list notified and wakes it.
    #[inline]
    fn notify_unlinked(node: NonNull<Waiter>) {
        // SAFETY: the node was linked until the caller unlinked it under the lock it still
        // holds, so it is live and pinned (it unlinks itself on drop, which needs that lock).
        let w = unsafe { node.as_ref() };
        w.state.set(WaitState::Notified);
        // SAFETY: the waker cell is only touched under the lock, which we hold.
        if let Some(waker) = unsafe { (*w.waker.get()).take() } {
            waker.wake();
        }
    }

    /// Notifies every waiter, head first (the order of their wake calls is the wait order).
    #[inline]
    pub(crate) fn notify_all(&mut self) -> usize {
        let mut n = 0;
        while self.notify_one() {
            n += 1;
        }
        n
    }

    /// Takes `waiter` out, whatever its state, and returns the state it had: a future calls
    /// this when dropped. `Notified` tells the primitive that a hand-off addressed to this
    /// waiter was never consumed (a lock or a permit must then pass on).
    #[inline]
    pub(crate) fn cancel(&mut self, waiter: Pin<&Waiter>) -> WaitState {
        let w = waiter.get_ref();
        let before = w.state.get();
        if before == WaitState::Queued {
            // SAFETY: the node is linked into this list (Queued), and we hold the lock.
            unsafe { self.list.remove(NonNull::from(w)) };
        }
        w.state.set(WaitState::Idle);
        w.lent.set(false);
        // SAFETY: as in `register`.
        drop(unsafe { (*w.waker.get()).take() });
        before
    }

    /// How many wait.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }
}

// SAFETY: the list only holds pointers to nodes whose futures are `Send` exactly when their
// wakers are; all access goes through the owning primitive's mutex.
unsafe impl Send for WaitQueue {}

#[cfg(test)]
mod tests;
