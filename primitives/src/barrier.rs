//! [`Barrier`]: a rendezvous of N tasks, reusable at once.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::waitq::{WaitQueue, WaitState, Waiter};

/// The toolkit's `Barrier(participants, func)`: [`wait`](Barrier::wait) blocks until
/// `participants` tasks have arrived.
///
/// The last to arrive runs the callback (synchronously, inside its `wait`), is told it was the
/// [leader](BarrierResult::is_leader), and continues without yielding; the others are woken in
/// arrival order. The count resets at once, so a fast task may enter the next round before
/// slow ones have resumed. [`trigger`](Barrier::trigger) counts an arrival without waiting.
///
/// Differences from the Python version: a waiter that is cancelled (its future dropped)
/// withdraws its arrival — in Python it stays counted and the round completes one task early;
/// and the callback is a synchronous closure (it must not use the barrier itself).
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::Barrier;
/// use std::cell::Cell;
///
/// # fwsim::test(|sim| {
/// let rounds = &*sim.alloc(Cell::new(0));
/// // The callback borrows `rounds`: `alloc_borrowing`.
/// let barrier = &*sim.alloc_borrowing(Barrier::<NoopRawMutex, _>::with_callback(3, move || rounds.set(rounds.get() + 1)));
/// for i in 0..3u64 {
///     sim.spawn("worker", async move {
///         embassy_time::Timer::after_millis(i).await;
///         barrier.wait().await;
///     });
/// }
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(rounds.get(), 1);
/// # });
/// ```
pub struct Barrier<M: RawMutex, C: FnMut() = fn()> {
    inner: Mutex<M, RefCell<Inner<C>>>,
}

struct Inner<C> {
    participants: usize,
    arrived: usize,
    waiters: WaitQueue,
    callback: C,
}

impl<C: FnMut()> Inner<C> {
    /// Counts one arrival; completes the round if it was the last. Returns whether it did.
    fn arrive(&mut self) -> bool {
        self.arrived += 1;
        if self.arrived < self.participants {
            return false;
        }
        self.arrived = 0;
        (self.callback)();
        self.waiters.notify_all();
        true
    }
}

fn no_callback() {}

impl<M: RawMutex> Barrier<M> {
    /// A barrier for `participants` tasks, with no callback.
    pub const fn new(participants: usize) -> Self {
        Self::with_callback(participants, no_callback as fn())
    }
}

impl<M: RawMutex, C: FnMut()> Barrier<M, C> {
    /// A barrier whose last arrival runs `callback` each round.
    pub const fn with_callback(participants: usize, callback: C) -> Self {
        Barrier {
            inner: Mutex::new(RefCell::new(Inner { participants, arrived: 0, waiters: WaitQueue::new(), callback })),
        }
    }

    /// Waits for the round to complete.
    ///
    /// # Panics
    /// With zero participants (Python's `ValueError`).
    pub fn wait(&self) -> BarrierWait<'_, M, C> {
        BarrierWait { barrier: self, waiter: Waiter::new() }
    }

    /// Counts an arrival without waiting (completes the round if it is the last).
    pub fn trigger(&self) {
        self.inner.lock(|i| {
            i.borrow_mut().arrive();
        });
    }

    /// Whether a round is in progress (some task waits).
    pub fn busy(&self) -> bool {
        self.inner.lock(|i| i.borrow().arrived > 0)
    }
}

/// The future of [`Barrier::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait<'a, M: RawMutex, C: FnMut()> {
    barrier: &'a Barrier<M, C>,
    waiter: Waiter,
}

/// What [`Barrier::wait`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierResult {
    leader: bool,
}

impl BarrierResult {
    /// Whether this task completed the round (and ran the callback).
    pub fn is_leader(&self) -> bool {
        self.leader
    }
}

impl<M: RawMutex, C: FnMut()> Future for BarrierWait<'_, M, C> {
    type Output = BarrierResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierResult> {
        let this = self.into_ref().get_ref();
        // SAFETY: the future is pinned, so its waiter is too.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        let leader = this.barrier.inner.lock(|i| {
            let mut i = i.borrow_mut();
            assert!(i.participants > 0, "fwsim-primitives: a Barrier needs at least one participant");
            match waiter.state() {
                WaitState::Notified if crate::mutants::on(crate::mutants::Mutant::BarrierReuse) && i.arrived > 0 => {
                    waiter.consume();
                    i.waiters.register(waiter, cx.waker());
                    None
                }
                WaitState::Notified => {
                    waiter.consume();
                    Some(false)
                }
                WaitState::Queued => {
                    i.waiters.register(waiter, cx.waker());
                    None
                }
                WaitState::Idle if i.arrive() => Some(true),
                WaitState::Idle => {
                    i.waiters.register(waiter, cx.waker());
                    None
                }
            }
        });
        match leader {
            Some(leader) => Poll::Ready(BarrierResult { leader }),
            None => Poll::Pending,
        }
    }
}

impl<M: RawMutex, C: FnMut()> Drop for BarrierWait<'_, M, C> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.barrier.inner.lock(|i| {
            let mut i = i.borrow_mut();
            if i.waiters.cancel(waiter) == WaitState::Queued {
                i.arrived -= 1; // withdraws its arrival
            }
        });
    }
}
