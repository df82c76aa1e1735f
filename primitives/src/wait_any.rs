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
pub async fn wait_any<F: Future, const N: usize>(futures: [F; N]) -> (usize, F::Output) {
    let (output, index) = select_array(futures).await;
    (index, output)
}

/// Waits for every one of `futures`; returns their outputs in argument order — the toolkit's
/// `WaitAll(events).wait()`.
pub async fn wait_all<F: Future, const N: usize>(futures: [F; N]) -> [F::Output; N] {
    join_array(futures).await
}
