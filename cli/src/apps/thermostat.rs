//! Host wiring of `firmware/thermostat`: a BME280 and an SSD1306 on I2C0, the units button
//! on KEY (active low, pulled up), the window contact on WINDOW (high = open, pulled down),
//! the heater relay on HEATER, the log on UART0 at 115,200 baud.

use std::cell::RefCell;
use std::rc::Rc;

use fwsim::Sim;
use fwsim_hw::devices::{Bme280, Ssd1306};
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Curve, Drive, Level, Pull};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The thermostat app, setpoint 19.5 °C.
pub struct Thermostat;

/// The setpoint the wiring gives the firmware.
pub const SETPOINT: f32 = 19.5;

impl App for Thermostat {
    fn name(&self) -> &str {
        "thermostat"
    }

    fn about(&self) -> &str {
        "BME280 → relay with hysteresis, SSD1306 readout, units button, UART log (firmware/thermostat)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new(
                "bme280",
                PartKind::Sensor(&["temperature", "humidity", "pressure"]),
                "BME280 at 0x76 on i2c0; 21 °C, 40 %, 101,325 Pa",
            ),
            PartInfo::new("oled", PartKind::Display, "SSD1306 128×64 at 0x3C on i2c0"),
            PartInfo::new("i2c0", PartKind::I2cBus, "the I2C bus, 400 kHz"),
            PartInfo::new("units", PartKind::Button, "°C/°F button on pin KEY, to ground, pulled up"),
            PartInfo::new("heater", PartKind::Pin, "heater relay on pin HEATER, high = heating"),
            PartInfo::new("window", PartKind::Line, "window contact on pin WINDOW, high = open, pulled down"),
            PartInfo::new("uart", PartKind::Serial, "log on UART0, 115,200 baud: `T=21.0C heater=off` every 5 s"),
        ]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let bus = board.i2c_bus("I2C0", 400_000);
        let sensor = bus.attach(0x76, "bme280", Bme280::new(21.0, 101_325.0, 40.0));
        let oled = Rc::new(RefCell::new(Ssd1306::new()));
        bus.attach_shared(app_thermostat::OLED_ADDRESS, "ssd1306", oled.clone());
        let heater = board.output("HEATER", Drive::PushPull, Level::Low);
        let key = board.input("KEY", Pull::Up);
        let units = board.button("UNITS", &key, Level::Low);
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let window = board.input("WINDOW", Pull::Down);
        let contact = board.input("WINDOW.contact", Pull::None);
        board.jumper(&window, &contact);

        let mut parts = Parts::new();
        parts
            .sensor("bme280", move |quantity, curve: Curve| {
                let mut s = sensor.borrow_mut();
                match quantity {
                    "temperature" => s.set_temperature(curve),
                    "humidity" => s.set_humidity(curve),
                    _ => s.set_pressure(curve),
                }
            })
            .display("oled", move || oled.borrow().panel())
            .i2c_bus("i2c0", bus.clone())
            .button("units", units)
            .pin("heater", heater.probe())
            .serial("uart", uart.peer())
            .line("window", contact);
        let board = board.clone();
        parts.boot(move |sim| {
            let shared: &app_thermostat::Shared = sim.alloc(app_thermostat::Shared::new());
            let (heater, uart) = (board.reclaim_pin("HEATER"), board.reclaim_uart("UART0"));
            let firmware = app_thermostat::thermostat(bus.handle(), heater, fwsim::Delay, uart, SETPOINT, shared);
            sim.spawn("thermostat", firmware);
            sim.spawn("units", app_thermostat::units_button(board.reclaim_pin("KEY"), shared));
            sim.spawn("window", app_thermostat::window_contact(board.reclaim_pin("WINDOW"), shared));
        });
        parts
    }
}
