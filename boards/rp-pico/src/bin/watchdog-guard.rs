//! `firmware/watchdog-guard` on a Pico: the modem on UART0 (GP0 TX, GP1 RX) at 115,200 baud,
//! and the RP2040's watchdog, whose reset reason tells the boot why it started.
#![no_std]
#![no_main]

use app_watchdog_guard::{Boot, Heartbeat};
use embassy_executor::Spawner;
use embassy_futures::join::join;
use embassy_rp::bind_interrupts;
use embassy_rp::peripherals::UART0;
use embassy_rp::uart::{BufferedInterruptHandler, BufferedUart, Config};
use embassy_rp::watchdog::Watchdog;
use panic_halt as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
});

/// The RP2040's watchdog behind embedded-hal 0.2's portable watchdog traits, which the
/// firmware takes (embassy-rp has inherent methods only, and its feed takes the period
/// again: kept here from the start).
struct Dog {
    watchdog: Watchdog,
    period: embassy_time::Duration,
}

impl embedded_hal_02::watchdog::WatchdogEnable for Dog {
    type Time = core::time::Duration;

    fn start<T: Into<core::time::Duration>>(&mut self, period: T) {
        let micros = period.into().as_micros().min(u64::MAX as u128) as u64;
        self.period = embassy_time::Duration::from_micros(micros);
        self.watchdog.start(self.period);
    }
}

impl embedded_hal_02::watchdog::Watchdog for Dog {
    fn feed(&mut self) {
        self.watchdog.feed(self.period);
    }
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let dog = Watchdog::new(p.WATCHDOG);
    // Set when the watchdog caused the last reset (it timed out, or was forced).
    let boot = if dog.reset_reason().is_some() { Boot::Watchdog } else { Boot::PowerOn };
    static TX: StaticCell<[u8; 64]> = StaticCell::new();
    static RX: StaticCell<[u8; 64]> = StaticCell::new();
    let mut config = Config::default();
    config.baudrate = 115_200;
    let uart = BufferedUart::new(p.UART0, p.PIN_0, p.PIN_1, Irqs, TX.init([0; 64]), RX.init([0; 64]), config);
    // The two tasks share it within this one executor (`Heartbeat` is not `Sync`): a local.
    let heartbeat = Heartbeat::new();
    join(
        app_watchdog_guard::supervisor(Dog { watchdog: dog, period: embassy_time::Duration::from_secs(1) }, &heartbeat),
        app_watchdog_guard::link(uart, boot, &heartbeat),
    )
    .await;
}
