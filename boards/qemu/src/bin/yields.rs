//! The `yields` program of `diff-programs` on the board. Prints its marks, then `end`.
#![no_std]
#![no_main]

use fwsim_board_qemu::{SemihostingMarks, run_program};

#[embassy_executor::task(pool_size = 4)]
async fn task(name: &'static str) {
    diff_programs::yields(name, &SemihostingMarks).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run_program("yields", || {}, |spawner, name| spawner.spawn(task(name).expect("a task slot")))
}
