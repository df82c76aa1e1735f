//! `firmware/low-power` on a Pico: an HTU21D (0x40) on I2C0 (GP4 SDA, GP5 SCL), the button on
//! GP14 to ground (pulled up, its edge an interrupt), the heartbeat LED on GP25, the log on
//! UART0 (GP0 TX, GP1 RX) at 115,200 baud — the pins the scenarios' wiring calls I2C0, BTN, LED
//! and UART0. Between events embassy's executor sleeps the core (WFE).
#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_rp::bind_interrupts;
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::i2c::{self, I2c};
use embassy_rp::peripherals::{I2C0, UART0};
use embassy_rp::uart::{BufferedInterruptHandler, BufferedUart, Config};
use panic_halt as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
    I2C0_IRQ => i2c::InterruptHandler<I2C0>;
});

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = 400_000;
    let bus = I2c::new_async(p.I2C0, p.PIN_5, p.PIN_4, Irqs, i2c_config);
    let button = Input::new(p.PIN_14, Pull::Up);
    let led = Output::new(p.PIN_25, Level::Low);
    static TX: StaticCell<[u8; 64]> = StaticCell::new();
    static RX: StaticCell<[u8; 16]> = StaticCell::new();
    let mut config = Config::default();
    config.baudrate = 115_200;
    let uart = BufferedUart::new(p.UART0, p.PIN_0, p.PIN_1, Irqs, TX.init([0; 64]), RX.init([0; 16]), config);
    app_low_power::run(bus, button, led, uart).await;
}
