//! A thermostat on a simulated board, for ten minutes of virtual time: a BME280 on I2C, an
//! SSD1306 OLED on the same bus, a button that switches °C/°F, a heater relay on a GPIO.
//! Prints the OLED at three moments, the relay's switching times, and writes a VCD.
//!
//! ```text
//! cargo run -p fwsim-hw --example thermostat
//! ```
//!
//! The firmware (`thermostat`, `units_button`) is plain `async fn`s over embedded-hal traits
//! and embassy-time, as it would be written for a board; only `main` builds the simulated
//! board and hands out its handles.

use core::cell::Cell;

use bme280_rs::{AsyncBme280, Configuration, Oversampling, SensorMode};
use embassy_time::{Duration, Ticker, Timer};
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::ascii::FONT_6X10;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::text::Text;
use embedded_hal::digital::OutputPin;
use embedded_hal_async::digital::Wait;
use embedded_hal_async::i2c::I2c;
use fwsim::{Delay, Sim, SimTime};
use fwsim_hw::devices::{Bme280, Ssd1306};
use fwsim_hw::{Board, Curve, Drive, Level, Pull, signal::Logic};
use ssd1306::prelude::*;

/// Firmware: reads the temperature every 5 s, switches the heater with 0.5 °C hysteresis
/// around `setpoint`, and shows the reading.
async fn thermostat<B: I2c + Clone, P: OutputPin>(i2c: B, mut heater: P, setpoint: f32, fahrenheit: &Cell<bool>) {
    let mut sensor = AsyncBme280::new(i2c.clone(), Delay);
    sensor.init().await.unwrap();
    let config = Configuration::default()
        .with_temperature_oversampling(Oversampling::Oversample1)
        .with_pressure_oversampling(Oversampling::Oversample1)
        .with_humidity_oversampling(Oversampling::Oversample1)
        .with_sensor_mode(SensorMode::Normal);
    sensor.set_sampling_configuration(config).await.unwrap();
    let interface = I2CInterface::new(i2c, 0x3C, 0x40);
    let mut oled = ssd1306::Ssd1306Async::new(interface, DisplaySize128x64, DisplayRotation::Rotate0)
        .into_buffered_graphics_mode();
    oled.init().await.unwrap();
    let style = MonoTextStyle::new(&FONT_6X10, BinaryColor::On);
    let mut ticker = Ticker::every(Duration::from_secs(5));
    let mut heating = false;
    loop {
        let celsius = sensor.read_temperature().await.unwrap().unwrap_or(f32::NAN);
        if celsius < setpoint - 0.5 && !heating {
            heating = true;
            heater.set_high().unwrap();
        } else if celsius > setpoint + 0.5 && heating {
            heating = false;
            heater.set_low().unwrap();
        }
        let (value, unit) = if fahrenheit.get() { (celsius * 9.0 / 5.0 + 32.0, 'F') } else { (celsius, 'C') };
        let mut line = String::with_capacity(24);
        use core::fmt::Write;
        let _ = write!(line, "{value:5.1} {unit}  {}", if heating { "HEAT" } else { "idle" });
        oled.clear_buffer();
        let _ = Text::new(&line, Point::new(4, 20), style).draw(&mut oled);
        let _ = Text::new("fwsim thermostat", Point::new(4, 50), style).draw(&mut oled);
        oled.flush().await.unwrap();
        ticker.next().await;
    }
}

/// Firmware: each press of the (active-low) button toggles the units.
async fn units_button<P: Wait>(mut button: P, fahrenheit: &Cell<bool>) {
    loop {
        button.wait_for_falling_edge().await.unwrap();
        fahrenheit.set(!fahrenheit.get());
        Timer::after_millis(50).await; // let the contact settle
    }
}

fn main() {
    let fahrenheit = Cell::new(false);
    let sim = Sim::new();
    sim.enter(|| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        // The room cools from 21 °C towards 16 °C over ten minutes; the heater is not modelled.
        let room = Curve::new(&[(SimTime::ZERO, 21.0), (SimTime::from_secs(600), 16.0)]);
        bus.attach(0x76, "bme280", Bme280::new(room, 101_325.0, 40.0));
        let oled = std::rc::Rc::new(std::cell::RefCell::new(Ssd1306::new()));
        bus.attach_shared(0x3C, "ssd1306", oled.clone());
        let heater = board.output("HEATER", Drive::PushPull, Level::Low);
        let key = board.input("KEY", Pull::Up);
        board.button("UNITS", &key, Level::Low).click_at(SimTime::from_secs(200), Duration::from_millis(150));

        sim.spawn("thermostat", thermostat(bus.handle(), heater, 19.5, &fahrenheit));
        sim.spawn("units", units_button(key, &fahrenheit));

        for minute in [1u64, 4, 8] {
            sim.run_until(SimTime::from_secs(minute * 60)).unwrap();
            println!("OLED at {}:", fwsim::now());
            print!("{}", oled.borrow().panel().ascii());
        }
        sim.run_until(SimTime::from_secs(600)).unwrap();

        let signals = board.signals();
        println!(
            "heater on at {:?}, off at {:?}",
            signals.edges_to("HEATER", Logic::High),
            signals.edges_to("HEATER", Logic::Low)
        );
        let vcd = std::env::temp_dir().join("fwsim-thermostat.vcd");
        board.write_vcd(&vcd).unwrap();
        println!("{} signal changes written to {}", signals.changes.len(), vcd.display());
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    });
}
