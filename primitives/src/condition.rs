//! [`Condition`]: wait for a state change under a [`Lock`].

use core::cell::RefCell;
use core::future::{Future, poll_fn};
use core::pin::{Pin, pin};
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::lock::{Lock, LockGuard};
use crate::mutants::{self, Mutant};
use crate::waitq::{WaitQueue, WaitState, Waiter};

/// The toolkit's `Condition`: tasks holding its lock [`wait`](Condition::wait) (releasing
/// the lock while they wait) until another holder [`notify`](Condition::notify)s them.
///
/// **FIFO, not LIFO.** The Python version pops waiters from the *end* of its list, so they
/// wake last-come first (PRIMITIVES.md §5.2 L10; repeated `notify(1)` can starve the first
/// waiter). This port wakes them in wait order, as CPython does.
///
/// Rust shape: `notify` takes the [`LockGuard`] as proof that the caller holds the lock, so
/// Python's "notify without the lock" `RuntimeError` cannot be written.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::Condition;
/// use std::cell::Cell;
///
/// # fwsim::test(|sim| {
/// let cond: &Condition<NoopRawMutex> = sim.alloc(Condition::new());
/// let ready = &*sim.alloc(Cell::new(false));
/// let mut waiter = sim.spawn("waiter", async move {
///     let guard = cond.acquire().await;
///     let _guard = cond.wait_for(guard, || ready.get()).await;
///     embassy_time::Instant::now().as_millis()
/// });
/// sim.spawn("setter", async move {
///     embassy_time::Timer::after_millis(8).await;
///     let guard = cond.acquire().await;
///     ready.set(true);
///     cond.notify_all(&guard);
/// });
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(waiter.try_take(), Some(Ok(8)));
/// # });
/// ```
pub struct Condition<M: RawMutex> {
    lock: Lock<M>,
    waiters: Mutex<M, RefCell<WaitQueue>>,
}

impl<M: RawMutex> Condition<M> {
    /// A condition with its own lock.
    pub const fn new() -> Self {
        Condition { lock: Lock::new(), waiters: Mutex::new(RefCell::new(WaitQueue::new())) }
    }

    /// The lock (to acquire it, or ask whether it is held).
    pub fn lock(&self) -> &Lock<M> {
        &self.lock
    }

    /// Acquires the lock.
    pub async fn acquire(&self) -> LockGuard<'_, M> {
        self.lock.acquire().await
    }

    /// How many tasks wait to be notified.
    pub fn waiting(&self) -> usize {
        self.waiters.lock(|w| w.borrow().len())
    }

    /// Releases the lock, waits for a notification, reacquires the lock.
    pub async fn wait<'a>(&'a self, guard: LockGuard<'a, M>) -> LockGuard<'a, M> {
        let notified = pin!(Notified { cond: self, waiter: Waiter::new() });
        // Queue up before releasing, so a notify right after the release is not missed.
        poll_fn(|cx| {
            let waiter = notified.as_ref().waiter();
            self.waiters.lock(|w| w.borrow_mut().register(waiter, cx.waker()));
            Poll::Ready(())
        })
        .await;
        drop(guard);
        notified.await;
        self.lock.acquire().await
    }

    /// Waits (as [`wait`](Self::wait)) until `predicate` holds; returns at once if it does.
    pub async fn wait_for<'a>(
        &'a self,
        mut guard: LockGuard<'a, M>,
        mut predicate: impl FnMut() -> bool,
    ) -> LockGuard<'a, M> {
        if mutants::on(Mutant::ConditionIfForWhile) {
            if !predicate() {
                guard = self.wait(guard).await;
            }
            return guard;
        }
        while !predicate() {
            guard = self.wait(guard).await;
        }
        guard
    }

    /// Wakes up to `n` waiters, longest-waiting first.
    pub fn notify(&self, _held: &LockGuard<'_, M>, n: usize) {
        self.waiters.lock(|w| {
            let mut w = w.borrow_mut();
            for _ in 0..n {
                if !w.notify_one() {
                    break;
                }
            }
        });
    }

    /// Wakes every waiter.
    pub fn notify_all(&self, _held: &LockGuard<'_, M>) {
        self.waiters.lock(|w| w.borrow_mut().notify_all());
    }
}

impl<M: RawMutex> Default for Condition<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// Waits for a notification of a [`Condition`].
struct Notified<'a, M: RawMutex> {
    cond: &'a Condition<M>,
    waiter: Waiter,
}

impl<M: RawMutex> Notified<'_, M> {
    fn waiter(self: Pin<&Self>) -> Pin<&Waiter> {
        // SAFETY: the waiter is pinned with its future.
        unsafe { self.map_unchecked(|s| &s.waiter) }
    }
}

impl<M: RawMutex> Future for Notified<'_, M> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.into_ref();
        let waiter = this.waiter();
        this.get_ref().cond.waiters.lock(|w| {
            let mut w = w.borrow_mut();
            match waiter.state() {
                WaitState::Notified => {
                    waiter.consume();
                    Poll::Ready(())
                }
                _ => {
                    w.register(waiter, cx.waker());
                    Poll::Pending
                }
            }
        })
    }
}

impl<M: RawMutex> Drop for Notified<'_, M> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.cond.waiters.lock(|w| w.borrow_mut().cancel(waiter));
    }
}
