//! [`Hd44780`]: the display as the test sees it, and its two wirings' constructors.

use super::*;

/// An HD44780 with a `cols`×`rows` glass, as a test sees it: text, registers, counters.
///
/// The model latches on E's falling edge and enforces the datasheet:
/// * E pulse width ≥ 450 ns (`EnablePulseTooShort`) and enable cycle ≥ 1 µs
///   (`EnableCycleTooShort`) — the write still latches, as most parts tolerate it;
/// * an instruction during the previous one's execution (37 µs, 41 µs for data, 1.52 ms for
///   clear and home; 4.1 ms and 100 µs in the reset sequence) is **lost**
///   (`WriteWhileBusy`);
/// * nothing before 15 ms after power-on, i.e. the model's creation (`WriteBeforePowerUp`).
///
/// Each rule is reported once per display. It powers up in 8-bit mode, as the part does, so
/// a 4-bit driver must run the reset sequence.
#[derive(Clone)]
pub struct Hd44780 {
    pub(super) core: Rc<RefCell<Core>>,
}

impl Hd44780 {
    pub(super) fn with_core(name: &str, cols: usize, rows: usize) -> Self {
        assert!(cols * rows <= 80, "fwsim-hw: an HD44780 shows at most 80 characters");
        Hd44780 { core: Rc::new(RefCell::new(Core::new(name, cols, rows))) }
    }

    /// A display wired to GPIO pins: `data` is D4..D7 (4-bit wiring) or D0..D7 (8-bit);
    /// `rw` may be tied low (`None`). Powers on now.
    pub fn gpio(name: &str, (cols, rows): (usize, usize), rs: &Pin, rw: Option<&Pin>, e: &Pin, data: &[&Pin]) -> Self {
        assert!(data.len() == 4 || data.len() == 8, "fwsim-hw: an HD44780 has 4 or 8 data lines");
        let lcd = Self::with_core(name, cols, rows);
        // Pins in this order: E, RS, R/W (if wired), the data lines.
        let mut pins = vec![e, rs];
        pins.extend(rw);
        pins.extend(data);
        let wiring = GpioWiring { core: lcd.core.clone(), rw: rw.is_some(), data: data.len() };
        e.board().attach_pins(name, &pins, wiring);
        lcd
    }

    /// A display behind a PCF8574 backpack (P0 = RS, P1 = R/W, P2 = E, P3 = backlight,
    /// P4–P7 = D4–D7): attach the returned device to an I2C bus (0x27 or 0x3F on most
    /// modules). Each byte of an I2C write is one port update, at its own time.
    pub fn pcf8574(name: &str, (cols, rows): (usize, usize)) -> (Self, Pcf8574Backpack) {
        let lcd = Self::with_core(name, cols, rows);
        {
            // The expander powers up with every port pin high: E is high from the start.
            let mut core = lcd.core.borrow_mut();
            core.e_level = true;
            core.e_rise = Some(core.power_on);
        }
        (lcd.clone(), Pcf8574Backpack { lcd, port: 0xFF })
    }

    /// The glass, row by row (blank while the display is off).
    pub fn text(&self) -> Vec<String> {
        let c = self.core.borrow();
        if !c.display_on {
            return vec![" ".repeat(c.cols); c.rows];
        }
        c.codes().into_iter().map(|row| row.into_iter().map(rom_a00).collect()).collect()
    }

    /// The character codes on the glass, ignoring display on/off.
    pub fn codes(&self) -> Vec<Vec<u8>> {
        self.core.borrow().codes()
    }

    /// The CGRAM (custom characters: 8 rows of 5 bits per character code 0–7).
    pub fn cgram(&self) -> [u8; 64] {
        self.core.borrow().cgram
    }

    /// Display on, cursor on, blink on.
    pub fn display_control(&self) -> (bool, bool, bool) {
        let c = self.core.borrow();
        (c.display_on, c.cursor, c.blink)
    }

    /// Whether the backpack's backlight bit is on (always on for a GPIO wiring).
    pub fn backlight(&self) -> bool {
        self.core.borrow().backlight
    }

    /// E pulses shorter than the datasheet's minimum, so far.
    pub fn short_pulses(&self) -> u64 {
        self.core.borrow().short_pulses
    }

    /// Read cycles (R/W high at E's fall) so far: legal, and ignored.
    pub fn reads(&self) -> u64 {
        self.core.borrow().reads
    }

    /// Writes lost because the controller was busy, so far.
    pub fn dropped_writes(&self) -> u64 {
        self.core.borrow().dropped
    }

    /// When the controller will have finished the last instruction.
    pub fn busy_until(&self) -> SimTime {
        SimTime(self.core.borrow().busy_until)
    }
}
