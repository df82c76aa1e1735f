//! The `interrupt_tie` program: `interrupt`, its interrupt pended in the alarm's very instant. Prints its marks, then `end`.
#![no_std]
#![no_main]

use fwsim_board_qemu::{SemihostingMarks, run_program, start_tied_irq};

static IRQ: diff_programs::IrqSignal = diff_programs::IrqSignal::new();

#[embassy_executor::task(pool_size = 2)]
async fn task(name: &'static str) {
    diff_programs::interrupt(name, &SemihostingMarks, &IRQ).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run_program(
        "interrupt_tie",
        || start_tied_irq(&IRQ),
        |spawner, name| spawner.spawn(task(name).expect("a task slot")),
    )
}
