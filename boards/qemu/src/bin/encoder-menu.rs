//! `firmware/encoder-menu` on the board, with `fake-board`'s fakes and stimuli: the knob is
//! scripted and the LCD's backpack decoded, each redrawn row a mark. Prints its marks, then
//! `end`.
#![no_std]
#![no_main]

use fwsim_board_qemu::{SemihostingMarks, app_end, run};

#[embassy_executor::task]
async fn app() {
    fake_board::apps::encoder_menu(&SemihostingMarks).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run(app_end("encoder-menu"), |spawner| spawner.spawn(app().expect("a task slot")))
}
