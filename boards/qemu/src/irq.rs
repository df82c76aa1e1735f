//! The interrupt sources of `diff-programs`' `interrupt` programs: the CMSDK TIMER0 (IRQ 8),
//! and a line pended from the alarm interrupt itself (IRQ 31, which no peripheral drives).

use core::cell::Cell;

use cortex_m::peripheral::NVIC;
use critical_section::{CriticalSection, Mutex};
use diff_programs::{IRQ_COUNT, IRQ_PERIOD_MS, IrqSignal};

use crate::Irq;
use crate::time::{self, CYCLES_PER_US};

/// TIMER0 of the AN385 image: a 32-bit down-counter on the 25 MHz peripheral clock, IRQ 8.
mod timer0 {
    const BASE: usize = 0x4000_0000;
    pub const CTRL: *mut u32 = BASE as *mut u32;
    pub const VALUE: *mut u32 = (BASE + 0x04) as *mut u32;
    pub const RELOAD: *mut u32 = (BASE + 0x08) as *mut u32;
    pub const INTCLEAR: *mut u32 = (BASE + 0x0C) as *mut u32;
    pub const START_WITH_INTERRUPT: u32 = 1 | 1 << 3;
}

/// The software line of [`start_tied_irq`].
pub(crate) const TIED_IRQ: u16 = 31;

static SIGNAL: Mutex<Cell<Option<&'static IrqSignal>>> = Mutex::new(Cell::new(None));
static FIRED: Mutex<Cell<u32>> = Mutex::new(Cell::new(0));
/// When the tied line is next due (µs), and how many times it was pended.
static TIED_NEXT: Mutex<Cell<u64>> = Mutex::new(Cell::new(IRQ_PERIOD_MS * 1000));
static TIED_PENDED: Mutex<Cell<u32>> = Mutex::new(Cell::new(0));

/// Starts TIMER0, its interrupt signalling `signal` [`IRQ_COUNT`] times, every
/// [`IRQ_PERIOD_MS`] with the first 1 µs late: each comes 1 µs after the timer alarm of the
/// same millisecond, so the task the alarm woke runs first (the fwsim side schedules it so).
pub fn start_timer0(signal: &'static IrqSignal) {
    critical_section::with(|cs| SIGNAL.borrow(cs).set(Some(signal)));
    let period = IRQ_PERIOD_MS * 1000 * CYCLES_PER_US;
    // SAFETY: TIMER0's registers, written only here before its interrupt is enabled.
    unsafe {
        core::ptr::write_volatile(timer0::RELOAD, (period - 1) as u32);
        core::ptr::write_volatile(timer0::VALUE, (period + CYCLES_PER_US - 1) as u32);
        core::ptr::write_volatile(timer0::CTRL, timer0::START_WITH_INTERRUPT);
        NVIC::unmask(Irq(8));
    }
}

/// Pends [`TIED_IRQ`] from the alarm interrupt of every [`IRQ_PERIOD_MS`]-th millisecond
/// ([`IRQ_COUNT`] times), its handler signalling `signal`: an interrupt due in the very
/// instant of that timer alarm, taken before thread mode resumes.
pub fn start_tied_irq(signal: &'static IrqSignal) {
    critical_section::with(|cs| SIGNAL.borrow(cs).set(Some(signal)));
    time::on_alarm(pend_if_due);
    // SAFETY: the tied line's handler only signals; no peripheral raises it.
    unsafe { NVIC::unmask(Irq(TIED_IRQ)) };
}

fn pend_if_due(cs: CriticalSection<'_>, now_us: u64) {
    let (next, pended) = (TIED_NEXT.borrow(cs), TIED_PENDED.borrow(cs));
    if now_us >= next.get() && pended.get() < IRQ_COUNT {
        next.set(next.get() + IRQ_PERIOD_MS * 1000);
        pended.set(pended.get() + 1);
        NVIC::pend(Irq(TIED_IRQ));
    }
}

/// TIMER0's interrupt: stops the timer after [`IRQ_COUNT`], then signals.
pub(crate) fn on_timer0() {
    // SAFETY: TIMER0's interrupt-clear register, written from its own handler.
    unsafe { core::ptr::write_volatile(timer0::INTCLEAR, 1) };
    critical_section::with(|cs| {
        if FIRED.borrow(cs).get() + 1 >= IRQ_COUNT {
            // SAFETY: stopping TIMER0 from its own interrupt.
            unsafe { core::ptr::write_volatile(timer0::CTRL, 0) };
        }
    });
    signal();
}

/// Signals the program's task (TIMER0's or the tied line's interrupt).
pub(crate) fn signal() {
    let signal = critical_section::with(|cs| {
        let fired = FIRED.borrow(cs);
        fired.set(fired.get() + 1);
        SIGNAL.borrow(cs).get()
    });
    if let Some(signal) = signal {
        signal.signal(());
    }
}
