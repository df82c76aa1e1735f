use super::*;

/// A spawned future, type-erased, with room for its output.
pub(crate) trait ErasedTask {
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
    /// Moves the output into `*out`, which must be an `Option<F::Output>`.
    ///
    /// # Safety
    /// `out` must point to a valid `Option<Output>` of this task's output type.
    unsafe fn take_output(self: Pin<&mut Self>, out: *mut ());
}

pub(crate) enum TaskCell<F: Future> {
    Running(F),
    Done(Option<F::Output>),
}

impl<F: Future> ErasedTask for TaskCell<F> {
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the future is never moved out; it is dropped in place when replaced by Done.
        let this = unsafe { self.get_unchecked_mut() };
        let out = match this {
            TaskCell::Running(f) => match unsafe { Pin::new_unchecked(f) }.poll(cx) {
                Poll::Ready(v) => v,
                Poll::Pending => return Poll::Pending,
            },
            TaskCell::Done(_) => return Poll::Ready(()),
        };
        *this = TaskCell::Done(Some(out));
        Poll::Ready(())
    }

    unsafe fn take_output(self: Pin<&mut Self>, out: *mut ()) {
        // SAFETY: Done holds no pinned data; the caller guarantees the type of `out`.
        let this = unsafe { self.get_unchecked_mut() };
        if let TaskCell::Done(v) = this {
            unsafe { *(out as *mut Option<F::Output>) = v.take() };
        }
    }
}

pub(crate) type TaskBox = Pin<Box<dyn ErasedTask>>;
pub(crate) type IsrFn = Box<dyn FnOnce()>;
