//! Hooks between portable primitives and a simulator, in the manner of `embassy-time-driver`:
//! the firmware side calls them, the simulator implements them, and neither depends on the
//! other. Unlike a time driver they are optional: until a simulator [`install`]s its
//! [`Hooks`], every call does what a board needs (a plain wake, nothing).
//!
//! MicroPython's asyncio knows things an embassy-style executor does not: a
//! `ThreadSafeFlag` is delivered through the loop's IO poll, and a `wait_for` that finishes
//! early cancels its sleep. fwsim's `MicroPython` order needs both to run tasks in asyncio's
//! order; fwsim-primitives reports them here.
#![no_std]

use core::sync::atomic::{AtomicPtr, Ordering};
use core::task::Waker;

/// What a simulator implements.
pub struct Hooks {
    /// Wakes as an I/O-readiness event (see [`wake_from_io`]).
    pub wake_from_io: fn(Waker),
    /// The running task no longer awaits its timer at this instant, in embassy-time ticks
    /// (see [`timer_withdrawn`]).
    pub timer_withdrawn: fn(u64),
}

/// Null, or the hooks `install` was given. An atomic rather than a critical-section mutex: a
/// board that uses no critical section must not need an implementation of one for this.
static HOOKS: AtomicPtr<Hooks> = AtomicPtr::new(core::ptr::null_mut());

/// Installs a simulator's hooks (idempotent; the latest call wins).
pub fn install(hooks: &'static Hooks) {
    HOOKS.store(core::ptr::from_ref(hooks).cast_mut(), Ordering::Release);
}

fn installed() -> Option<&'static Hooks> {
    let hooks = HOOKS.load(Ordering::Acquire);
    // SAFETY: `HOOKS` holds null or a pointer made in `install` from a `&'static Hooks`, and
    // nothing ever writes through it, so it is either `None` or a valid shared `'static`.
    unsafe { hooks.as_ref() }
}

/// Wakes `waker` as an I/O-readiness event: a `ThreadSafeFlag` set by a task, which asyncio
/// delivers at its next IO poll. Without a simulator, a plain wake.
pub fn wake_from_io(waker: Waker) {
    match installed() {
        Some(h) => (h.wake_from_io)(waker),
        None => waker.wake(),
    }
}

/// Tells the simulator that the running task no longer awaits the timer it asked for at
/// `at_ticks` (a `wait_for` whose future won drops its timer; embassy's timer queue keeps the
/// deadline). Without a simulator, nothing.
pub fn timer_withdrawn(at_ticks: u64) {
    if let Some(h) = installed() {
        (h.timer_withdrawn)(at_ticks)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use core::sync::atomic::AtomicU64;
    use std::sync::Arc;
    use std::task::Wake;

    static IO_WAKES: AtomicU64 = AtomicU64::new(0);
    static WITHDRAWN: AtomicU64 = AtomicU64::new(0);
    static TEST_HOOKS: Hooks = Hooks {
        wake_from_io: |w| {
            IO_WAKES.fetch_add(1, Ordering::Relaxed);
            drop(w);
        },
        timer_withdrawn: |at| WITHDRAWN.store(at, Ordering::Relaxed),
    };

    struct Count(AtomicU64);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    // One test: the hooks are process-wide, and installing them is the thing under test.
    #[test]
    fn calls_are_plain_until_a_simulator_installs_its_hooks() {
        let count = Arc::new(Count(AtomicU64::new(0)));
        wake_from_io(Waker::from(count.clone()));
        timer_withdrawn(7);
        assert_eq!(count.0.load(Ordering::Relaxed), 1, "a plain wake without hooks");
        assert_eq!(WITHDRAWN.load(Ordering::Relaxed), 0);

        install(&TEST_HOOKS);
        wake_from_io(Waker::from(count.clone()));
        timer_withdrawn(7);
        assert_eq!(count.0.load(Ordering::Relaxed), 1, "the hook took the wake");
        assert_eq!(IO_WAKES.load(Ordering::Relaxed), 1);
        assert_eq!(WITHDRAWN.load(Ordering::Relaxed), 7);
    }
}
