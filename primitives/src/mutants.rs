//! Deliberately broken variants of the primitives, for the bug zoo (`fwsim-zoo`) that checks
//! the schedule fuzzer finds each of them.
//!
//! Every mutation point asks `on` whether its mutant is active. Without the `mutants`
//! feature `on` is a constant `false` and the broken branch is compiled out: a firmware build
//! never contains one. With the feature, a mutant is active only on the thread that
//! [`activate`]d it, while the guard lives, so tests running in parallel do not see each
//! other's mutants.

/// A deliberately planted bug, named after what goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mutant {
    /// `Event::wait` checks the flag, yields, then registers without checking again: a `set`
    /// in between is never seen (lost wake-up).
    EventCheckThenRegister,
    /// `Condition::wait_for` tests its predicate with `if`, not `while`: a waiter woken after
    /// another took what it waited for goes on regardless.
    ConditionIfForWhile,
    /// `Message::wait` clears the event and its flag before waiting: a message set earlier is
    /// lost.
    MessageClearBeforeWait,
    /// `Lock` release frees the lock while waking the next waiter: a newcomer barges in and
    /// both hold it.
    LockBarging,
    /// `ThreadSafeFlag::wait` keeps a waker already in its single slot instead of evicting it:
    /// a stale waker left by a cancelled wait is woken instead of the real waiter.
    FlagKeepsStaleWaker,
    /// `DelayMs` fires a timer that `stop` (or a retrigger) made stale.
    DelayMsStaleTrigger,
    /// `Barrier` waiters re-check the shared arrival count when woken: a fast participant that
    /// already re-arrived for the next round keeps a slow one waiting (barrier reuse).
    BarrierReuse,
    /// `Queue::get` frees a slot without waking a blocked putter.
    QueuePutterNotWoken,
    /// `Semaphore` release adds a permit even when it hands one to a waiter (over-release).
    SemaphoreOverRelease,
    /// `wait_for` polls its future at the deadline and drops a result it got, reporting a
    /// timeout (timeout-versus-completion race: a queue item is lost).
    WaitForDropsCompletion,
    /// A `Lock::acquire` cancelled after the lock was handed to it does not pass it on.
    LockCancelLosesHandoff,
    /// A `Queue::get` cancelled after an item was promised to it keeps the promise: the item
    /// stays invisible to other getters.
    QueueCancelKeepsPromise,
    /// `ThreadSafeFlag::wait` checks the flag in one critical section and registers its waker
    /// in another: an interrupt that sets the flag between the two wakes nobody (a wait that
    /// is not interrupt-safe).
    FlagSplitSections,
}

#[cfg(feature = "mutants")]
mod active {
    extern crate std;

    use core::cell::Cell;

    use super::Mutant;

    std::thread_local! {
        static ACTIVE: Cell<Option<Mutant>> = const { Cell::new(None) };
    }

    /// Whether `m` is active on this thread. (Inlinable: a mutant build's primitives ask at
    /// every mutation point, and their futures are compiled in the crate that uses them.)
    #[inline]
    pub(crate) fn on(m: Mutant) -> bool {
        ACTIVE.with(|a| a.get() == Some(m))
    }

    /// Makes `m` active on this thread until the guard is dropped (`None`: the real code).
    pub fn activate(m: Option<Mutant>) -> Active {
        Active(ACTIVE.with(|a| a.replace(m)))
    }

    /// Keeps a mutant active; restores the previous one when dropped.
    #[must_use = "the mutant is active only while the guard lives"]
    pub struct Active(Option<Mutant>);

    impl Drop for Active {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.set(self.0));
        }
    }
}

#[cfg(feature = "mutants")]
pub(crate) use active::on;
#[cfg(feature = "mutants")]
pub use active::{Active, activate};

/// Without the `mutants` feature no mutant is ever active.
#[cfg(not(feature = "mutants"))]
#[inline(always)]
pub(crate) const fn on(_: Mutant) -> bool {
    false
}
