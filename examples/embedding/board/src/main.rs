//! The firmware on the board: the LED is the FPGA's LED0, each change printed as a mark
//! (`mark <µs> led on`) before it drives the pin; the run ends at 2.5 s.
#![no_std]
#![no_main]

use fake_board::MarkedPin;
use fwsim_board_qemu::{FpgaLed, SemihostingMarks, run};

#[embassy_executor::task]
async fn blinky() {
    blinky_firmware::blinky(MarkedPin::new("led", &SemihostingMarks, FpgaLed::new(0))).await
}

#[cortex_m_rt::entry]
fn main() -> ! {
    run(2_500_000, |spawner| spawner.spawn(blinky().expect("a task slot")))
}
