//! Timeouts with asyncio's tie rule: [`wait_for`], [`wait_for_ms`], [`TimeoutError`].

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_time::{Duration, Instant, Timer};

/// The operation did not finish before its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl core::error::Error for TimeoutError {}

/// Runs `fut` for at most `timeout`; `Err(TimeoutError)` if the deadline comes first.
///
/// **Ties go to the timeout**, as in MicroPython's asyncio, where the result needs two
/// scheduling hops and the timer one: a future that would finish exactly at the deadline
/// (its own sleep equal to the timeout, or an event set at that instant) gives
/// `Err(TimeoutError)`. A deadline of zero times out before the future is polled.
/// `embassy_time::with_timeout` decides the other way (it polls the inner future first);
/// pick the one whose semantics you port.
///
/// **Hops.** asyncio's `wait_for` runs the awaitable as a task of its own, awaited by a
/// second "runner" task that wakes the caller: every outcome travels through other tasks'
/// turns in the run queue, and other tasks ready at the same instant run in between. To
/// keep that order, this future yields where asyncio's caller would not yet be running:
/// once before it first polls `fut` (the two tasks' first turns), then once after `fut`
/// completes on that first poll (the runner's wake-up), twice after it completes later (the
/// awaitable's task, then the runner), and three times after the deadline (the cancel goes
/// through both tasks before the caller raises). Under fwsim's `MicroPython` policy this
/// reproduces the real interpreter's interleaving, as the differential conformance tests
/// check; under other executors the extra yields only cost polls.
///
/// **Busy time.** asyncio keys the awaitable's first turn by the call and the timeout by the
/// deadline, so when a blocking section elsewhere carries the clock past the deadline before
/// that first turn, the first turn still runs (and a future ready then wins), and a timeout
/// is decided only when the deadline's turn comes, after earlier deadlines' (checked by the
/// conformance fidelity cases with busy sections).
///
/// When the timeout wins, `fut` is dropped: the Rust form of asyncio cancelling it.
///
/// ```
/// use embassy_time::{Duration, Timer};
/// use fwsim_primitives::{TimeoutError, wait_for};
///
/// # fwsim::test(|sim| {
/// let mut early = sim.spawn("early", wait_for(Duration::from_millis(10), Timer::after_millis(9)));
/// let mut tie = sim.spawn("tie", wait_for(Duration::from_millis(10), Timer::after_millis(10)));
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(early.try_take(), Some(Ok(Ok(()))));
/// assert_eq!(tie.try_take(), Some(Ok(Err(TimeoutError))));
/// # });
/// ```
pub fn wait_for<F: Future>(timeout: Duration, fut: F) -> WaitFor<F> {
    let deadline = Instant::now().checked_add(timeout).unwrap_or(Instant::MAX);
    WaitFor { deadline, timer: Timer::at(deadline), fut: Some(fut), stage: Stage::Start }
}

/// [`wait_for`] with a timeout in milliseconds (asyncio's `wait_for_ms`).
///
/// ```
/// use fwsim_primitives::{TimeoutError, wait_for_ms};
///
/// # fwsim::test(|sim| {
/// let mut t = sim.spawn("t", wait_for_ms(5, core::future::pending::<()>()));
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(t.try_take(), Some(Ok(Err(TimeoutError))));
/// # });
/// ```
pub fn wait_for_ms<F: Future>(timeout_ms: u64, fut: F) -> WaitFor<F> {
    wait_for(Duration::from_millis(timeout_ms), fut)
}

/// Where a [`WaitFor`] is.
enum Stage<T> {
    /// Not polled yet.
    Start,
    /// The awaitable's first turn comes next.
    FirstRun,
    /// Waiting for the awaitable or the deadline.
    Waiting,
    /// Decided; `n` more turns go by before the caller sees the result.
    Hops(u8, Option<Result<T, TimeoutError>>),
}

/// The future of [`wait_for`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitFor<F: Future> {
    deadline: Instant,
    timer: Timer,
    /// `None` once the deadline has won: the future is dropped at once, as asyncio cancels
    /// the awaitable's task (taking it off whatever it waits on) at the caller's turn.
    fut: Option<F>,
    stage: Stage<F::Output>,
}

impl<F: Future> Future for WaitFor<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is structurally pinned and never moved; the other fields are Unpin
        // or moved only by value out of `stage`.
        let this = unsafe { self.get_unchecked_mut() };
        let hop = |stage: &mut Stage<F::Output>, n: u8, r: Result<F::Output, TimeoutError>, cx: &mut Context<'_>| {
            *stage = Stage::Hops(n, Some(r));
            cx.waker().wake_by_ref();
            Poll::Pending
        };
        match &mut this.stage {
            Stage::Start => {
                if Instant::now() >= this.deadline {
                    return Poll::Ready(Err(TimeoutError));
                }
                let _ = Pin::new(&mut this.timer).poll(cx); // registers the deadline
                this.stage = Stage::FirstRun;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Stage::Hops(n, r) => {
                *n -= 1;
                if *n == 0 {
                    return Poll::Ready(r.take().expect("decided once"));
                }
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Stage::FirstRun | Stage::Waiting => {}
        }
        let first = matches!(this.stage, Stage::FirstRun);
        this.stage = Stage::Waiting;
        // SAFETY: `fut` is structurally pinned: polled and dropped in place, never moved.
        let mut fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        // The awaitable's first turn was queued at the call, before the deadline's key: it
        // runs even when busy time has carried the clock past the deadline meanwhile.
        if !first && Instant::now() >= this.deadline {
            if crate::mutants::on(crate::mutants::Mutant::WaitForDropsCompletion) {
                let _lost = fut.as_mut().as_pin_mut().expect("polled until decided").poll(cx);
            }
            fut.set(None);
            return hop(&mut this.stage, 3, Err(TimeoutError), cx);
        }
        if let Poll::Ready(v) = fut.as_mut().as_pin_mut().expect("polled until decided").poll(cx) {
            fut.set(None);
            // asyncio cancels the sleep here; embassy's timer queue keeps the deadline.
            fwsim_hooks::timer_withdrawn(this.deadline.as_ticks());
            return hop(&mut this.stage, if first { 1 } else { 2 }, Ok(v), cx);
        }
        if first {
            // The deadline was requested at the call, as asyncio's sleep is pushed then; asking
            // again now would make it a later request (and, under fwsim's MicroPython order, a
            // later key). If `fut` asked for an earlier wake-up meanwhile, the next poll
            // re-arms the deadline below.
            if Instant::now() >= this.deadline {
                // Busy time carried the clock past the deadline before the first turn: asyncio
                // decides the timeout when the sleep's own key comes up, not here. The timer's
                // wake (keyed by the deadline) is pending or kept as this task's place; this
                // wake takes it, and the next poll decides.
                cx.waker().wake_by_ref();
            }
            return Poll::Pending;
        }
        match Pin::new(&mut this.timer).poll(cx) {
            Poll::Ready(()) => {
                fut.set(None);
                hop(&mut this.stage, 3, Err(TimeoutError), cx)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
