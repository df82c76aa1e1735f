//! `firmware/uart-shell` on a Pico: the shell on UART0 (GP0 TX, GP1 RX) at 115,200 baud, the
//! LED it switches on GP25 (the Pico's own) — the pins the scenarios' wiring calls UART0 and
//! LED.
#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_rp::bind_interrupts;
use embassy_rp::gpio::{Level, Output};
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
    let led = Output::new(p.PIN_25, Level::Low);
    static TX: StaticCell<[u8; 128]> = StaticCell::new();
    static RX: StaticCell<[u8; 128]> = StaticCell::new();
    let mut config = Config::default();
    config.baudrate = 115_200;
    let uart = BufferedUart::new(p.UART0, p.PIN_0, p.PIN_1, Irqs, TX.init([0; 128]), RX.init([0; 128]), config);
    app_uart_shell::run(uart, led).await;
}
