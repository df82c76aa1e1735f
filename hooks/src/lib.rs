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

use core::cell::Cell;
use core::task::Waker;

use critical_section::Mutex;

/// What a simulator implements.
pub struct Hooks {
    /// Wakes as an I/O-readiness event (see [`wake_from_io`]).
    pub wake_from_io: fn(Waker),
    /// The running task no longer awaits its timer at this instant, in embassy-time ticks
    /// (see [`timer_withdrawn`]).
    pub timer_withdrawn: fn(u64),
}

static HOOKS: Mutex<Cell<Option<&'static Hooks>>> = Mutex::new(Cell::new(None));

/// Installs a simulator's hooks (idempotent; the latest call wins).
pub fn install(hooks: &'static Hooks) {
    critical_section::with(|cs| HOOKS.borrow(cs).set(Some(hooks)));
}

fn installed() -> Option<&'static Hooks> {
    critical_section::with(|cs| HOOKS.borrow(cs).get())
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
