//! `firmware/encoder-menu` on a Pico: the knob's contacts on GP10 and GP11 and its push
//! button on GP12 (all to ground, pulled up), a 16×2 HD44780 behind a PCF8574 backpack at 0x27
//! on I2C0 (GP4 SDA, GP5 SCL, 100 kHz) — the parts the scenarios' wiring calls KNOB_A, KNOB_B,
//! KNOB_SW and I2C0.
#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_rp::bind_interrupts;
use embassy_rp::gpio::{Input, Pull};
use embassy_rp::i2c::{self, I2c};
use embassy_rp::peripherals::I2C0;
use panic_halt as _;

bind_interrupts!(struct Irqs {
    I2C0_IRQ => i2c::InterruptHandler<I2C0>;
});

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = 100_000;
    let bus = I2c::new_async(p.I2C0, p.PIN_5, p.PIN_4, Irqs, i2c_config);
    let a = Input::new(p.PIN_10, Pull::Up);
    let b = Input::new(p.PIN_11, Pull::Up);
    let sw = Input::new(p.PIN_12, Pull::Up);
    app_encoder_menu::run(a, b, sw, bus, embassy_time::Delay).await;
}
