//! [`gather`] and [`gather_all`]: run futures together, asyncio style.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

enum Slot<F: Future> {
    Running(F),
    Done(F::Output),
    Taken,
}

/// Runs every future of `futs` concurrently (polled in argument order, within the calling
/// task) and returns their outputs in argument order, or the **first** error as soon as it
/// happens — asyncio's `gather(*aws)`.
///
/// **Turns, as asyncio takes them.** asyncio makes each child a task, created behind the
/// tasks already runnable, and pushes the gathering task again when the last child ends (or
/// the first fails). So the first poll only yields, letting those tasks run first, and the
/// result is returned one turn after it is decided: under fwsim's `MicroPython` order the
/// children start, and the caller resumes, where asyncio's would.
///
/// What still differs, and why: the children run inside the calling task's turns, so the
/// children woken while it is queued run together, in argument order, in its next turn;
/// asyncio runs each child task in the order of its own wake, interleaved with the tasks
/// woken between them. Children that wait for events set in another order than theirs, or
/// at other steps, can therefore run in another order than on MicroPython.
///
/// Deliberate difference: asyncio's siblings of a failed child keep running, detached, as
/// tasks of their own. These children are futures of the calling task, so returning the
/// error drops them (as dropping a `join` does). Spawn the children as tasks where they must
/// outlive the failure.
///
/// ```
/// use embassy_time::Timer;
/// use fwsim_primitives::gather;
///
/// # fwsim::test(|sim| {
/// let run = |ms: u64, fail: bool| async move {
///     Timer::after_millis(ms).await;
///     if fail { Err(ms) } else { Ok(ms) }
/// };
/// let mut ok = sim.spawn("ok", gather([run(3, false), run(1, false)]));
/// let mut failed = sim.spawn("failed", async move {
///     let r = gather([run(5, false), run(2, true)]).await;
///     (r, embassy_time::Instant::now().as_millis())
/// });
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(ok.try_take(), Some(Ok(Ok([3, 1]))));
/// assert_eq!(failed.try_take(), Some(Ok((Err(2), 2)))); // at the failure, not at 5 ms
/// # });
/// ```
pub fn gather<F, T, E, const N: usize>(futs: [F; N]) -> Gather<F, N>
where
    F: Future<Output = Result<T, E>>,
{
    Gather { slots: futs.map(Slot::Running), stage: Stage::Start }
}

/// Runs every future of `futs` concurrently and returns all their outputs in argument order,
/// failures included — asyncio's `gather(*aws, return_exceptions=True)`.
///
/// ```
/// use embassy_time::Timer;
/// use fwsim_primitives::gather_all;
///
/// # fwsim::test(|sim| {
/// let probe = |ms: u64| async move { Timer::after_millis(ms).await; if ms % 2 == 0 { Ok(ms) } else { Err(ms) } };
/// let mut all = sim.spawn("all", gather_all([probe(3), probe(2), probe(1)]));
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(all.try_take(), Some(Ok([Err(3), Ok(2), Err(1)])));
/// # });
/// ```
pub fn gather_all<F: Future, const N: usize>(futs: [F; N]) -> GatherAll<F, N> {
    GatherAll { slots: futs.map(Slot::Running), stage: Stage::Start }
}

/// The future of [`gather`].
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<F: Future, const N: usize> {
    slots: [Slot<F>; N],
    stage: Stage,
}

/// The future of [`gather_all`].
#[must_use = "futures do nothing unless awaited"]
pub struct GatherAll<F: Future, const N: usize> {
    slots: [Slot<F>; N],
    stage: Stage,
}

/// Where a gather is: asyncio's turns (see [`gather`]).
#[derive(Clone, Copy)]
enum Stage {
    /// Not polled yet: the children start in the next turn.
    Start,
    /// Polling the children.
    Running,
    /// Decided (all done, or child `failed` failed): returned in the next turn.
    Decided { failed: Option<usize> },
}

/// The turn structure shared by both gathers: yields on the first poll, polls the children
/// while running (`poll_children` says what was decided, if anything), and returns what was
/// decided one turn later (`finish`).
fn turns<S, R>(
    stage: &mut Stage,
    slots: &mut S,
    cx: &mut Context<'_>,
    poll_children: impl FnOnce(&mut S, &mut Context<'_>) -> Option<Option<usize>>,
    finish: impl FnOnce(&mut S, Option<usize>) -> R,
) -> Poll<R> {
    match *stage {
        Stage::Start => *stage = Stage::Running,
        Stage::Decided { failed } => return Poll::Ready(finish(slots, failed)),
        Stage::Running => match poll_children(slots, cx) {
            Some(failed) => *stage = Stage::Decided { failed },
            None => return Poll::Pending,
        },
    }
    cx.waker().wake_by_ref();
    Poll::Pending
}

/// Polls every running slot in order; stops early when `stop` says so.
fn poll_slots<F: Future, const N: usize>(
    slots: &mut [Slot<F>; N],
    cx: &mut Context<'_>,
    mut stop: impl FnMut(&F::Output) -> bool,
) -> Option<usize> {
    for (i, slot) in slots.iter_mut().enumerate() {
        if let Slot::Running(f) = slot {
            // SAFETY: the slots are structurally pinned: a running future is never moved
            // before it is replaced by its output.
            if let Poll::Ready(v) = unsafe { Pin::new_unchecked(f) }.poll(cx) {
                let stopping = stop(&v);
                *slot = Slot::Done(v);
                if stopping {
                    return Some(i);
                }
            }
        }
    }
    None
}

fn take<F: Future>(slot: &mut Slot<F>) -> F::Output {
    match core::mem::replace(slot, Slot::Taken) {
        Slot::Done(v) => v,
        _ => unreachable!("gather: output taken twice"),
    }
}

impl<F, T, E, const N: usize> Future for Gather<F, N>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<[T; N], E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: the slots are structurally pinned (see `poll_slots`) and the array is never
        // moved; `stage` is `Unpin` and only assigned.
        let this = unsafe { self.get_unchecked_mut() };
        turns(
            &mut this.stage,
            &mut this.slots,
            cx,
            |slots, cx| match poll_slots(slots, cx, |v| v.is_err()) {
                Some(failed) => Some(Some(failed)),
                None if slots.iter().any(|s| matches!(s, Slot::Running(_))) => None,
                None => Some(None),
            },
            |slots, failed| match failed {
                Some(i) => {
                    let Err(e) = take(&mut slots[i]) else { unreachable!("failed with an error") };
                    Err(e)
                }
                None => Ok(core::array::from_fn(|i| match take(&mut slots[i]) {
                    Ok(v) => v,
                    Err(_) => unreachable!("an error is decided at once"),
                })),
            },
        )
    }
}

impl<F: Future, const N: usize> Future for GatherAll<F, N> {
    type Output = [F::Output; N];

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: as in `Gather::poll`: pinned slots never moved, an `Unpin` stage.
        let this = unsafe { self.get_unchecked_mut() };
        turns(
            &mut this.stage,
            &mut this.slots,
            cx,
            |slots, cx| {
                poll_slots(slots, cx, |_| false);
                (!slots.iter().any(|s| matches!(s, Slot::Running(_)))).then_some(None)
            },
            |slots, _| core::array::from_fn(|i| take(&mut slots[i])),
        )
    }
}
