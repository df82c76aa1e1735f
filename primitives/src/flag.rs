//! [`ThreadSafeFlag`]: one task waits, interrupts set.

use core::cell::RefCell;
use core::future::poll_fn;
use core::task::{Poll, Waker};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

/// asyncio's `ThreadSafeFlag`: a self-clearing flag that an interrupt handler (or another
/// thread, with a mutex that allows it) sets and one task awaits.
///
/// It is a flag, not a counter: two [`set`](ThreadSafeFlag::set)s before the task runs
/// satisfy one [`wait`](ThreadSafeFlag::wait). `wait` on a set flag clears it and returns
/// without yielding.
///
/// **One waiter.** On MicroPython a second waiter silently replaces the first, which is then
/// never woken. Here the replaced waiter is woken (as embassy-sync's `Signal` does), so it
/// polls again and the two waiters evict each other — under fwsim a `SameInstantLoop`
/// diagnostic that names both tasks instead of a task lost without a trace. Use an
/// [`Event`](crate::Event) for several waiters.
///
/// Use `CriticalSectionRawMutex` when an interrupt sets it.
///
/// **When the waiter runs.** MicroPython delivers a flag through its IO poll, which runs
/// before the loop pops the next task: a task that sets the flag and yields runs again before
/// the waiter. Under fwsim's `MicroPython` order the flag wakes its waiter that way
/// (through `fwsim_hooks::wake_from_io`); on a board it wakes it as any waker.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
/// use fwsim::{Irq, SimTime};
/// use fwsim_primitives::ThreadSafeFlag;
///
/// let flag = ThreadSafeFlag::<CriticalSectionRawMutex>::new();
/// let sim = fwsim::Sim::new();
/// let mut task = sim.spawn("waiter", async { flag.wait().await; embassy_time::Instant::now().as_millis() });
/// sim.schedule_isr(SimTime::from_millis(5), Irq::new(1, 3), || flag.set());
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(task.try_take(), Some(Ok(5)));
/// ```
pub struct ThreadSafeFlag<M: RawMutex> {
    inner: Mutex<M, RefCell<(bool, Option<Waker>)>>,
}

impl<M: RawMutex> ThreadSafeFlag<M> {
    /// A clear flag.
    pub const fn new() -> Self {
        ThreadSafeFlag { inner: Mutex::new(RefCell::new((false, None))) }
    }

    /// Sets the flag and wakes the waiter. Safe from interrupt context (with a mutex that is).
    pub fn set(&self) {
        let waker = self.inner.lock(|i| {
            let mut i = i.borrow_mut();
            i.0 = true;
            i.1.take()
        });
        if let Some(w) = waker {
            // Under fwsim, an I/O-readiness wake (see the type docs); on a board, a plain one.
            fwsim_hooks::wake_from_io(w);
        }
    }

    /// Whether the flag is set (a set that no `wait` has consumed yet): for code that polls it,
    /// as the toolkit's tutorial does, instead of awaiting it.
    pub fn is_set(&self) -> bool {
        self.inner.lock(|i| i.borrow().0)
    }

    /// Clears the flag.
    pub fn clear(&self) {
        self.inner.lock(|i| i.borrow_mut().0 = false);
    }

    /// Waits for the flag, then clears it.
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if crate::mutants::on(crate::mutants::Mutant::FlagSplitSections) {
                if self.inner.lock(|i| core::mem::take(&mut i.borrow_mut().0)) {
                    return Poll::Ready(());
                }
                self.inner.lock(|i| i.borrow_mut().1 = Some(cx.waker().clone()));
                return Poll::Pending;
            }
            let evicted = self.inner.lock(|i| {
                let mut i = i.borrow_mut();
                if i.0 {
                    i.0 = false;
                    return Ok(());
                }
                match &i.1 {
                    Some(w) if w.will_wake(cx.waker()) => Err(None),
                    Some(_) if crate::mutants::on(crate::mutants::Mutant::FlagKeepsStaleWaker) => Err(None),
                    _ => Err(i.1.replace(cx.waker().clone())),
                }
            });
            match evicted {
                Ok(()) => Poll::Ready(()),
                Err(evicted) => {
                    if let Some(w) = evicted {
                        w.wake();
                    }
                    Poll::Pending
                }
            }
        })
        .await
    }
}

impl<M: RawMutex> Default for ThreadSafeFlag<M> {
    fn default() -> Self {
        Self::new()
    }
}
