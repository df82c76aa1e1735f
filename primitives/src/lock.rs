//! [`Lock`]: asyncio's FIFO mutex with direct hand-off.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::mutants::{self, Mutant};
use crate::waitq::{WaitQueue, WaitState, Waiter};

/// asyncio's `Lock`: waiters acquire it in the order they asked, with no barging.
///
/// Releasing a contended lock hands it directly to the first waiter. Until that waiter runs,
/// [`locked`](Lock::locked) is `false` (as in asyncio, where the state holds the chosen task),
/// yet a newcomer still queues behind it. If the chosen waiter is cancelled (its future
/// dropped) before it runs, the lock passes to the next one.
///
/// Rust shape: [`acquire`](Lock::acquire) returns a [`LockGuard`] that releases on drop, so
/// "release an unlocked lock" (asyncio's `RuntimeError`) cannot be written. asyncio has no
/// owner check either: any holder of the guard may release it.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::Lock;
///
/// # fwsim::test(|sim| {
/// let lock: &Lock<NoopRawMutex> = sim.alloc(Lock::new());
/// let held = sim.spawn("holder", async move {
///     let _guard = lock.acquire().await;
///     embassy_time::Timer::after_millis(10).await;
/// });
/// sim.run_until_stalled().unwrap();
/// assert!(lock.locked());
/// sim.run_for(fwsim::ms(10)).unwrap();
/// assert!(held.is_finished() && !lock.locked());
/// # });
/// ```
pub struct Lock<M: RawMutex> {
    inner: Mutex<M, RefCell<Inner>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Free,
    Locked,
    /// Released to the head waiter, which has not run yet.
    HandingOff,
}

struct Inner {
    state: State,
    waiters: WaitQueue,
}

impl Inner {
    fn release(&mut self) {
        self.state = if self.waiters.notify_one() && !mutants::on(Mutant::LockBarging) {
            State::HandingOff
        } else {
            State::Free
        };
    }
}

impl<M: RawMutex> Lock<M> {
    /// An unlocked lock.
    pub const fn new() -> Self {
        Lock { inner: Mutex::new(RefCell::new(Inner { state: State::Free, waiters: WaitQueue::new() })) }
    }

    /// Whether a task holds the lock (`false` during a hand-off, as in asyncio).
    pub fn locked(&self) -> bool {
        self.inner.lock(|i| i.borrow().state == State::Locked)
    }

    /// How many tasks wait.
    pub fn waiting(&self) -> usize {
        self.inner.lock(|i| i.borrow().waiters.len())
    }

    /// Waits for the lock. Returns at once, without yielding, if it is free and nobody waits.
    pub fn acquire(&self) -> Acquire<'_, M> {
        Acquire { lock: self, waiter: Waiter::new() }
    }

    /// Takes the lock if it is free now.
    pub fn try_acquire(&self) -> Option<LockGuard<'_, M>> {
        self.inner.lock(|i| {
            let mut i = i.borrow_mut();
            (i.state == State::Free).then(|| {
                i.state = State::Locked;
                LockGuard { lock: self }
            })
        })
    }
}

impl<M: RawMutex> Default for Lock<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// The future of [`Lock::acquire`]. Dropping it leaves the queue, or passes on a lock that
/// was handed to it.
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a, M: RawMutex> {
    lock: &'a Lock<M>,
    waiter: Waiter,
}

impl<'a, M: RawMutex> Future for Acquire<'a, M> {
    type Output = LockGuard<'a, M>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard<'a, M>> {
        let this = self.into_ref().get_ref();
        // SAFETY: the future is pinned, so its waiter is too.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        let lock = this.lock;
        lock.inner.lock(|i| {
            let mut i = i.borrow_mut();
            match waiter.state() {
                WaitState::Notified => {
                    waiter.consume();
                    i.state = State::Locked;
                    Poll::Ready(LockGuard { lock })
                }
                WaitState::Idle if i.state == State::Free => {
                    i.state = State::Locked;
                    Poll::Ready(LockGuard { lock })
                }
                _ => {
                    i.waiters.register(waiter, cx.waker());
                    Poll::Pending
                }
            }
        })
    }
}

impl<M: RawMutex> Drop for Acquire<'_, M> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.lock.inner.lock(|i| {
            let mut i = i.borrow_mut();
            if i.waiters.cancel(waiter) == WaitState::Notified && !mutants::on(Mutant::LockCancelLosesHandoff) {
                // Handed the lock but cancelled before running: pass it on.
                i.release();
            }
        });
    }
}

/// Holds a [`Lock`]; dropping it releases the lock to the first waiter.
#[must_use = "the lock is released when the guard is dropped"]
pub struct LockGuard<'a, M: RawMutex> {
    lock: &'a Lock<M>,
}

impl<M: RawMutex> LockGuard<'_, M> {
    /// Releases the lock (the same as dropping the guard).
    pub fn release(self) {}
}

impl<M: RawMutex> Drop for LockGuard<'_, M> {
    fn drop(&mut self) {
        self.lock.inner.lock(|i| i.borrow_mut().release());
    }
}
