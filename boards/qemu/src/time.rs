//! An embassy-time driver at 1 MHz, tickless: SysTick counts the core clock freely (the time
//! base) and the CMSDK TIMER1 is a one-shot alarm at the next deadline of embassy's integrated
//! timer queue. A deadline fires within one clock cycle (40 ns) of its microsecond.

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{NVIC, SCB, SYST};
use cortex_m_rt::exception;
use critical_section::{CriticalSection, Mutex};
use embassy_time_queue_utils::Queue;

use crate::Irq;

/// Core clock cycles per microsecond (the machine's 25 MHz).
pub(crate) const CYCLES_PER_US: u64 = 25;
/// SysTick's period in cycles: 600 ms, a whole number of microseconds within its 24 bits.
const PERIOD: u64 = 15_000_000;

/// SysTick periods completed.
static WRAPS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));
/// The last time read, to catch a clock that goes back.
static LAST: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));
static QUEUE: Mutex<RefCell<Queue>> = Mutex::new(RefCell::new(Queue::new()));

/// What the alarm interrupt calls after waking the due timers, with the time in µs.
type AlarmHook = fn(CriticalSection<'_>, u64);

/// Set by `irq` for the tied interrupt.
static ON_ALARM: Mutex<Cell<Option<AlarmHook>>> = Mutex::new(Cell::new(None));

/// What the time base's interrupt calls at the end of each period, with the time in µs.
type PeriodHook = fn(u64);

/// Set by `run`, for its check that the run's end is not overdue.
static ON_PERIOD: Mutex<Cell<Option<PeriodHook>>> = Mutex::new(Cell::new(None));

/// TIMER1 of the AN385 image: a 32-bit down-counter on the 25 MHz peripheral clock, IRQ 9.
mod timer1 {
    const BASE: usize = 0x4000_1000;
    pub const CTRL: *mut u32 = BASE as *mut u32;
    pub const VALUE: *mut u32 = (BASE + 0x04) as *mut u32;
    pub const RELOAD: *mut u32 = (BASE + 0x08) as *mut u32;
    pub const INTCLEAR: *mut u32 = (BASE + 0x0C) as *mut u32;
    pub const START_WITH_INTERRUPT: u32 = 1 | 1 << 3;
    pub const IRQ: u16 = 9;
}

/// Cycles since [`start`].
fn now_cycles(cs: CriticalSection<'_>) -> u64 {
    let wraps = WRAPS.borrow(cs).get();
    let value = SYST::get_current();
    // A wrap whose interrupt waits for this critical section to end: count it here. The
    // counter reads 0 in the last cycle of a period, when the interrupt is already pending.
    let cycles = if SCB::is_pendst_pending() {
        match SYST::get_current() {
            0 => wraps * PERIOD + PERIOD - 1,
            v => (wraps + 1) * PERIOD + (PERIOD - 1 - u64::from(v)),
        }
    } else {
        wraps * PERIOD + (PERIOD - 1 - u64::from(value))
    };
    let last = LAST.borrow(cs).replace(cycles);
    assert!(cycles >= last, "the time base went back from {last} to {cycles} cycles");
    cycles
}

struct TicklessDriver;

impl embassy_time_driver::Driver for TicklessDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| now_cycles(cs) / CYCLES_PER_US)
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            if QUEUE.borrow_ref_mut(cs).schedule_wake(at, waker) {
                rearm(cs);
            }
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: TicklessDriver = TicklessDriver);

/// Wakes what is due and sets the alarm for the next deadline.
fn rearm(cs: CriticalSection<'_>) {
    loop {
        let next = QUEUE.borrow_ref_mut(cs).next_expiration(now_cycles(cs) / CYCLES_PER_US);
        if set_alarm(cs, next) {
            return;
        }
    }
}

/// Sets TIMER1 to interrupt at `at` µs; `false` if that instant has passed already.
fn set_alarm(cs: CriticalSection<'_>, at: u64) -> bool {
    // SAFETY: TIMER1's registers, touched only inside critical sections of this module.
    unsafe { core::ptr::write_volatile(timer1::CTRL, 0) };
    if at == u64::MAX {
        return true;
    }
    let (target, now) = (at.saturating_mul(CYCLES_PER_US), now_cycles(cs));
    if target <= now {
        return false;
    }
    // A deadline beyond the counter's range fires early and is set again.
    let delta = (target - now).min(u64::from(u32::MAX)) as u32;
    // Only VALUE is written: under QEMU (7.2), writing RELOAD as well makes the first expiry
    // come after twice the count.
    // SAFETY: as above; the timer is stopped while it is loaded.
    unsafe {
        core::ptr::write_volatile(timer1::VALUE, delta);
        core::ptr::write_volatile(timer1::CTRL, timer1::START_WITH_INTERRUPT);
    }
    true
}

/// The alarm's interrupt: wakes the due timers, then tells `irq` (the tied interrupt).
pub(crate) fn on_timer1() {
    critical_section::with(|cs| {
        // SAFETY: TIMER1's interrupt-clear and control registers, from its own interrupt.
        unsafe {
            core::ptr::write_volatile(timer1::INTCLEAR, 1);
            core::ptr::write_volatile(timer1::CTRL, 0);
        }
        rearm(cs);
        if let Some(then) = ON_ALARM.borrow(cs).get() {
            then(cs, now_cycles(cs) / CYCLES_PER_US);
        }
    });
}

/// Calls `then` with the time (µs) after each alarm interrupt has woken its timers.
pub(crate) fn on_alarm(then: AlarmHook) {
    critical_section::with(|cs| ON_ALARM.borrow(cs).set(Some(then)));
}

/// Calls `then` with the time (µs) every period of the time base (600 ms), from its interrupt:
/// a check that runs whatever thread mode is doing.
pub(crate) fn every_period(then: PeriodHook) {
    critical_section::with(|cs| ON_PERIOD.borrow(cs).set(Some(then)));
}

#[exception]
fn SysTick() {
    let hook = critical_section::with(|cs| {
        let wraps = WRAPS.borrow(cs);
        wraps.set(wraps.get() + 1);
        // The period that just ended ends now. (Not `now_cycles`: inside this handler QEMU
        // may still show the wrap as pending, and the wrap would be counted twice.)
        ON_PERIOD.borrow(cs).get().map(|then| (then, wraps.get() * PERIOD / CYCLES_PER_US))
    });
    if let Some((then, now_us)) = hook {
        then(now_us);
    }
}

/// Starts the time base and enables the alarm interrupt.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(PERIOD as u32 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
    // SAFETY: TIMER1 is this driver's alarm, stopped here; its handler (IRQ 9) only touches
    // the queue. A reload of the whole range keeps an alarm the handler has not stopped yet
    // from firing again soon.
    unsafe {
        core::ptr::write_volatile(timer1::CTRL, 0);
        core::ptr::write_volatile(timer1::RELOAD, u32::MAX);
        NVIC::unmask(Irq(timer1::IRQ));
    }
}
