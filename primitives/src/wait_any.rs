//! [`wait_any`] and [`wait_all`]: the toolkit's `WaitAny`/`WaitAll` over any futures.

use core::future::Future;

use embassy_futures::join::join_array;
use embassy_futures::select::select_array;

/// Waits for the first of `futures` to finish; returns its index and output and drops the
/// others — the toolkit's `WaitAny(events).wait()`.
///
/// In Rust any future is an "event-like object": an `Event::wait()`, a `DelayMs::wait()`, a
/// `Message::wait()`, a `Timer`, a nested `wait_any`/`wait_all`. When several are ready at
/// once, the **first in argument order** wins: Python reports the last one its scheduler ran
/// (PRIMITIVES.md §5.2 L11), which depends on task order.
///
/// Futures of different types can be mixed as `Pin<&mut dyn Future<Output = T>>`, or with
/// `embassy_futures::select::select`.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use embassy_time::Timer;
/// use fwsim_primitives::{Event, wait_all, wait_any};
///
/// # fwsim::test(|sim| {
/// let (door, window) = (&*sim.alloc(Event::<NoopRawMutex>::new()), &*sim.alloc(Event::<NoopRawMutex>::new()));
/// let mut alarm = sim.spawn("alarm", async move { wait_any([door.wait(), window.wait()]).await.0 });
/// let mut both = sim.spawn("both", async move { wait_all([door.wait(), window.wait()]).await; "both open" });
/// sim.spawn("burglar", async move {
///     Timer::after_millis(5).await;
///     window.set();
///     Timer::after_millis(5).await;
///     door.set();
/// });
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(alarm.try_take(), Some(Ok(1))); // the window, at 5 ms
/// assert_eq!(both.try_take(), Some(Ok("both open")));
/// # });
/// ```
pub async fn wait_any<F: Future, const N: usize>(futures: [F; N]) -> (usize, F::Output) {
    let (output, index) = select_array(futures).await;
    (index, output)
}

/// Waits for every one of `futures`; returns their outputs in argument order — the toolkit's
/// `WaitAll(events).wait()`. Example: [`wait_any`].
pub async fn wait_all<F: Future, const N: usize>(futures: [F; N]) -> [F::Output; N] {
    join_array(futures).await
}
