//! The controller: instruction decoding, DDRAM/CGRAM, the busy flag, timing checks, and the
//! A00 character ROM.

use super::*;

pub(super) struct Core {
    pub(super) name: String,
    pub(super) cols: usize,
    pub(super) rows: usize,
    pub(super) ddram: [u8; 128],
    pub(super) cgram: [u8; 64],
    pub(super) ac: u8,
    pub(super) to_cgram: bool,
    pub(super) increment: bool,
    pub(super) shift_on_write: bool,
    pub(super) display_on: bool,
    pub(super) cursor: bool,
    pub(super) blink: bool,
    pub(super) shift: i32,
    pub(super) eight_bit: bool,
    pub(super) two_lines: bool,
    pub(super) pending_nibble: Option<u8>,
    pub(super) busy_until: u64,
    pub(super) init_writes: u32,
    pub(super) e_level: bool,
    pub(super) e_rise: Option<u64>,
    pub(super) power_on: u64,
    pub(super) backlight: bool,
    pub(super) short_pulses: u64,
    pub(super) dropped: u64,
    pub(super) reads: u64,
    pub(super) busy_with: &'static str,
    pub(super) busy_since: u64,
    pub(super) reported: BTreeSet<&'static str>,
}

impl Core {
    pub(super) fn new(name: &str, cols: usize, rows: usize) -> Self {
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

    fn report(&mut self, ctx: &dyn DeviceContext, rule: &'static str, detail: String) {
        // One report per rule: a driver that breaks a rule breaks it on every write.
        if self.reported.insert(rule) {
            ctx.report(rule, detail);
        }
    }

    /// The bus lines at `at`; acts on E's edges. `data` holds D7..D0 (D3..D0 are zero on a
    /// 4-bit wiring).
    pub(super) fn lines(&mut self, ctx: &dyn DeviceContext, at: u64, rs: bool, rw: bool, e: bool, data: u8) {
        if e == self.e_level {
            return;
        }
        self.e_level = e;
        if e {
            if let Some(prev) = self.e_rise
                && at - prev < E_CYCLE_MIN_NS
            {
                self.report(
                    ctx,
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
                ctx,
                "EnablePulseTooShort",
                format!("E was high for {width} ns; the datasheet needs {E_PULSE_MIN_NS} ns (PW_EH)"),
            );
        }
        self.latch(ctx, at, rs, rw, data);
    }

    fn latch(&mut self, ctx: &dyn DeviceContext, at: u64, rs: bool, rw: bool, data: u8) {
        if rw {
            // A read cycle: legal, executes nothing. The model does not drive the data lines
            // (a busy-flag poll reads what the bus floats to).
            self.reads += 1;
            return;
        }
        if at < self.power_on + POWER_ON_NS {
            self.report(
                ctx,
                "WriteBeforePowerUp",
                format!("an instruction {} ns after power-on; wait {POWER_ON_NS} ns", at - self.power_on),
            );
        }
        if at < self.busy_until {
            self.dropped += 1;
            let busy_with = self.busy_with;
            self.report(
                ctx,
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

    pub(super) fn write_data(&mut self, at: u64, v: u8) {
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

    pub(super) fn step_ddram(&self, ac: u8, up: bool) -> u8 {
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

    pub(super) fn instruction(&mut self, at: u64, v: u8) {
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
    pub(super) fn address(&self, row: usize, col: usize) -> u8 {
        if self.two_lines {
            let line_base = if row.is_multiple_of(2) { 0x00 } else { 0x40 };
            let col = col + (row / 2) * self.cols;
            line_base + (col as i32 - self.shift).rem_euclid(40) as u8
        } else {
            let col = col + row * self.cols;
            (col as i32 - self.shift).rem_euclid(80) as u8
        }
    }

    pub(super) fn codes(&self) -> Vec<Vec<u8>> {
        (0..self.rows).map(|r| (0..self.cols).map(|c| self.ddram[self.address(r, c) as usize]).collect()).collect()
    }
}

/// Character ROM A00 for the printable range; custom (CGRAM) codes show as `�`.
pub(super) fn rom_a00(code: u8) -> char {
    match code {
        0x5C => '¥',
        0x7E => '→',
        0x7F => '←',
        0x20..=0x7D => code as char,
        _ => '\u{FFFD}',
    }
}
