//! The firmware on a Pico: the LED is GP25, the Pico's own.
#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_rp::gpio::{Level, Output};
use panic_halt as _;

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    blinky_firmware::blinky(Output::new(p.PIN_25, Level::Low)).await
}
