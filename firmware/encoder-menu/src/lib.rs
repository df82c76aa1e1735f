//! # A menu on a character LCD, driven by a rotary encoder
//!
//! A 16×2 HD44780 behind a PCF8574 I2C backpack shows one menu item at a time:
//!
//! ```text
//! > Light        5
//!   press to edit
//! ```
//!
//! Turning the knob (the toolkit's `Encoder`, one step per detent) selects the previous or
//! next item, wrapping; a press of its button (the toolkit's `Pushbutton`) starts editing the
//! item, turning then changes its value within 0–9, and another press ends editing
//! (the second row then reads `  turn: 0..9`).
//!
//! The knob's two contacts are read on every edge, as an interrupt handler would: a task
//! waits for an edge of either pin and hands both levels to the encoder. Plain `async fn`s
//! over embedded-hal(-async) and embassy-time, no allocator.

#![no_std]
#![warn(missing_docs)]

use core::fmt::Write as _;

use embassy_futures::select::{Either, select, select4};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::Duration;
use embedded_hal::digital::InputPin;
use embedded_hal_async::delay::DelayNs;
use embedded_hal_async::digital::Wait;
use embedded_hal_async::i2c::I2c;
use fwsim_drivers::{ButtonEvent, Encoder, EncoderConfig, Pushbutton, PushbuttonConfig};

/// The menu's items.
pub const ITEMS: [&str; 3] = ["Light", "Fan", "Alarm"];
/// The LCD backpack's I2C address.
pub const LCD_ADDRESS: u8 = 0x27;
/// Edges per detent of the knob (a full quadrature cycle).
pub const EDGES_PER_STEP: i32 = 4;
/// How long the knob must rest before a turn is taken (the encoder's settling delay).
pub const SETTLE: Duration = Duration::from_millis(20);

/// The menu's state, separate from the hardware so that it is easy to test.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Menu {
    /// The item shown.
    pub selected: usize,
    /// Each item's value, 0–9.
    pub values: [u8; ITEMS.len()],
    /// Whether turning changes the value (else it selects).
    pub editing: bool,
}

impl Menu {
    /// The knob turned `steps` detents (positive: clockwise).
    pub fn turn(&mut self, steps: i32) {
        if self.editing {
            let v = &mut self.values[self.selected];
            *v = (*v as i32 + steps).clamp(0, 9) as u8;
        } else {
            let n = ITEMS.len() as i32;
            self.selected = (self.selected as i32 + steps).rem_euclid(n) as usize;
        }
    }

    /// The button was pressed.
    pub fn press(&mut self) {
        self.editing = !self.editing;
    }

    /// The two rows, 16 characters each.
    pub fn rows(&self) -> [heapless::String<16>; 2] {
        let mut top = heapless::String::new();
        let _ = write!(top, "> {:<13}{}", ITEMS[self.selected], self.values[self.selected]);
        let mut bottom = heapless::String::new();
        let _ = bottom.push_str(if self.editing { "  turn: 0..9" } else { "  press to edit" });
        [top, bottom]
    }
}

/// What changed the menu.
enum Input {
    Turn(i32),
    Press,
}

/// Runs the menu for ever: the knob's contacts `a` and `b`, its button (all active low,
/// pulled up), the LCD on `i2c`. Returns only if the LCD stops answering at start.
pub async fn run<A, B, P, I, D>(mut a: A, mut b: B, button: P, mut i2c: I, mut delay: D)
where
    A: Wait + InputPin,
    B: Wait + InputPin,
    P: InputPin,
    I: I2c,
    D: DelayNs,
{
    let config = EncoderConfig { div: EDGES_PER_STEP, delay: SETTLE, ..EncoderConfig::new() };
    let (x, y) = (a.is_high().unwrap_or(true), b.is_high().unwrap_or(true));
    let Ok(knob) = Encoder::<CriticalSectionRawMutex>::new(config, x, y) else { return };
    let pushbutton =
        Pushbutton::<CriticalSectionRawMutex>::new(PushbuttonConfig::new().events(true, false, false, false));
    let inputs: Channel<CriticalSectionRawMutex, Input, 8> = Channel::new();

    // Both pins' edges, as interrupts would report them.
    let edges = async {
        loop {
            let which = select(a.wait_for_any_edge(), b.wait_for_any_edge()).await;
            let (x, y) = (a.is_high().unwrap_or(false), b.is_high().unwrap_or(false));
            match which {
                Either::First(_) => knob.on_x_edge(x, y),
                Either::Second(_) => knob.on_y_edge(x, y),
            }
        }
    };
    let turns = knob.run(|_, delta| {
        let _ = inputs.try_send(Input::Turn(delta));
    });
    let presses = pushbutton.run(button, |e| {
        if e == ButtonEvent::Press {
            let _ = inputs.try_send(Input::Press);
        }
    });
    let ui = async {
        let lcd = lcd_lcm1602_i2c::async_lcd::Lcd::new(&mut i2c, &mut delay).with_address(LCD_ADDRESS).with_rows(1);
        let Ok(mut lcd) = lcd.init().await else { return };
        let mut menu = Menu::default();
        loop {
            let [top, bottom] = menu.rows();
            let _ = lcd.set_cursor(0, 0).await;
            let _ = lcd.write_str(&top).await;
            let _ = lcd.set_cursor(1, 0).await;
            let _ = lcd.write_str(&bottom).await;
            // Pad the second row: the texts differ in length.
            for _ in bottom.len()..16 {
                let _ = lcd.write_str(" ").await;
            }
            match inputs.receive().await {
                Input::Turn(steps) => menu.turn(steps),
                Input::Press => menu.press(),
            }
        }
    };
    select4(edges, turns, presses, ui).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turning_selects_and_edits_within_limits() {
        let mut m = Menu::default();
        m.turn(-1);
        assert_eq!(m.rows()[0], "> Alarm        0");
        m.press();
        m.turn(12);
        assert_eq!(m.rows()[0], "> Alarm        9");
        assert_eq!(m.rows()[1], "  turn: 0..9");
        m.press();
        m.turn(1);
        assert_eq!(m.rows()[0], "> Light        0");
    }
}
