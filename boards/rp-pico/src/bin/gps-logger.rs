//! `firmware/gps-logger` on a Pico: the MTK GPS receiver on UART1 (GP8 TX to its RX, GP9 RX
//! from its TX) at 9,600 baud, a 16×2 HD44780 on GP16 (RS), GP17 (E) and GP18–GP21 (D4–D7),
//! the log on UART0 (GP0 TX, GP1 RX) at 115,200 baud — the parts the scenarios' wiring calls
//! UART1, RS, E, D4–D7 and UART0.
#![no_std]
#![no_main]

use embassy_executor::Spawner;
use embassy_futures::join::join;
use embassy_rp::Peri;
use embassy_rp::bind_interrupts;
use embassy_rp::gpio::{AnyPin, Level, Output};
use embassy_rp::peripherals::{UART0, UART1};
use embassy_rp::uart::{BufferedInterruptHandler, BufferedUart, Config};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use fwsim_drivers::{Lcd, LcdPins};
use panic_halt as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
    UART1_IRQ => BufferedInterruptHandler<UART1>;
});

/// The display's row buffer, written by the logger, sent to the glass by its own task.
static LCD: Lcd<CriticalSectionRawMutex, 16, 2> = Lcd::new();

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let out = |pin: Peri<'static, AnyPin>| Output::new(pin, Level::Low);
    let pins = LcdPins {
        rs: out(p.PIN_16.into()),
        e: out(p.PIN_17.into()),
        d4: out(p.PIN_18.into()),
        d5: out(p.PIN_19.into()),
        d6: out(p.PIN_20.into()),
        d7: out(p.PIN_21.into()),
    };
    static GPS_TX: StaticCell<[u8; 64]> = StaticCell::new();
    static GPS_RX: StaticCell<[u8; 256]> = StaticCell::new();
    let mut gps_config = Config::default();
    gps_config.baudrate = 9600;
    let gps =
        BufferedUart::new(p.UART1, p.PIN_8, p.PIN_9, Irqs, GPS_TX.init([0; 64]), GPS_RX.init([0; 256]), gps_config);
    let (gps_tx, gps_rx) = gps.split();
    static TX: StaticCell<[u8; 128]> = StaticCell::new();
    static RX: StaticCell<[u8; 16]> = StaticCell::new();
    let mut config = Config::default();
    config.baudrate = 115_200;
    let log = BufferedUart::new(p.UART0, p.PIN_0, p.PIN_1, Irqs, TX.init([0; 128]), RX.init([0; 16]), config);
    join(LCD.run(pins), app_gps_logger::run(gps_rx, gps_tx, log, &LCD)).await;
}
