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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
