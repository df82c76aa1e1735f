//! A thread-mode executor loop that sleeps with WFI.
//!
//! embassy-executor's own Cortex-M loop sleeps with WFE, and QEMU implements WFE as a mere
//! hint that returns at once: the core would spin, and under `-icount` spinning is what
//! advances time — a billion instructions per virtual second. WFI halts QEMU's core until an
//! interrupt, so with `sleep=off` an idle board jumps straight to its next timer event.

use core::sync::atomic::{AtomicBool, Ordering};

use embassy_executor::Spawner;
use embassy_executor::raw::Executor;

/// Set when a task is woken; cleared before each poll.
static PENDED: AtomicBool = AtomicBool::new(false);

#[unsafe(export_name = "__pender")]
fn pender(_context: *mut ()) {
    PENDED.store(true, Ordering::Relaxed);
}

/// Runs the executor for ever; `init` spawns the first tasks.
pub fn run(init: impl FnOnce(Spawner)) -> ! {
    static EXECUTOR: static_cell::StaticCell<Executor> = static_cell::StaticCell::new();
    let executor = EXECUTOR.init(Executor::new(core::ptr::null_mut()));
    init(executor.spawner());
    loop {
        // SAFETY: `poll` is called from this loop only, in thread mode, never re-entered.
        unsafe { executor.poll() };
        // With interrupts masked, a wake cannot slip in between the check and the sleep: an
        // interrupt that arrives meanwhile stays pending and ends the WFI at once.
        cortex_m::interrupt::disable();
        if !PENDED.swap(false, Ordering::Relaxed) {
            cortex_m::asm::wfi();
        }
        // SAFETY: re-enables what the line above masked; no critical section is open here.
        unsafe { cortex_m::interrupt::enable() };
    }
}
