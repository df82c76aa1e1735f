//! [`Semaphore`]: counting permits, handed to waiters in arrival order.

use core::cell::RefCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::waitq::{WaitQueue, WaitState, Waiter};

/// The toolkit's `Semaphore` and `BoundedSemaphore`.
///
/// [`acquire`](Semaphore::acquire) takes a permit, waiting while there is none; the
/// [`Permit`] returns it when dropped. A released permit goes straight to the longest waiter,
/// so acquisition is FIFO — what the Python version showed in practice, although there every
/// waiter wakes and the losers loop on `sleep(0)`; here only the winner is woken.
///
/// [`release`](Semaphore::release) adds a permit that no `acquire` took (the toolkit's
/// unpaired `release()`): unbounded for [`Semaphore::new`], an error past the initial count
/// for [`Semaphore::bounded`] (`BoundedSemaphore`'s `ValueError`).
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::{OverRelease, Semaphore};
///
/// let sem = Semaphore::<NoopRawMutex>::bounded(1);
/// let permit = sem.try_acquire().unwrap();
/// assert!(sem.try_acquire().is_none());
/// drop(permit);
/// assert_eq!(sem.available(), 1);
/// assert_eq!(sem.release(), Err(OverRelease));
/// ```
pub struct Semaphore<M: RawMutex> {
    inner: Mutex<M, RefCell<Inner>>,
}

struct Inner {
    permits: usize,
    bound: Option<usize>,
    waiters: WaitQueue,
}

impl Inner {
    /// Gives a permit back: to the longest waiter, else to the pool.
    fn give(&mut self) {
        if !self.waiters.notify_one() || crate::mutants::on(crate::mutants::Mutant::SemaphoreOverRelease) {
            self.permits += 1;
        }
    }
}

/// `release` on a bounded semaphore that has all its permits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverRelease;

impl fmt::Display for OverRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore released too many times")
    }
}

impl core::error::Error for OverRelease {}

impl<M: RawMutex> Semaphore<M> {
    /// A semaphore with `permits` permits; [`release`](Self::release) may add more.
    pub const fn new(permits: usize) -> Self {
        Semaphore { inner: Mutex::new(RefCell::new(Inner { permits, bound: None, waiters: WaitQueue::new() })) }
    }

    /// A `BoundedSemaphore`: never more than `permits` permits.
    pub const fn bounded(permits: usize) -> Self {
        Semaphore {
            inner: Mutex::new(RefCell::new(Inner { permits, bound: Some(permits), waiters: WaitQueue::new() })),
        }
    }

    /// Permits free now.
    pub fn available(&self) -> usize {
        self.inner.lock(|i| i.borrow().permits)
    }

    /// How many tasks wait.
    pub fn waiting(&self) -> usize {
        self.inner.lock(|i| i.borrow().waiters.len())
    }

    /// Waits for a permit. Returns at once if one is free and nobody waits before us.
    pub fn acquire(&self) -> SemaphoreAcquire<'_, M> {
        SemaphoreAcquire { sem: self, waiter: Waiter::new() }
    }

    /// Takes a permit if one is free and nobody waits.
    pub fn try_acquire(&self) -> Option<Permit<'_, M>> {
        self.inner.lock(|i| {
            let mut i = i.borrow_mut();
            (i.permits > 0 && i.waiters.len() == 0).then(|| {
                i.permits -= 1;
                Permit { sem: self }
            })
        })
    }

    /// Adds a permit that no [`Permit`] stands for (pairs with [`Permit::forget`]).
    pub fn release(&self) -> Result<(), OverRelease> {
        self.inner.lock(|i| {
            let mut i = i.borrow_mut();
            if i.bound.is_some_and(|b| i.permits >= b) && i.waiters.len() == 0 {
                return Err(OverRelease);
            }
            i.give();
            Ok(())
        })
    }
}

/// The future of [`Semaphore::acquire`].
#[must_use = "futures do nothing unless awaited"]
pub struct SemaphoreAcquire<'a, M: RawMutex> {
    sem: &'a Semaphore<M>,
    waiter: Waiter,
}

impl<'a, M: RawMutex> Future for SemaphoreAcquire<'a, M> {
    type Output = Permit<'a, M>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a, M>> {
        let this = self.into_ref().get_ref();
        // SAFETY: the future is pinned, so its waiter is too.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        let sem = this.sem;
        sem.inner.lock(|i| {
            let mut i = i.borrow_mut();
            match waiter.state() {
                WaitState::Notified => {
                    waiter.consume(); // the releaser handed us its permit
                    Poll::Ready(Permit { sem })
                }
                WaitState::Idle if i.permits > 0 && i.waiters.len() == 0 => {
                    i.permits -= 1;
                    Poll::Ready(Permit { sem })
                }
                _ => {
                    i.waiters.register(waiter, cx.waker());
                    Poll::Pending
                }
            }
        })
    }
}

impl<M: RawMutex> Drop for SemaphoreAcquire<'_, M> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.sem.inner.lock(|i| {
            let mut i = i.borrow_mut();
            if i.waiters.cancel(waiter) == WaitState::Notified {
                i.give(); // a permit handed to us, never used: pass it on
            }
        });
    }
}

/// A permit of a [`Semaphore`], returned when dropped.
#[must_use = "the permit is returned when dropped"]
pub struct Permit<'a, M: RawMutex> {
    sem: &'a Semaphore<M>,
}

impl<M: RawMutex> Permit<'_, M> {
    /// Keeps the permit taken; a later [`Semaphore::release`] gives it back.
    pub fn forget(self) {
        core::mem::forget(self);
    }
}

impl<M: RawMutex> Drop for Permit<'_, M> {
    fn drop(&mut self) {
        self.sem.inner.lock(|i| i.borrow_mut().give());
    }
}
