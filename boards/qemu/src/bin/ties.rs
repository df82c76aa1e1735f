//! The `ties` program of `diff-programs` on the board. Prints its marks, then `end`.
#![no_std]
#![no_main]

use fwsim_board_qemu::{SemihostingMarks, run_program};

#[embassy_executor::task(pool_size = 3)]
async fn task(name: &'static str) {
    diff_programs::ties(name, &SemihostingMarks).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run_program("ties", || {}, |spawner, name| spawner.spawn(task(name).expect("a task slot")))
}
