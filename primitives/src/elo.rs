//! [`Elo`]: a running future as an event-like object.

use core::cell::RefCell;
use core::future::Future;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::Event;

/// The future behind an [`Elo`] was dropped before it finished (Python's `CancelledError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

/// The toolkit's `ELO`: wraps a piece of work so that it can be waited for like an event
/// (by any number of tasks, by [`wait_any`](crate::wait_any) and
/// [`wait_all`](crate::wait_all)) and its result read afterwards.
///
/// Python schedules the coroutine as a task when the `ELO` is made; here
/// [`run`](Elo::run) is the future to spawn. If it is dropped before the work finishes (a
/// cancelled task, an abort), the result is [`Cancelled`] and waiters are still released,
/// as `ELO.wait()` swallows the `CancelledError`.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use embassy_time::Timer;
/// use fwsim_primitives::Elo;
///
/// # fwsim::test(|sim| {
/// let elo: &Elo<NoopRawMutex, u32> = sim.alloc(Elo::new());
/// sim.spawn("work", elo.run(async { Timer::after_millis(5).await; 42 }));
/// let mut reader = sim.spawn("reader", async move { elo.wait().await; elo.result() });
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(reader.try_take(), Some(Ok(Some(Ok(42)))));
/// # });
/// ```
pub struct Elo<M: RawMutex, T> {
    done: Event<M>,
    result: Mutex<M, RefCell<Option<Result<T, Cancelled>>>>,
}

impl<M: RawMutex, T> Elo<M, T> {
    /// Not started.
    pub const fn new() -> Self {
        Elo { done: Event::new(), result: Mutex::new(RefCell::new(None)) }
    }

    /// Runs `work` and records its output; records [`Cancelled`] if dropped first.
    pub async fn run(&self, work: impl Future<Output = T>) {
        /// Marks the Elo cancelled unless disarmed by completion.
        struct OnDrop<'a, M: RawMutex, T>(&'a Elo<M, T>, bool);
        impl<M: RawMutex, T> Drop for OnDrop<'_, M, T> {
            fn drop(&mut self) {
                if self.1 {
                    self.0.finish(Err(Cancelled));
                }
            }
        }
        let mut guard = OnDrop(self, true);
        let out = work.await;
        guard.1 = false;
        self.finish(Ok(out));
    }

    fn finish(&self, r: Result<T, Cancelled>) {
        self.result.lock(|s| *s.borrow_mut() = Some(r));
        self.done.set();
    }

    /// Waits until the work has finished or been cancelled.
    pub async fn wait(&self) {
        self.done.wait().await;
    }

    /// Whether it has finished or been cancelled.
    pub fn is_done(&self) -> bool {
        self.done.is_set()
    }

    /// The outcome, once there is one (Python's `elo()`).
    pub fn result(&self) -> Option<Result<T, Cancelled>>
    where
        T: Clone,
    {
        self.result.lock(|s| s.borrow().clone())
    }
}

impl<M: RawMutex, T> Default for Elo<M, T> {
    fn default() -> Self {
        Self::new()
    }
}
