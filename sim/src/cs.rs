//! fwsim's `critical-section` implementation.
//!
//! A binary has exactly one `critical-section` implementation, like one embassy-time driver.
//! Linking fwsim provides it: **do not enable `critical-section/std` beside fwsim**.
//!
//! It is a process-wide lock (so `CriticalSectionRawMutex` statics stay sound across the
//! threads of parallel tests) plus a per-thread nesting depth. The depth is what the
//! simulator needs: an interrupt raised while a critical section is held is deferred and
//! runs when the outermost section ends, as on a Cortex-M with interrupts masked.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

static LOCKED: AtomicBool = AtomicBool::new(false);

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

unsafe impl critical_section::Impl for SimCriticalSection {
    unsafe fn acquire() -> critical_section::RawRestoreState {
        let d = DEPTH.with(Cell::get);
        if d == 0 {
            while LOCKED.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
                std::thread::yield_now();
            }
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
