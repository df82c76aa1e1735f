//! A firmware that never returns to the executor: one task marks `spinning` and loops with no
//! `await`. The run's end (100 ms) can never come, and the board must stop it as hung rather
//! than run for ever (`conformance/tests/qemu_board.rs`).
#![no_std]
#![no_main]

use core::sync::atomic::{Ordering, compiler_fence};

use fake_board::Marks;
use fwsim_board_qemu::{SemihostingMarks, run};

#[embassy_executor::task]
async fn spin() {
    SemihostingMarks.mark("spinning");
    loop {
        compiler_fence(Ordering::SeqCst);
    }
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run(100_000, |spawner| spawner.spawn(spin().expect("a task slot")))
}
