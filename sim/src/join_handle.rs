//! [`JoinHandle`], a spawned task's handle, and the ids of tasks and executors.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::kernel::{Shared, TaskKey};

/// Why a [`JoinHandle`] has no output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// The task was aborted before it completed.
    Aborted,
    /// The task panicked with this message.
    Panicked(String),
    /// The simulation was shut down before the task completed.
    SimulationDropped,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Aborted => write!(f, "task aborted"),
            JoinError::Panicked(m) => write!(f, "task panicked: {m}"),
            JoinError::SimulationDropped => write!(f, "simulation shut down before the task completed"),
        }
    }
}

impl std::error::Error for JoinError {}

/// A task's number: its spawn serial (0 for the first task spawned, 1 for the next…), as it
/// appears in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u32);

/// Which executor of a simulation a task runs on (see [`Sim::add_executor`](crate::Sim::add_executor)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExecutorId(pub u8);

/// The handle of a spawned task: await it for the task's output, or abort it.
///
/// Dropping the handle detaches the task (it keeps running). Awaiting gives
/// `Err(JoinError::Aborted)` after [`abort`](Self::abort), `Err(JoinError::Panicked)` after a
/// panic. The handle works inside tasks and from the test body.
pub struct JoinHandle<T> {
    pub(crate) shared: Rc<Shared>,
    pub(crate) key: TaskKey,
    pub(crate) _output: PhantomData<fn() -> T>,
}

impl<T> JoinHandle<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        TaskId(self.key.serial)
    }

    /// Whether the task has completed, panicked or been aborted.
    pub fn is_finished(&self) -> bool {
        self.shared.is_finished(self.key)
    }

    /// Aborts the task. The abort is scheduled like a wake, in the policy's order; when the
    /// task would next be polled its future is dropped instead. A task that aborts itself stops
    /// when its current poll returns (unless that poll completes it). No effect on a finished
    /// task.
    pub fn abort(&self) {
        self.shared.abort(self.key)
    }

    /// Declares that the task must finish: from now on, a `run_*` call that reaches a point
    /// where this task is unfinished and nothing is runnable or scheduled (no timer, no
    /// interrupt) returns [`SimError::Deadlock`](crate::SimError::Deadlock), whose report
    /// says what every unfinished task waits for. Without it such a run simply ends: servers
    /// wait for ever by design. Stimuli scheduled after the run do not count: schedule them
    /// first.
    ///
    /// ```
    /// use embassy_sync::{blocking_mutex::raw::NoopRawMutex, signal::Signal};
    /// fwsim::scope(fwsim::SimConfig::new(), |sim| {
    ///     let never = sim.alloc(Signal::<NoopRawMutex, ()>::new());
    ///     let never = &*never;
    ///     sim.spawn("waiter", async move { never.wait().await }).must_finish();
    ///     let err = sim.run_for(fwsim::secs(1)).unwrap_err();
    ///     assert!(matches!(err, fwsim::SimError::Deadlock(_)), "{err}");
    /// });
    /// ```
    pub fn must_finish(&self) {
        self.shared.core.borrow_mut().declare_must_finish(self.key);
    }

    /// This handle, made to abort the task when it is dropped unfinished: await it from a task
    /// and an abort of *that* task reaches the one it awaits, as asyncio forwards a cancel to
    /// the task a cancelled task awaits (a plain handle detaches instead).
    ///
    /// While this future waits, the awaited task is aborted at the call to the awaiter's
    /// `abort`, as asyncio's `cancel` marks the awaited task at once (a turn of it already
    /// queued does not run); the awaiter is dropped at its own turn. asyncio delivers the
    /// cancel to the last task of a chain of awaits only: each awaiter above it receives
    /// `CancelledError` and ends with it unless it catches it. And asyncio loses the cancel
    /// when that last task is the one cancelling. Here every task of the chain is aborted, in
    /// every case (CONFORMANCE.md, "What the suites cannot see").
    ///
    /// ```
    /// use embassy_time::Timer;
    /// let sim = fwsim::Sim::new();
    /// let inner = sim.spawn("inner", async { Timer::after_secs(10).await });
    /// let inner_done = inner.id();
    /// let outer = sim.spawn("outer", async move { inner.abort_on_drop().await });
    /// sim.run_for(fwsim::ms(1)).unwrap();
    /// outer.abort();
    /// sim.run_for(fwsim::ms(1)).unwrap();
    /// assert_eq!(sim.live_tasks(), 0, "aborting outer aborted inner ({inner_done:?}) too");
    /// ```
    pub fn abort_on_drop(self) -> AbortOnDrop<T> {
        AbortOnDrop(Some(self))
    }

    /// The task's result if it has finished, without waiting; `None` while it runs.
    pub fn try_take(&mut self) -> Option<Result<T, JoinError>> {
        if !self.is_finished() {
            return None;
        }
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(self).poll(&mut cx) {
            Poll::Ready(r) => Some(r),
            Poll::Pending => None,
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut out: Option<T> = None;
        match self.shared.poll_join(self.key, cx, &mut out as *mut Option<T> as *mut ()) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(out.expect("fwsim: task output already taken"))),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.shared.detach(self.key);
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("id", &self.id()).field("finished", &self.is_finished()).finish()
    }
}

/// A [`JoinHandle`] that aborts its task when dropped unfinished
/// ([`JoinHandle::abort_on_drop`]). Await it like the handle.
#[derive(Debug)]
pub struct AbortOnDrop<T>(Option<JoinHandle<T>>);

impl<T> AbortOnDrop<T> {
    /// Aborts the awaited task now, like [`JoinHandle::abort`]; the awaiter is not aborted,
    /// it gets `Err(JoinError)` when it is polled next.
    pub fn abort(&self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }

    /// The handle back, which detaches on drop again.
    pub fn into_inner(mut self) -> JoinHandle<T> {
        let handle = self.0.take().expect("present until dropped");
        // A detached task is no longer the awaiter's to abort.
        handle.shared.unlink_abort_target(handle.key);
        handle
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, JoinError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let handle = self.0.as_mut().expect("present until dropped");
        let polled = Pin::new(&mut *handle).poll(cx);
        // While it waits, an abort of this task reaches the awaited one at once.
        handle.shared.link_abort(handle.key, polled.is_pending());
        polled
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}
