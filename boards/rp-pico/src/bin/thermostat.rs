//! `firmware/thermostat` on a Pico: the BME280 (0x76) and the SSD1306 (0x3C) on I2C0 (GP4 SDA,
//! GP5 SCL), the heater relay on GP15, the units key on GP14 and the window contact on GP13
//! (to 3V3, pulled down), the log on UART0 (GP0 TX, GP1 RX) at 115,200 baud — the parts the
//! scenarios' wiring calls I2C0, HEATER, KEY, WINDOW and UART0.
#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_futures::join::join3;
use embassy_rp::bind_interrupts;
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::i2c::{self, I2c};
use embassy_rp::peripherals::{I2C0, UART0};
use embassy_rp::uart::{BufferedInterruptHandler, BufferedUart, Config};
use embassy_sync::mutex::Mutex;
use fwsim_board_rp_pico::SharedI2c;
use panic_halt as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
    I2C0_IRQ => i2c::InterruptHandler<I2C0>;
});

/// The temperature the thermostat holds (°C), as in the scenarios.
const SETPOINT: f32 = 19.5;

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = 400_000;
    static BUS: StaticCell<Mutex<embassy_sync::blocking_mutex::raw::NoopRawMutex, I2c<'static, I2C0, i2c::Async>>> =
        StaticCell::new();
    let bus = BUS.init(Mutex::new(I2c::new_async(p.I2C0, p.PIN_5, p.PIN_4, Irqs, i2c_config)));
    let heater = Output::new(p.PIN_15, Level::Low);
    let key = Input::new(p.PIN_14, Pull::Up);
    let window = Input::new(p.PIN_13, Pull::Down);
    static TX: StaticCell<[u8; 128]> = StaticCell::new();
    static RX: StaticCell<[u8; 16]> = StaticCell::new();
    let mut config = Config::default();
    config.baudrate = 115_200;
    let uart = BufferedUart::new(p.UART0, p.PIN_0, p.PIN_1, Irqs, TX.init([0; 128]), RX.init([0; 16]), config);
    // The tasks share it within this one executor (`Shared` is not `Sync`): a local of main.
    let shared = app_thermostat::Shared::new();
    join3(
        app_thermostat::thermostat(SharedI2c(bus), heater, embassy_time::Delay, uart, SETPOINT, &shared),
        app_thermostat::units_button(key, &shared),
        app_thermostat::window_contact(window, &shared),
    )
    .await;
}
