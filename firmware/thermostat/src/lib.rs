//! # A thermostat
//!
//! A BME280 on I2C measures the room every [`PERIOD`]; below the setpoint minus
//! [`HYSTERESIS`] the heater relay closes, above the setpoint plus it the relay opens. An
//! SSD1306 OLED on the same bus shows the reading and the heater state, a button toggles
//! °C/°F, and every reading is logged over a UART as `T=21.0C heater=off`. A window contact
//! (high = open) switches the heater off at once, by interrupt, while the window is open:
//! `window open` / `window closed` in the log, `window=open` after the readings meanwhile.
//!
//! A failed sensor read (a bus fault, a sensor that stopped answering) opens the relay — a
//! heater must not stay on blind — shows `sensor error` and logs `E sensor`; the next period
//! initialises the sensor and the display again, as after a brown-out, and reads again.
//!
//! Plain `async fn`s over embedded-hal(-async), embedded-io-async and embassy-time, with no
//! allocator: the simulator runs them on a virtual board, a board crate runs them under
//! embassy-executor.

#![no_std]
#![warn(missing_docs)]

use core::cell::Cell;
use core::fmt::Write as _;

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embedded_hal::digital::InputPin;

use bme280_rs::{AsyncBme280, Configuration, Oversampling, SensorMode};
use embassy_time::{Duration, Ticker, Timer};
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::ascii::FONT_6X10;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::text::Text;
use embedded_hal::digital::OutputPin;
use embedded_hal_async::delay::DelayNs;
use embedded_hal_async::digital::Wait;
use embedded_hal_async::i2c::I2c;
use embedded_io_async::Write;
use ssd1306::prelude::*;

/// How often the room is measured.
pub const PERIOD: Duration = Duration::from_secs(5);
/// Half the width of the dead band around the setpoint, in °C.
pub const HYSTERESIS: f32 = 0.5;
/// The OLED's I2C address.
pub const OLED_ADDRESS: u8 = 0x3C;

/// What the heater should do for a reading, given whether it heats now.
pub fn decide(celsius: f32, setpoint: f32, heating: bool) -> bool {
    if celsius < setpoint - HYSTERESIS {
        true
    } else if celsius > setpoint + HYSTERESIS {
        false
    } else {
        heating
    }
}

/// What the tasks share: the display unit (set by [`units_button`]) and the window contact's
/// changes (from [`window_contact`]).
pub struct Shared {
    /// Show °F.
    pub fahrenheit: Cell<bool>,
    /// `true`: the window opened; `false`: it closed.
    pub window: Signal<CriticalSectionRawMutex, bool>,
}

impl Shared {
    /// °C, window closed.
    pub const fn new() -> Self {
        Shared { fahrenheit: Cell::new(false), window: Signal::new() }
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

/// The thermostat task: measures, switches `heater`, draws, logs to `log`, for ever; a window
/// opening switches the heater off at once.
pub async fn thermostat<B, P, D, W>(i2c: B, mut heater: P, delay: D, mut log: W, setpoint: f32, shared: &Shared)
where
    B: I2c + Clone,
    P: OutputPin,
    D: DelayNs,
    W: Write,
{
    let _ = heater.set_low();
    let mut sensor = AsyncBme280::new(i2c.clone(), delay);
    let interface = I2CInterface::new(i2c, OLED_ADDRESS, 0x40);
    let mut oled = ssd1306::Ssd1306Async::new(interface, DisplaySize128x64, DisplayRotation::Rotate0)
        .into_buffered_graphics_mode();
    let style = MonoTextStyle::new(&FONT_6X10, BinaryColor::On);
    let mut ticker = Ticker::every(PERIOD);
    let mut heating = false;
    let mut window_open = false;
    // Both devices are (re)initialised at start and after any failed reading: a brown-out
    // resets them, and a sensor that lost its configuration reads "no data".
    let mut ready = false;
    let mut oled_ready = false;
    loop {
        if !ready {
            ready = start_sensor(&mut sensor).await;
            oled_ready = oled.init().await.is_ok();
        }
        let reading = if ready { sensor.read_temperature().await.ok().flatten() } else { None };
        // A change signalled while this task was busy (a window open at boot) counts now.
        if let Some(open) = shared.window.try_take() {
            window_open = open;
        }
        let mut line: heapless::String<32> = heapless::String::new();
        match reading {
            Some(celsius) => {
                heating = decide(celsius, setpoint, heating);
                let on = heating && !window_open;
                let (value, unit) =
                    if shared.fahrenheit.get() { (celsius * 9.0 / 5.0 + 32.0, 'F') } else { (celsius, 'C') };
                let state = if window_open {
                    "WINDOW"
                } else if on {
                    "HEAT"
                } else {
                    "idle"
                };
                let _ = write!(line, "{value:5.1} {unit}  {state}");
                let mut text: heapless::String<48> = heapless::String::new();
                let _ = write!(text, "T={celsius:.1}C heater={}", if on { "on" } else { "off" });
                let _ = text.push_str(if window_open { " window=open\r\n" } else { "\r\n" });
                let _ = log.write_all(text.as_bytes()).await;
            }
            None => {
                ready = false;
                heating = false;
                let _ = line.push_str("sensor error");
                let _ = log.write_all(b"E sensor\r\n").await;
            }
        }
        let _ = heater.set_state((heating && !window_open).into());
        if oled_ready {
            oled.clear_buffer();
            let _ = Text::new(&line, Point::new(4, 20), style).draw(&mut oled);
            let _ = Text::new("fwsim thermostat", Point::new(4, 50), style).draw(&mut oled);
            oled_ready = oled.flush().await.is_ok();
        }
        // Until the next period, a window change acts at once.
        while let Either::Second(open) = select(ticker.next(), shared.window.wait()).await {
            window_open = open;
            let _ = heater.set_state((heating && !window_open).into());
            let _ = log.write_all(if open { b"window open\r\n" } else { b"window closed\r\n" }).await;
        }
    }
}

/// The window contact task: `contact` is high while the window is open. A window open at boot
/// is signalled at once (no edge will come for it), and each change, once the contact has been
/// steady for [`SETTLE`], is signalled to [`thermostat`].
pub async fn window_contact<P: Wait + InputPin>(mut contact: P, shared: &Shared) {
    let mut open = contact.is_high().unwrap_or(false);
    if open {
        shared.window.signal(true);
    }
    loop {
        if contact.wait_for_any_edge().await.is_err() {
            return;
        }
        Timer::after(SETTLE).await;
        let now_open = contact.is_high().unwrap_or(false);
        if now_open != open {
            open = now_open;
            shared.window.signal(open);
        }
    }
}

/// Initialises the sensor (normal mode, ×1 oversampling) and waits for its first
/// conversion; `false` if it did not answer.
async fn start_sensor<B: I2c, D: DelayNs>(sensor: &mut AsyncBme280<B, D>) -> bool {
    let config = Configuration::default()
        .with_temperature_oversampling(Oversampling::Oversample1)
        .with_pressure_oversampling(Oversampling::Oversample1)
        .with_humidity_oversampling(Oversampling::Oversample1)
        .with_sensor_mode(SensorMode::Normal);
    if sensor.init().await.is_err() || sensor.set_sampling_configuration(config).await.is_err() {
        return false;
    }
    // A conversion at ×1 oversampling takes up to 9.3 ms (datasheet 9.1); until the first one
    // ends the data registers read "skipped".
    Timer::after(FIRST_CONVERSION).await;
    true
}

/// How long [`thermostat`] waits after configuring the sensor before it reads.
pub const FIRST_CONVERSION: Duration = Duration::from_millis(10);

/// The units button task: each press of the active-low `button` toggles °C/°F. After the
/// press and after the release it ignores the contact for [`SETTLE`], so that bounce is not
/// taken for presses.
pub async fn units_button<P: Wait>(mut button: P, shared: &Shared) {
    loop {
        if button.wait_for_falling_edge().await.is_err() {
            return;
        }
        shared.fahrenheit.set(!shared.fahrenheit.get());
        Timer::after(SETTLE).await;
        if button.wait_for_high().await.is_err() {
            return;
        }
        Timer::after(SETTLE).await;
    }
}

/// How long [`units_button`] ignores its contact after a press, and how long the window
/// contact must be steady.
pub const SETTLE: Duration = Duration::from_millis(50);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dead_band_keeps_the_state() {
        assert!(decide(18.9, 19.5, false));
        assert!(!decide(20.1, 19.5, true));
        assert!(decide(19.5, 19.5, true));
        assert!(!decide(19.5, 19.5, false));
    }
}
