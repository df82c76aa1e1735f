//! The SSD1306 OLED controller (Solomon Systech) driving a 128×64 panel, over I2C or
//! 4-wire SPI.

use crate::display::Image;
use crate::gpio::Probe;
use crate::i2c::{I2cContext, I2cDevice};
use crate::spi::{SpiContext, SpiTarget};

const COLUMNS: usize = 128;
const PAGES: usize = 8;
const ROWS: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Addressing {
    Horizontal,
    Vertical,
    Page,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum I2cState {
    Control,
    One { data: bool },
    Stream { data: bool },
}

/// An SSD1306 with its 1 KiB display RAM (GDDRAM) and the panel of a common 128×64 module.
///
/// The model decodes the whole command set that sets up and addresses the display: page,
/// horizontal and vertical addressing with column and page windows, segment remap, COM
/// scan direction, COM pin configuration, multiplex ratio, display offset, start line,
/// entire-display-on, inverse, display on/off and the charge pump. [`panel`](Ssd1306::panel)
/// renders what the glass shows after all of them — a rotated display looks rotated, a
/// wrong COM configuration interleaves the rows as it does on a real module.
///
/// The module is wired as the `ssd1306` crate's defaults expect: with segment remap (A1),
/// reversed COM scan (C8) and the alternative COM pin configuration (0x12) the image is
/// upright. The panel is dark unless the display is on *and* the charge pump is enabled (the
/// module has no external VCC).
///
/// Reported: an unknown command byte (`UnknownCommand`), an I2C control byte with its low
/// six bits set (`BadControlByte`), a bus clock above the datasheet's limit
/// (`BusTooFast`: 400 kHz I2C, 10 MHz SPI). Scrolling commands are accepted but not
/// animated.
pub struct Ssd1306 {
    gddram: [[u8; COLUMNS]; PAGES],
    mode: Addressing,
    col_window: (usize, usize),
    page_window: (usize, usize),
    col: usize,
    page: usize,
    pending: Vec<u8>,
    needed: usize,
    display_on: bool,
    charge_pump: bool,
    entire_on: bool,
    inverse: bool,
    segment_remap: bool,
    com_reversed: bool,
    com_alternative: bool,
    com_lr_remap: bool,
    multiplex: usize,
    offset: usize,
    start_line: usize,
    contrast: u8,
    scrolling: bool,
    i2c: I2cState,
    dc: Option<Probe>,
    reported_speed: bool,
}

impl Ssd1306 {
    /// A controller in its reset state, on I2C (attach it at 0x3C or 0x3D).
    pub fn new() -> Self {
        Ssd1306 {
            gddram: [[0; COLUMNS]; PAGES],
            mode: Addressing::Page,
            col_window: (0, COLUMNS - 1),
            page_window: (0, PAGES - 1),
            col: 0,
            page: 0,
            pending: Vec::new(),
            needed: 0,
            display_on: false,
            charge_pump: false,
            entire_on: false,
            inverse: false,
            segment_remap: false,
            com_reversed: false,
            com_alternative: true,
            com_lr_remap: false,
            multiplex: ROWS,
            offset: 0,
            start_line: 0,
            contrast: 0x7f,
            scrolling: false,
            i2c: I2cState::Control,
            dc: None,
            reported_speed: false,
        }
    }

    /// A controller on 4-wire SPI, reading data/command from `dc` (high = data) at each byte.
    pub fn spi(dc: Probe) -> Self {
        Ssd1306 { dc: Some(dc), ..Self::new() }
    }

    /// The display RAM: 8 pages of 128 column bytes, bit 0 the page's top row.
    pub fn gddram(&self) -> &[[u8; COLUMNS]; PAGES] {
        &self.gddram
    }

    /// The contrast register.
    pub fn contrast(&self) -> u8 {
        self.contrast
    }

    /// Whether the display is switched on (0xAF).
    pub fn is_on(&self) -> bool {
        self.display_on
    }

    /// What the panel shows: 128×64, (0, 0) at the module's top left.
    pub fn panel(&self) -> Image {
        let mut image = Image::new(COLUMNS, ROWS);
        if !self.display_on || !self.charge_pump {
            return image;
        }
        for r in 0..self.multiplex {
            let ram_row = (r + self.start_line) % ROWS;
            let com = if self.com_reversed {
                (self.multiplex - 1 - r + self.offset) % ROWS
            } else {
                (r + self.offset) % ROWS
            };
            let y = ROWS - 1 - self.pin_of_com(com);
            for x in 0..COLUMNS {
                let seg = COLUMNS - 1 - x;
                let ram_col = if self.segment_remap { COLUMNS - 1 - seg } else { seg };
                let bit = self.gddram[ram_row / 8][ram_col] >> (ram_row % 8) & 1 == 1;
                image.set(x, y, (bit || self.entire_on) != self.inverse);
            }
        }
        image
    }

    /// The physical row position a COM output drives on this module (wired for the
    /// alternative configuration; sequential interleaves the halves).
    fn pin_of_com(&self, com: usize) -> usize {
        let com = if self.com_lr_remap { (com + ROWS / 2) % ROWS } else { com };
        if self.com_alternative {
            com
        } else if com < ROWS / 2 {
            2 * com
        } else {
            2 * (com - ROWS / 2) + 1
        }
    }

    fn byte(&mut self, report: &dyn Fn(&'static str, String), data: bool, b: u8) {
        if data { self.data(b) } else { self.command(report, b) }
    }

    fn data(&mut self, b: u8) {
        self.gddram[self.page][self.col] = b;
        match self.mode {
            // The column window (0x21) is for horizontal and vertical modes only; page mode
            // wraps at the end of the page.
            Addressing::Page => self.col = (self.col + 1) % COLUMNS,
            Addressing::Horizontal => {
                if self.col >= self.col_window.1 {
                    self.col = self.col_window.0;
                    self.page = if self.page >= self.page_window.1 { self.page_window.0 } else { self.page + 1 };
                } else {
                    self.col += 1;
                }
            }
            Addressing::Vertical => {
                if self.page >= self.page_window.1 {
                    self.page = self.page_window.0;
                    self.col = if self.col >= self.col_window.1 { self.col_window.0 } else { self.col + 1 };
                } else {
                    self.page += 1;
                }
            }
        }
    }

    fn command(&mut self, report: &dyn Fn(&'static str, String), b: u8) {
        if self.needed > 0 {
            self.pending.push(b);
            self.needed -= 1;
            if self.needed == 0 {
                let bytes = std::mem::take(&mut self.pending);
                self.apply(report, &bytes);
            }
            return;
        }
        let args = match b {
            0x81 | 0x20 | 0xA8 | 0xD3 | 0xDA | 0xD5 | 0xD9 | 0xDB | 0x8D | 0xAD => 1,
            0x21 | 0x22 | 0xA3 => 2,
            0x29 | 0x2A => 5,
            0x26 | 0x27 => 6,
            _ => 0,
        };
        if args == 0 {
            self.apply(report, &[b]);
        } else {
            self.pending = vec![b];
            self.needed = args;
        }
    }

    fn apply(&mut self, report: &dyn Fn(&'static str, String), c: &[u8]) {
        match c[0] {
            0x00..=0x0F => self.col = (self.col & 0xF0) | (c[0] as usize & 0x0F),
            0x10..=0x1F => self.col = ((c[0] as usize & 0x0F) << 4 | (self.col & 0x0F)) % COLUMNS,
            0x20 => {
                self.mode = match c[1] & 0b11 {
                    0 => Addressing::Horizontal,
                    1 => Addressing::Vertical,
                    2 => Addressing::Page,
                    _ => {
                        report("InvalidArgument", "memory addressing mode 0b11 is invalid".into());
                        self.mode
                    }
                }
            }
            0x21 => {
                self.col_window = (c[1] as usize % COLUMNS, c[2] as usize % COLUMNS);
                self.col = self.col_window.0;
            }
            0x22 => {
                self.page_window = (c[1] as usize % PAGES, c[2] as usize % PAGES);
                self.page = self.page_window.0;
            }
            0x26 | 0x27 | 0x29 | 0x2A | 0xA3 => {}
            0x2E => self.scrolling = false,
            0x2F => self.scrolling = true,
            0x40..=0x7F => self.start_line = c[0] as usize & 0x3F,
            0x81 => self.contrast = c[1],
            0x8D => self.charge_pump = c[1] & 0x04 != 0,
            0xA0 | 0xA1 => self.segment_remap = c[0] == 0xA1,
            0xA4 | 0xA5 => self.entire_on = c[0] == 0xA5,
            0xA6 | 0xA7 => self.inverse = c[0] == 0xA7,
            0xA8 => {
                let ratio = c[1] as usize & 0x3F;
                if ratio < 15 {
                    report("InvalidArgument", format!("multiplex ratio {} is below the minimum 16", ratio + 1));
                }
                self.multiplex = ratio + 1;
            }
            0xAD => {}
            0xAE | 0xAF => self.display_on = c[0] == 0xAF,
            0xB0..=0xB7 => self.page = c[0] as usize & 0x07,
            0xC0 | 0xC8 => self.com_reversed = c[0] == 0xC8,
            0xD3 => self.offset = c[1] as usize & 0x3F,
            0xD5 | 0xD9 | 0xDB | 0xE3 => {}
            0xDA => {
                self.com_alternative = c[1] & 0x10 != 0;
                self.com_lr_remap = c[1] & 0x20 != 0;
            }
            other => report("UnknownCommand", format!("command byte {other:#04x} is not in the datasheet")),
        }
    }
}

impl Default for Ssd1306 {
    fn default() -> Self {
        Ssd1306::new()
    }
}

impl Ssd1306 {
    /// Power lost: registers and display RAM back to their reset state (the RAM of a real
    /// part is undefined then; zero here); the wiring (the D/C pin) stays.
    fn reset_keeping_wiring(&mut self) {
        let dc = self.dc.take();
        *self = Ssd1306::new();
        self.dc = dc;
    }
}

impl I2cDevice for Ssd1306 {
    fn power_cycle(&mut self) {
        self.reset_keeping_wiring();
    }

    fn start(&mut self, ctx: &mut I2cContext, read: bool) -> bool {
        if ctx.bus_hz() > 400_000 && !self.reported_speed {
            self.reported_speed = true;
            ctx.violation("BusTooFast", format!("I2C at {} Hz; the SSD1306 allows 400 kHz", ctx.bus_hz()));
        }
        self.i2c = I2cState::Control;
        !read
    }

    fn write(&mut self, ctx: &mut I2cContext, byte: u8) -> bool {
        let report = |rule: &'static str, detail: String| ctx.violation(rule, detail);
        match self.i2c {
            I2cState::Control => {
                if byte & 0x3F != 0 {
                    report("BadControlByte", format!("control byte {byte:#04x} has bits set below D/C#"));
                }
                let data = byte & 0x40 != 0;
                self.i2c = if byte & 0x80 != 0 { I2cState::One { data } } else { I2cState::Stream { data } };
            }
            I2cState::One { data } => {
                self.byte(&report, data, byte);
                self.i2c = I2cState::Control;
            }
            I2cState::Stream { data } => self.byte(&report, data, byte),
        }
        true
    }
}

impl SpiTarget for Ssd1306 {
    fn power_cycle(&mut self) {
        self.reset_keeping_wiring();
    }

    fn exchange(&mut self, ctx: &mut SpiContext, mosi: u8) -> u8 {
        if ctx.bus_hz() > 10_000_000 && !self.reported_speed {
            self.reported_speed = true;
            ctx.violation("BusTooFast", format!("SPI at {} Hz; the SSD1306 allows 10 MHz", ctx.bus_hz()));
        }
        let data = self.dc.as_ref().is_some_and(Probe::is_high);
        let report = |rule: &'static str, detail: String| ctx.violation(rule, detail);
        self.byte(&report, data, mosi);
        0
    }
}
