//! The HD44780 character LCD controller (Hitachi), on GPIO pins or behind a PCF8574 I2C
//! backpack.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use fwsim::SimTime;

use crate::Level;
use crate::gpio::{Pin, PinContext, PinDevice};
use crate::i2c::{I2cContext, I2cDevice};

/// Minimum E pulse width (PW_EH), ns.
pub const E_PULSE_MIN_NS: u64 = 450;
/// Minimum enable cycle time (t_cycE), ns.
pub const E_CYCLE_MIN_NS: u64 = 1_000;
/// Execution time of clear display and return home, ns.
pub const SLOW_COMMAND_NS: u64 = 1_520_000;
/// Execution time of the other instructions, ns.
pub const COMMAND_NS: u64 = 37_000;
/// Execution time of a data write (37 µs + t_ADD 4 µs), ns.
pub const DATA_WRITE_NS: u64 = 41_000;
/// Wait after power-on before the first instruction (at VCC = 4.5 V), ns.
pub const POWER_ON_NS: u64 = 15_000_000;

struct Core {
    name: String,
    cols: usize,
    rows: usize,
    ddram: [u8; 128],
    cgram: [u8; 64],
    ac: u8,
    to_cgram: bool,
    increment: bool,
    shift_on_write: bool,
    display_on: bool,
    cursor: bool,
    blink: bool,
    shift: i32,
    eight_bit: bool,
    two_lines: bool,
    pending_nibble: Option<u8>,
    busy_until: u64,
    init_writes: u32,
    e_level: bool,
    e_rise: Option<u64>,
    power_on: u64,
    backlight: bool,
    short_pulses: u64,
    dropped: u64,
    reads: u64,
    busy_with: &'static str,
    busy_since: u64,
    reported: BTreeSet<&'static str>,
}

impl Core {
    fn new(name: &str, cols: usize, rows: usize) -> Self {
        Core {
            name: name.to_string(),
            cols,
            rows,
            ddram: [b' '; 128],
            cgram: [0; 64],
            ac: 0,
            to_cgram: false,
            increment: true,
            shift_on_write: false,
            display_on: false,
            cursor: false,
            blink: false,
            shift: 0,
            eight_bit: true,
            two_lines: false,
            pending_nibble: None,
            busy_until: 0,
            init_writes: 0,
            e_level: false,
            e_rise: None,
            power_on: fwsim::now().as_nanos(),
            backlight: true,
            short_pulses: 0,
            dropped: 0,
            reads: 0,
            busy_with: "power-on",
            busy_since: 0,
            reported: BTreeSet::new(),
        }
    }

    fn report(&mut self, rule: &'static str, detail: String) {
        // One report per rule: a driver that breaks a rule breaks it on every write.
        if self.reported.insert(rule) {
            fwsim::diag::report_hardware(self.name.clone(), rule, detail);
        }
    }

    /// The bus lines at `at`; acts on E's edges. `data` holds D7..D0 (D3..D0 are zero on a
    /// 4-bit wiring).
    fn lines(&mut self, at: u64, rs: bool, rw: bool, e: bool, data: u8) {
        if e == self.e_level {
            return;
        }
        self.e_level = e;
        if e {
            if let Some(prev) = self.e_rise
                && at - prev < E_CYCLE_MIN_NS
            {
                self.report(
                    "EnableCycleTooShort",
                    format!("E rose {} ns after its previous rise; the datasheet needs {E_CYCLE_MIN_NS} ns", at - prev),
                );
            }
            self.e_rise = Some(at);
            return;
        }
        let width = self.e_rise.map_or(0, |r| at - r);
        if width < E_PULSE_MIN_NS {
            self.short_pulses += 1;
            self.report(
                "EnablePulseTooShort",
                format!("E was high for {width} ns; the datasheet needs {E_PULSE_MIN_NS} ns (PW_EH)"),
            );
        }
        self.latch(at, rs, rw, data);
    }

    fn latch(&mut self, at: u64, rs: bool, rw: bool, data: u8) {
        if rw {
            // A read cycle: legal, executes nothing. The model does not drive the data lines
            // (a busy-flag poll reads what the bus floats to).
            self.reads += 1;
            return;
        }
        if at < self.power_on + POWER_ON_NS {
            self.report(
                "WriteBeforePowerUp",
                format!("an instruction {} ns after power-on; wait {POWER_ON_NS} ns", at - self.power_on),
            );
        }
        if at < self.busy_until {
            self.dropped += 1;
            let busy_with = self.busy_with;
            self.report(
                "WriteWhileBusy",
                format!(
                    "a write {} ns before {busy_with} finished ({} ns after it was latched); it is lost",
                    self.busy_until - at,
                    at - self.busy_since
                ),
            );
            return;
        }
        let value = if self.eight_bit {
            data
        } else {
            match self.pending_nibble.take() {
                None => {
                    self.pending_nibble = Some(data & 0xF0);
                    return;
                }
                Some(high) => high | data >> 4,
            }
        };
        if rs { self.write_data(at, value) } else { self.instruction(at, value) }
    }

    fn write_data(&mut self, at: u64, v: u8) {
        if self.to_cgram {
            self.cgram[self.ac as usize & 0x3F] = v;
            self.ac = if self.increment { self.ac.wrapping_add(1) } else { self.ac.wrapping_sub(1) } & 0x3F;
        } else {
            self.ddram[self.ac as usize] = v;
            self.ac = self.step_ddram(self.ac, self.increment);
            if self.shift_on_write {
                self.shift += if self.increment { -1 } else { 1 };
            }
        }
        self.busy_until = at + DATA_WRITE_NS;
        self.busy_with = "a data write (41 µs)";
        self.busy_since = at;
    }

    fn step_ddram(&self, ac: u8, up: bool) -> u8 {
        if self.two_lines {
            match (ac, up) {
                (0x27, true) => 0x40,
                (0x67, true) => 0x00,
                (0x40, false) => 0x27,
                (0x00, false) => 0x67,
                (a, true) => a + 1,
                (a, false) => a - 1,
            }
        } else {
            match (ac, up) {
                (0x4F, true) => 0x00,
                (0x00, false) => 0x4F,
                (a, true) => a + 1,
                (a, false) => a - 1,
            }
        }
    }

    fn instruction(&mut self, at: u64, v: u8) {
        let mut exec = COMMAND_NS;
        let mut what = "an instruction (37 µs)";
        match v {
            0x01 => {
                self.ddram = [b' '; 128];
                self.ac = 0;
                self.to_cgram = false;
                self.increment = true;
                self.shift = 0;
                exec = SLOW_COMMAND_NS;
                what = "clear display (1.52 ms)";
            }
            0x02 | 0x03 => {
                self.ac = 0;
                self.to_cgram = false;
                self.shift = 0;
                exec = SLOW_COMMAND_NS;
                what = "return home (1.52 ms)";
            }
            0x04..=0x07 => {
                self.increment = v & 0x02 != 0;
                self.shift_on_write = v & 0x01 != 0;
            }
            0x08..=0x0F => {
                self.display_on = v & 0x04 != 0;
                self.cursor = v & 0x02 != 0;
                self.blink = v & 0x01 != 0;
            }
            0x10..=0x1F => {
                let right = v & 0x04 != 0;
                if v & 0x08 != 0 {
                    self.shift += if right { 1 } else { -1 };
                } else {
                    self.ac = self.step_ddram(self.ac, right);
                }
            }
            0x20..=0x3F => {
                if self.eight_bit {
                    // The power-on reset sequence: 4.1 ms after the first function set,
                    // 100 µs after the second.
                    (exec, what) = match self.init_writes {
                        0 => (4_100_000, "the reset sequence's first function set (4.1 ms)"),
                        1 => (100_000, "the reset sequence's second function set (100 µs)"),
                        _ => (COMMAND_NS, "a function set (37 µs)"),
                    };
                    self.init_writes += 1;
                }
                self.eight_bit = v & 0x10 != 0;
                self.two_lines = v & 0x08 != 0;
            }
            0x40..=0x7F => {
                self.ac = v & 0x3F;
                self.to_cgram = true;
            }
            0x80..=0xFF => {
                self.ac = v & 0x7F;
                self.to_cgram = false;
            }
            0x00 => {}
        }
        self.busy_until = at + exec;
        self.busy_with = what;
        self.busy_since = at;
    }

    /// The DDRAM address shown at display row `row`, column `col`.
    fn address(&self, row: usize, col: usize) -> u8 {
        if self.two_lines {
            let line_base = if row.is_multiple_of(2) { 0x00 } else { 0x40 };
            let col = col + (row / 2) * self.cols;
            line_base + (col as i32 - self.shift).rem_euclid(40) as u8
        } else {
            let col = col + row * self.cols;
            (col as i32 - self.shift).rem_euclid(80) as u8
        }
    }

    fn codes(&self) -> Vec<Vec<u8>> {
        (0..self.rows).map(|r| (0..self.cols).map(|c| self.ddram[self.address(r, c) as usize]).collect()).collect()
    }
}

/// Character ROM A00 for the printable range; custom (CGRAM) codes show as `�`.
fn rom_a00(code: u8) -> char {
    match code {
        0x5C => '¥',
        0x7E => '→',
        0x7F => '←',
        0x20..=0x7D => code as char,
        _ => '\u{FFFD}',
    }
}

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
    core: Rc<RefCell<Core>>,
}

impl Hd44780 {
    fn with_core(name: &str, cols: usize, rows: usize) -> Self {
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

/// A display on GPIO, as a [`PinDevice`]: it samples the bus at each edge of E.
struct GpioWiring {
    core: Rc<RefCell<Core>>,
    rw: bool,
    data: usize,
}

impl PinDevice for GpioWiring {
    fn on_edge(&mut self, ctx: &mut PinContext<'_>, index: usize, level: Level) {
        if index != 0 {
            return; // only E clocks the controller
        }
        let first_data = if self.rw { 3 } else { 2 };
        let shift = 8 - self.data;
        let byte =
            (0..self.data).fold(0u8, |b, i| b | ((ctx.level(first_data + i) == Level::High) as u8) << (i + shift));
        let rs = ctx.level(1) == Level::High;
        let rw = self.rw && ctx.level(2) == Level::High;
        self.core.borrow_mut().lines(ctx.now().as_nanos(), rs, rw, level == Level::High, byte);
    }
}

/// The PCF8574 I/O expander of an LCD backpack: an I2C device whose port drives the LCD.
pub struct Pcf8574Backpack {
    lcd: Hd44780,
    port: u8,
}

impl I2cDevice for Pcf8574Backpack {
    fn start(&mut self, _ctx: &mut I2cContext, _read: bool) -> bool {
        true
    }

    fn write(&mut self, ctx: &mut I2cContext, byte: u8) -> bool {
        // The outputs change together after the byte's acknowledge bit. When E falls in the
        // same update that changes RS, R/W or data, the controller latches what the lines
        // held while E was high (the new values miss the hold time).
        let previous = std::mem::replace(&mut self.port, byte);
        let lines = if previous & 0x04 != 0 && byte & 0x04 == 0 { previous } else { byte };
        let at = ctx.now().as_nanos() + crate::bit_time_ns(9, ctx.bus_hz());
        let mut core = self.lcd.core.borrow_mut();
        core.backlight = byte & 0x08 != 0;
        core.lines(at, lines & 0x01 != 0, lines & 0x02 != 0, byte & 0x04 != 0, lines & 0xF0);
        true
    }

    fn read(&mut self, _ctx: &mut I2cContext) -> u8 {
        // Quasi-bidirectional pins read back high unless driven low; the LCD drives nothing.
        self.port
    }
}
