//! `firmware/ir-remote` on a Pico: the IR receiver module's output on GP16 (active low, pulled
//! up), the LEDs on GP25 (the Pico's own), GP17 and GP18, the log on UART0 (GP0 TX, GP1 RX) at
//! 115,200 baud — the pins the scenarios' wiring calls IR, LED1–LED3 and UART0.
#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_rp::bind_interrupts;
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::peripherals::UART0;
use embassy_rp::uart::{BufferedInterruptHandler, BufferedUart, Config};
use panic_halt as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
});

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let ir = Input::new(p.PIN_16, Pull::Up);
    let leds =
        [Output::new(p.PIN_25, Level::Low), Output::new(p.PIN_17, Level::Low), Output::new(p.PIN_18, Level::Low)];
    static TX: StaticCell<[u8; 64]> = StaticCell::new();
    static RX: StaticCell<[u8; 16]> = StaticCell::new();
    let mut config = Config::default();
    config.baudrate = 115_200;
    let uart = BufferedUart::new(p.UART0, p.PIN_0, p.PIN_1, Irqs, TX.init([0; 64]), RX.init([0; 16]), config);
    app_ir_remote::run(ir, leds, uart).await;
}
