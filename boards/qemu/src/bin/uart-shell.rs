//! `firmware/uart-shell` on the board, with `fake-board`'s fakes and stimuli: its UART output on
//! UART0 (QEMU's `-serial`), its output pin on the FPGA's LED0. Prints its marks, then `end`.
#![no_std]
#![no_main]

use fwsim_board_qemu::{FpgaLed, SemihostingMarks, Uart0Tx, app_end, run};

#[embassy_executor::task]
async fn app() {
    let tx = Uart0Tx::take().expect("UART0, once");
    fake_board::apps::uart_shell(&SemihostingMarks, tx, FpgaLed::new(0)).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run(app_end("uart-shell"), |spawner| spawner.spawn(app().expect("a task slot")))
}
