//! The board support of the QEMU `mps2-an385` machine for `diff-programs`: an embassy-time
//! driver on SysTick (1 ms ticks), the CMSDK TIMER0 interrupt, marks printed over
//! semihosting, and exit through semihosting.
//!
//! QEMU runs with `-icount shift=0,sleep=off`: every instruction takes one nanosecond of
//! virtual time and a `wfe`/`wfi` jumps to the next timer event, so a run is deterministic and
//! idle time costs nothing.
#![no_std]

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{NVIC, SYST};
use cortex_m_rt::exception;
use cortex_m_semihosting::hprintln;
use critical_section::Mutex;
use diff_programs::{IRQ_COUNT, IRQ_PERIOD_MS, IrqSignal, Log};
use embassy_time_queue_utils::Queue;

/// The machine's core and peripheral clock.
const CLOCK_HZ: u32 = 25_000_000;

static TICKS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));
static QUEUE: Mutex<RefCell<Queue>> = Mutex::new(RefCell::new(Queue::new()));

struct SysTickDriver;

impl embassy_time_driver::Driver for SysTickDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| TICKS.borrow(cs).get())
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            let now = TICKS.borrow(cs).get();
            let mut queue = QUEUE.borrow_ref_mut(cs);
            // A deadline already reached fires at once, as embassy's own drivers do.
            if queue.schedule_wake(at, waker) && at <= now {
                queue.next_expiration(now);
            }
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver);

/// With [`start_tied_irq`]: SysTick pends IRQ 9 every [`IRQ_PERIOD_MS`], [`IRQ_COUNT`] times.
static TIED: Mutex<Cell<bool>> = Mutex::new(Cell::new(false));

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let ticks = TICKS.borrow(cs).get() + 1;
        TICKS.borrow(cs).set(ticks);
        QUEUE.borrow_ref_mut(cs).next_expiration(ticks);
        if TIED.borrow(cs).get() && ticks.is_multiple_of(IRQ_PERIOD_MS) && ticks <= IRQ_PERIOD_MS * u64::from(IRQ_COUNT)
        {
            // Pended here, it is taken as this handler returns, before thread mode runs: an
            // interrupt in the very instant of the alarm.
            NVIC::pend(Irq(9));
        }
    });
}

/// Starts the 1 ms SysTick.
pub fn start_time(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CLOCK_HZ / 1000 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// The CMSDK APB TIMER0 of the AN385 image: a 32-bit down-counter on the 25 MHz peripheral
/// clock, IRQ 8.
mod timer0 {
    const BASE: usize = 0x4000_0000;
    pub const CTRL: *mut u32 = BASE as *mut u32;
    pub const RELOAD: *mut u32 = (BASE + 0x08) as *mut u32;
    pub const VALUE: *mut u32 = (BASE + 0x04) as *mut u32;
    pub const INTCLEAR: *mut u32 = (BASE + 0x0C) as *mut u32;
    pub const ENABLE: u32 = 1;
    pub const INTERRUPT_ENABLE: u32 = 1 << 3;
}

/// An external interrupt by number.
#[derive(Clone, Copy)]
struct Irq(u16);

// SAFETY: only the numbers used here (8: TIMER0; 9: a line no peripheral of this program
// drives, pended by software) are built, both below the AN385's 32 external interrupts.
unsafe impl InterruptNumber for Irq {
    fn number(self) -> u16 {
        self.0
    }
}

static IRQ_SIGNAL: Mutex<Cell<Option<&'static IrqSignal>>> = Mutex::new(Cell::new(None));
static IRQ_FIRED: Mutex<Cell<u32>> = Mutex::new(Cell::new(0));

/// Starts TIMER0 with a period of [`IRQ_PERIOD_MS`], its interrupt signalling `signal`
/// [`IRQ_COUNT`] times. Call it right after [`start_time`]: its interrupts then come a few
/// cycles after the SysTick of the same millisecond, as fwsim orders the timer alarm first.
pub fn start_timer0(signal: &'static IrqSignal) {
    critical_section::with(|cs| IRQ_SIGNAL.borrow(cs).set(Some(signal)));
    let period = CLOCK_HZ / 1000 * IRQ_PERIOD_MS as u32;
    // SAFETY: TIMER0's registers, written only here before its interrupt is enabled.
    unsafe {
        load_timer0(period);
        core::ptr::write_volatile(timer0::CTRL, timer0::ENABLE | timer0::INTERRUPT_ENABLE);
        NVIC::unmask(Irq(8));
    }
}

/// Raises IRQ 9 from the SysTick handler of every [`IRQ_PERIOD_MS`]-th millisecond
/// ([`IRQ_COUNT`] times), its handler signalling `signal`: an interrupt due in the same instant
/// as the timer alarm of that millisecond.
pub fn start_tied_irq(signal: &'static IrqSignal) {
    critical_section::with(|cs| {
        IRQ_SIGNAL.borrow(cs).set(Some(signal));
        TIED.borrow(cs).set(true);
    });
    // SAFETY: IRQ 9's handler only signals; no peripheral raises it.
    unsafe { NVIC::unmask(Irq(9)) };
}

/// Loads TIMER0's reload and current value.
///
/// # Safety
/// Only while TIMER0 is stopped or from its own interrupt.
unsafe fn load_timer0(period: u32) {
    // SAFETY: the caller owns TIMER0; the addresses are its registers.
    unsafe {
        core::ptr::write_volatile(timer0::RELOAD, period - 1);
        core::ptr::write_volatile(timer0::VALUE, period - 1);
    }
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    match irqn {
        // SAFETY: TIMER0's interrupt-clear register, written from its own handler.
        8 => unsafe { core::ptr::write_volatile(timer0::INTCLEAR, 1) },
        9 => {}
        _ => panic!("unexpected interrupt {irqn}"),
    }
    let signal = critical_section::with(|cs| {
        let fired = IRQ_FIRED.borrow(cs).get() + 1;
        IRQ_FIRED.borrow(cs).set(fired);
        if irqn == 8 && fired >= IRQ_COUNT {
            // SAFETY: stopping TIMER0 from its own interrupt.
            unsafe { core::ptr::write_volatile(timer0::CTRL, 0) };
        }
        IRQ_SIGNAL.borrow(cs).get()
    });
    if let Some(signal) = signal {
        signal.signal(());
    }
}

/// Prints marks as `mark <ms> <label>`.
pub struct SemihostingLog;

impl Log for SemihostingLog {
    fn mark(&self, label: &'static str) {
        hprintln!("mark {} {}", embassy_time::Instant::now().as_millis(), label);
    }
}

#[embassy_executor::task]
async fn finish() {
    embassy_time::Timer::at(embassy_time::Instant::from_millis(diff_programs::END_MS)).await;
    end()
}

/// Runs `program` of `diff-programs`: starts the board's time, calls `start` (to start an
/// interrupt source), then spawns the program's tasks in its order with `spawn` (a task of the
/// binary's own, which knows the program's function) and ends the run at
/// [`END_MS`](diff_programs::END_MS).
pub fn run(program: &str, start: fn(), spawn: fn(embassy_executor::Spawner, &'static str)) -> ! {
    let tasks = diff_programs::PROGRAMS.iter().find(|p| p.0 == program).expect("a program of diff-programs").1;
    let core = cortex_m::Peripherals::take().expect("the core peripherals, once");
    start_time(core.SYST);
    start();
    static EXECUTOR: static_cell::StaticCell<embassy_executor::Executor> = static_cell::StaticCell::new();
    EXECUTOR.init(embassy_executor::Executor::new()).run(|spawner| {
        for &name in tasks {
            spawn(spawner, name);
        }
        spawner.spawn(finish().expect("a task slot"));
    })
}

/// Prints `end` and leaves QEMU with exit status 0.
pub fn end() -> ! {
    hprintln!("end");
    exit(cortex_m_semihosting::debug::EXIT_SUCCESS)
}

/// Leaves QEMU with `status` (semihosting); on a debugger without semihosting, sleeps.
fn exit(status: cortex_m_semihosting::debug::ExitStatus) -> ! {
    cortex_m_semihosting::debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}

#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    hprintln!("hard fault: {:?}", frame);
    exit(cortex_m_semihosting::debug::EXIT_FAILURE)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    exit(cortex_m_semihosting::debug::EXIT_FAILURE)
}
