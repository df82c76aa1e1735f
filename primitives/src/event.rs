//! [`Event`]: a flag that tasks wait for, set by another task.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::mutants::{self, Mutant};
use crate::waitq::{WaitQueue, WaitState, Waiter};

/// asyncio's `Event`: [`set`](Event::set) releases every task waiting in
/// [`wait`](Event::wait), in the order they began to wait, and leaves the flag set until
/// [`clear`](Event::clear).
///
/// Each waiter is released individually, so `set(); clear()` before the waiters run still
/// releases them all — unlike a single-waker `Signal`, where the `clear` would take back the
/// value and the waiter would wait again.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::Event;
///
/// # fwsim::test(|sim| {
/// let ready: &Event<NoopRawMutex> = sim.alloc(Event::new());
/// let mut waiter = sim.spawn("waiter", async move { ready.wait().await; "released" });
/// sim.run_until_stalled().unwrap();
/// ready.set();
/// ready.clear(); // too late to hold the waiter back
/// sim.run_until_stalled().unwrap();
/// assert_eq!(waiter.try_take(), Some(Ok("released")));
/// # });
/// ```
pub struct Event<M: RawMutex> {
    inner: Mutex<M, RefCell<Inner>>,
}

struct Inner {
    set: bool,
    waiters: WaitQueue,
}

impl<M: RawMutex> Event<M> {
    /// A clear event.
    pub const fn new() -> Self {
        Event { inner: Mutex::new(RefCell::new(Inner { set: false, waiters: WaitQueue::new() })) }
    }

    /// Sets the flag and releases every waiter, in wait order. The caller keeps running.
    pub fn set(&self) {
        self.inner.lock(|i| {
            let mut i = i.borrow_mut();
            i.set = true;
            i.waiters.notify_all();
        });
    }

    /// Clears the flag. Waiters already released stay released.
    pub fn clear(&self) {
        self.inner.lock(|i| i.borrow_mut().set = false);
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.inner.lock(|i| i.borrow().set)
    }

    /// How many tasks wait.
    pub fn waiting(&self) -> usize {
        self.inner.lock(|i| i.borrow().waiters.len())
    }

    /// Waits until the event is set; returns at once, without yielding, if it is set already.
    pub fn wait(&self) -> EventWait<'_, M> {
        EventWait { event: self, waiter: Waiter::new() }
    }
}

impl<M: RawMutex> Default for Event<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// The future of [`Event::wait`]. Dropping it leaves the event's queue.
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait<'a, M: RawMutex> {
    event: &'a Event<M>,
    waiter: Waiter,
}

impl<M: RawMutex> Future for EventWait<'_, M> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.into_ref().get_ref();
        // SAFETY: the future is pinned, so its waiter is too.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        this.event.inner.lock(|i| {
            let mut i = i.borrow_mut();
            match waiter.state() {
                WaitState::Notified => {
                    waiter.consume();
                    Poll::Ready(())
                }
                WaitState::Idle if mutants::on(Mutant::EventCheckThenRegister) && waiter.marked() => {
                    i.waiters.register(waiter, cx.waker());
                    Poll::Pending
                }
                WaitState::Idle if i.set => Poll::Ready(()),
                WaitState::Idle if mutants::on(Mutant::EventCheckThenRegister) => {
                    waiter.set_mark();
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                _ => {
                    i.waiters.register(waiter, cx.waker());
                    Poll::Pending
                }
            }
        })
    }
}

impl<M: RawMutex> Drop for EventWait<'_, M> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.event.inner.lock(|i| i.borrow_mut().waiters.cancel(waiter));
    }
}
