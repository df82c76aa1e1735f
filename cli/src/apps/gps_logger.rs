//! Host wiring of `firmware/gps-logger`: an MTK GPS receiver (the fwsim-hw model, standing in
//! London, 11 m up, a fix from 3 s) on UART1 at 9,600 baud, a 16×2 HD44780 on six pins (RS,
//! E, D4–D7), the log on UART0 at 115,200 baud. The receiver's clock reads 2023-11-14
//! 22:13:20 UTC at time zero.

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use fwsim::{Sim, SimTime};
use fwsim_drivers::{Lcd, LcdPins};
use fwsim_hw::devices::{Gps, Hd44780, Track};
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// UTC at time zero, seconds since 1970.
const UTC_AT_ZERO: u64 = 1_700_000_000;
/// The LCD's pins, in the HD44780's order: register select, enable, data 4 to 7.
const LCD_PINS: [&str; 6] = ["RS", "E", "D4", "D5", "D6", "D7"];

/// The GPS logger app.
pub struct GpsLogger;

impl App for GpsLogger {
    fn name(&self) -> &str {
        "gps-logger"
    }

    fn about(&self) -> &str {
        "GPS logger: an MTK receiver set up over its UART, the fix on an LCD, a line per fix in local time (firmware/gps-logger)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new("log", PartKind::Serial, "the log on UART0, 115,200 baud"),
            PartInfo::new("lcd", PartKind::TextDisplay, "HD44780 16x2 on pins RS, E, D4-D7"),
        ]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let gps = board.uart("UART1", UartConfig::new(9600));
        Gps::start(gps.peer(), Track::fixed(51.5, -0.12, 11.0), UTC_AT_ZERO, SimTime::from_secs(3));
        let log = board.uart("UART0", UartConfig::new(115_200));
        let [rs, e, d4, d5, d6, d7] = LCD_PINS.map(|name| board.output(name, Drive::PushPull, Level::Low));
        let glass = Hd44780::gpio("lcd", (16, 2), &rs, None, &e, &[&d4, &d5, &d6, &d7]);
        let mut parts = Parts::new();
        parts.serial("log", log.peer()).text_display("lcd", move || glass.text());
        let board = board.clone();
        parts.boot(move |sim| {
            let [rs, e, d4, d5, d6, d7] = LCD_PINS.map(|name| board.reclaim_pin(name));
            let lcd = &*sim.alloc(Lcd::<CriticalSectionRawMutex, 16, 2>::new());
            sim.spawn("display", lcd.run(LcdPins { rs, e, d4, d5, d6, d7 }));
            let (rx, tx) = board.reclaim_uart("UART1").split();
            sim.spawn("logger", app_gps_logger::run(rx, tx, board.reclaim_uart("UART0"), lcd));
        });
        parts
    }
}
