//! fwsim's `critical-section` implementation.
//!
//! A binary has exactly one `critical-section` implementation, like one embassy-time driver.
//! Linking fwsim provides it: **do not enable `critical-section/std` beside fwsim**.
//!
//! It is a process-wide lock (so `CriticalSectionRawMutex` statics stay sound across the
//! threads of parallel tests) plus a per-thread nesting depth. A thread that waits for the
//! lock because another thread's simulation holds it tells its own simulation's watchdog, so
//! that the wait never counts as a hung poll: one test's long critical section cannot change
//! another test's verdict. The depth is what the
//! simulator needs: an interrupt raised while a critical section is held is deferred and
//! runs when the outermost section ends, as on a Cortex-M with interrupts masked.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static LOCKED: AtomicBool = AtomicBool::new(false);
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// How many threads are waiting for the critical section right now (a diagnostic aid: each
/// waits because another thread holds it).
pub fn waiting() -> usize {
    WAITING.load(Ordering::Acquire)
}

/// Takes the lock that another thread holds, with this thread's simulation (if any) told that
/// its current poll is waiting, not hung.
#[cold]
#[inline(never)]
fn wait_for_lock() {
    let inbox = crate::context::with_current(|s| s.map(|s| s.inbox.clone()));
    let waits = inbox.as_ref().map(|i| &i.watch.lock_waits);
    waits.inspect(|w| _ = w.fetch_add(1, Ordering::AcqRel)); // odd: waiting
    WAITING.fetch_add(1, Ordering::AcqRel);
    while LOCKED.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        std::thread::yield_now();
    }
    WAITING.fetch_sub(1, Ordering::AcqRel);
    waits.inspect(|w| _ = w.fetch_add(1, Ordering::AcqRel)); // even: running again
}

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    static PENDING: Cell<bool> = const { Cell::new(false) };
}

/// How deeply nested in critical sections this thread is.
pub fn depth() -> u32 {
    DEPTH.with(Cell::get)
}

pub(crate) fn note_pending() {
    PENDING.with(|p| p.set(true));
}

struct SimCriticalSection;
critical_section::set_impl!(SimCriticalSection);

// SAFETY: one process-wide lock, taken on a thread's outermost `acquire` and released on its
// matching outermost `release`; nested sections only count depth. So at most one thread is
// inside a critical section at a time, which is what `critical_section::Impl` promises.
unsafe impl critical_section::Impl for SimCriticalSection {
    unsafe fn acquire() -> critical_section::RawRestoreState {
        let d = DEPTH.with(Cell::get);
        if d == 0 && LOCKED.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            wait_for_lock();
        }
        DEPTH.with(|c| c.set(d + 1));
        #[allow(clippy::unit_arg, clippy::let_unit_value)]
        let state = Default::default();
        state
    }

    unsafe fn release(_state: critical_section::RawRestoreState) {
        let d = DEPTH.with(Cell::get) - 1;
        DEPTH.with(|c| c.set(d));
        if d == 0 {
            LOCKED.store(false, Ordering::Release);
            if PENDING.with(|p| p.replace(false)) {
                crate::context::with_current(|s| {
                    if let Some(s) = s {
                        s.run_pending_irqs();
                    }
                });
            }
        }
    }
}
