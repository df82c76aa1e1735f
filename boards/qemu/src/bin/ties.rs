//! The `ties` program of `diff-programs` on the board. Prints its marks, then `end`.
#![no_std]
#![no_main]

use fwsim_board_qemu::{SemihostingLog, run};

#[embassy_executor::task(pool_size = 3)]
async fn task(name: &'static str) {
    diff_programs::ties(name, &SemihostingLog).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run("ties", || {}, |spawner, name| spawner.spawn(task(name).expect("a task slot")))
}
