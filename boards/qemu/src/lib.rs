//! The board support of the QEMU `mps2-an385` machine (Cortex-M3) for the programs of
//! `diff-programs` and the apps of `fake-board`: a tickless embassy-time driver at 1 MHz
//! (`time`), an executor loop that sleeps with WFI (`executor`), hardware interrupt sources
//! (`irq`), UART0's transmitter and the FPGA LEDs (`uart`, `led`), marks printed over
//! semihosting, and exit through semihosting.
//!
//! QEMU runs with `-icount shift=0,sleep=off`: every instruction takes one nanosecond of
//! virtual time and a `wfi` jumps to the next timer event, so a run is deterministic and idle
//! time costs nothing.
#![no_std]

mod executor;
mod irq;
mod led;
mod time;
mod uart;

use core::cell::Cell;

use cortex_m::interrupt::InterruptNumber;
use cortex_m_rt::exception;
use cortex_m_semihosting::hprintln;
use critical_section::Mutex;

pub use irq::{start_tied_irq, start_timer0};
pub use led::FpgaLed;
pub use uart::Uart0Tx;

/// An external interrupt by number.
#[derive(Clone, Copy)]
struct Irq(u16);

// SAFETY: only the numbers used here (8: TIMER0, 9: TIMER1, 31: a line no peripheral drives,
// pended by software) are built, all below the AN385's 32 external interrupts.
unsafe impl InterruptNumber for Irq {
    fn number(self) -> u16 {
        self.0
    }
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    match irqn {
        8 => irq::on_timer0(),
        9 => time::on_timer1(),
        n if n == irq::TIED_IRQ as i16 => irq::signal(),
        _ => panic!("unexpected interrupt {irqn}"),
    }
}

/// Prints marks as `mark <µs> <label>`.
pub struct SemihostingMarks;

impl diff_programs::Log for SemihostingMarks {
    fn mark(&self, label: &'static str) {
        fake_board::Marks::mark(self, label)
    }
}

impl fake_board::Marks for SemihostingMarks {
    fn mark(&self, what: &str) {
        hprintln!("mark {} {}", embassy_time::Instant::now().as_micros(), what);
    }
}

#[embassy_executor::task]
async fn finish(at_us: u64) {
    embassy_time::Timer::at(embassy_time::Instant::from_micros(at_us)).await;
    end()
}

/// How long the run's end may be due without the executor getting to it before the firmware
/// is taken for hung. Under `-icount` a task that never returns to the executor keeps time
/// moving but nothing else, and QEMU would run for ever.
pub const OVERDUE_US: u64 = 100_000;

/// When the run ends (µs), for the check of [`stop_if_overdue`].
static END_US: Mutex<Cell<u64>> = Mutex::new(Cell::new(u64::MAX));

/// Stops the run with a failure once its end has been due for [`OVERDUE_US`].
fn stop_if_overdue(now_us: u64) {
    let end_us = critical_section::with(|cs| END_US.borrow(cs).get());
    if now_us >= end_us.saturating_add(OVERDUE_US) {
        hprintln!(
            "hung: the run ends at {} µs, and at {} µs the executor had still not got there: a task \
             that never returns to it (a loop with no await, a long blocking delay)",
            end_us,
            now_us
        );
        exit(cortex_m_semihosting::debug::EXIT_FAILURE)
    }
}

/// Starts the board's time and runs an executor: `start` spawns the firmware's tasks, and the
/// run ends at `end_us`, with `end`. A firmware that keeps the executor from getting there
/// (a task that never returns to it) is stopped with a failure and a `hung: …` line once
/// the end has been due for [`OVERDUE_US`], checked every 600 ms.
pub fn run(end_us: u64, start: impl FnOnce(embassy_executor::Spawner)) -> ! {
    let core = cortex_m::Peripherals::take().expect("the core peripherals, once");
    critical_section::with(|cs| END_US.borrow(cs).set(end_us));
    time::every_period(stop_if_overdue);
    time::start(core.SYST);
    executor::run(|spawner| {
        start(spawner);
        spawner.spawn(finish(end_us).expect("a task slot"));
    })
}

/// Runs `program` of `diff-programs`: calls `start` (to start an interrupt source), spawns
/// the program's tasks in its order with `spawn` (a task of the binary's own, which knows the
/// program's function) and ends the run at [`END_MS`](diff_programs::END_MS).
pub fn run_program(program: &str, start: fn(), spawn: fn(embassy_executor::Spawner, &'static str)) -> ! {
    let tasks = diff_programs::PROGRAMS.iter().find(|p| p.0 == program).expect("a program of diff-programs").1;
    run(diff_programs::END_MS * 1000, |spawner| {
        start();
        for &name in tasks {
            spawn(spawner, name);
        }
    })
}

/// The end (µs) of `app` of [`fake_board::apps::APPS`].
pub fn app_end(app: &str) -> u64 {
    fake_board::apps::APPS.iter().find(|a| a.0 == app).expect("an app of fake-board").1
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
