//! The `interrupt` program, its interrupt tied to the alarm, of `diff-programs` on the board; prints its marks, then `end`.
#![no_std]
#![no_main]

use embassy_executor::Executor;
use embassy_time::{Instant, Timer};
use fwsim_board_qemu::{SemihostingLog, end, start_tied_irq, start_time};
use static_cell::StaticCell;

static IRQ: diff_programs::IrqSignal = diff_programs::IrqSignal::new();

#[embassy_executor::task(pool_size = 2)]
async fn task(name: &'static str) {
    diff_programs::interrupt(name, &SemihostingLog, &IRQ).await
}

#[embassy_executor::task]
async fn finish() {
    Timer::at(Instant::from_millis(diff_programs::END_MS)).await;
    end()
}

#[cortex_m_rt::entry]
fn main() -> ! {
    let core = cortex_m::Peripherals::take().expect("the core peripherals, once");
    start_time(core.SYST);
    start_tied_irq(&IRQ);
    static EXECUTOR: StaticCell<Executor> = StaticCell::new();
    EXECUTOR.init(Executor::new()).run(|spawner| {
        for name in ["waiter", "ticker"] {
            spawner.spawn(task(name).expect("a task slot"));
        }
        spawner.spawn(finish().expect("a task slot"));
    })
}
