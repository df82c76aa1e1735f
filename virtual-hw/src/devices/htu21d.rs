//! The HTU21D(F) humidity and temperature sensor (TE Connectivity), at address 0x40.

use fwsim::SimTime;

use crate::curve::Curve;
use crate::i2c::{I2cContext, I2cDevice};

/// The CRC-8 of the HTU21D and SHT2x: polynomial x⁸ + x⁵ + x⁴ + 1 (0x131), initial value 0,
/// over the two measurement bytes.
pub fn crc8_131(bytes: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &b in bytes {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 { (crc << 1) ^ 0x31 } else { crc << 1 };
        }
    }
    crc
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quantity {
    Temperature,
    Humidity,
}

#[derive(Clone, Copy)]
enum Expect {
    Command,
    UserRegister,
}

/// An HTU21D model. Values follow [`Curve`]s; measurements take the datasheet's maximum
/// conversion time for the resolution in the user register (14-bit temperature: 50 ms,
/// 12-bit humidity: 16 ms).
///
/// * "No hold master" commands (0xF3, 0xF5) start a conversion; a read before it ends is
///   NACKed (the datasheet's polling scheme), a read after it returns MSB, LSB (status bits:
///   bit 1 set for humidity) and the CRC.
/// * "Hold master" commands (0xE3, 0xE5) stretch the clock of the following read until the
///   conversion ends.
/// * Soft reset (0xFE) takes 15 ms, during which every address is NACKed; user register
///   read (0xE7) and write (0xE6) work. Any other command byte is NACKed and reported
///   (`UnknownCommand`).
pub struct Htu21d {
    temperature: Curve,
    humidity: Curve,
    user_register: u8,
    expect: Expect,
    conversion: Option<(Quantity, SimTime, SimTime)>,
    hold: bool,
    reset_until: SimTime,
    out: Vec<u8>,
    reads: usize,
}

impl Htu21d {
    /// A sensor reading `temperature` (°C) and `humidity` (%RH).
    pub fn new(temperature: impl Into<Curve>, humidity: impl Into<Curve>) -> Self {
        Htu21d {
            temperature: temperature.into(),
            humidity: humidity.into(),
            user_register: 0x02,
            expect: Expect::Command,
            conversion: None,
            hold: false,
            reset_until: SimTime::ZERO,
            out: Vec::new(),
            reads: 0,
        }
    }

    /// The resolution bits of the user register: (humidity bits, temperature bits).
    fn resolution(&self) -> (u32, u32) {
        match (self.user_register & 0x80 != 0, self.user_register & 0x01 != 0) {
            (false, false) => (12, 14),
            (false, true) => (8, 12),
            (true, false) => (10, 13),
            (true, true) => (11, 11),
        }
    }

    /// Maximum conversion time, datasheet table "Measurement time".
    fn conversion_ns(&self, q: Quantity) -> u64 {
        let (rh, t) = self.resolution();
        let ms = match q {
            Quantity::Temperature => match t {
                14 => 50,
                13 => 25,
                12 => 13,
                _ => 7,
            },
            Quantity::Humidity => match rh {
                12 => 16,
                11 => 8,
                10 => 5,
                _ => 3,
            },
        };
        ms * 1_000_000
    }

    /// The raw 16-bit word for a value: the datasheet's conversion formulas inverted,
    /// rounded to the resolution, with the status bits set.
    fn raw(&self, q: Quantity, at: SimTime) -> u16 {
        let (rh_bits, t_bits) = self.resolution();
        let (value, bits, status) = match q {
            Quantity::Temperature => ((self.temperature.at(at) + 46.85) * 65536.0 / 175.72, t_bits, 0b00),
            Quantity::Humidity => ((self.humidity.at(at) + 6.0) * 65536.0 / 125.0, rh_bits, 0b10),
        };
        // The ADC rounds to the nearest step of its resolution; the low two bits carry
        // the status.
        let step = (1u32 << (16 - bits)) as f64;
        let word = ((value / step).round() * step).clamp(0.0, 65536.0 - step) as u16;
        (word & !0b11) | status
    }

    fn start_conversion(&mut self, ctx: &I2cContext, q: Quantity, hold: bool) {
        let now = ctx.now();
        self.conversion = Some((q, now, SimTime(now.as_nanos() + self.conversion_ns(q))));
        self.hold = hold;
        self.out.clear();
    }
}

impl I2cDevice for Htu21d {
    /// Power-on: the user register back to its default, no conversion under way, and the
    /// part NACKs for its 15 ms start-up from now (as after a soft reset).
    fn power_cycle(&mut self) {
        let now = fwsim::SimHandle::try_current().map_or(SimTime::ZERO, |h| h.now());
        self.user_register = 0x02;
        self.expect = Expect::Command;
        self.conversion = None;
        self.hold = false;
        self.out.clear();
        self.reset_until = SimTime(now.as_nanos() + 15_000_000);
    }

    fn start(&mut self, ctx: &mut I2cContext, read: bool) -> bool {
        let now = ctx.now();
        if now < self.reset_until {
            return false;
        }
        self.expect = Expect::Command;
        if !read {
            return true;
        }
        self.reads = 0;
        if !self.out.is_empty() {
            return true;
        }
        let Some((q, began, done)) = self.conversion else {
            return false;
        };
        if now < done {
            if !self.hold {
                return false;
            }
            ctx.stretch_until(done);
        }
        let word = self.raw(q, began);
        let bytes = word.to_be_bytes();
        self.out = vec![bytes[0], bytes[1], crc8_131(&bytes)];
        self.conversion = None;
        true
    }

    fn write(&mut self, ctx: &mut I2cContext, byte: u8) -> bool {
        match self.expect {
            Expect::UserRegister => {
                // Bits 3..5 are reserved and keep their value.
                self.user_register = (byte & !0x38) | (self.user_register & 0x38);
                self.expect = Expect::Command;
                true
            }
            Expect::Command => match byte {
                0xE3 => {
                    self.start_conversion(ctx, Quantity::Temperature, true);
                    true
                }
                0xE5 => {
                    self.start_conversion(ctx, Quantity::Humidity, true);
                    true
                }
                0xF3 => {
                    self.start_conversion(ctx, Quantity::Temperature, false);
                    true
                }
                0xF5 => {
                    self.start_conversion(ctx, Quantity::Humidity, false);
                    true
                }
                0xE6 => {
                    self.expect = Expect::UserRegister;
                    true
                }
                0xE7 => {
                    self.out = vec![self.user_register];
                    true
                }
                0xFE => {
                    self.reset_until = SimTime(ctx.now().as_nanos() + 15_000_000);
                    self.user_register = 0x02;
                    self.conversion = None;
                    self.out.clear();
                    true
                }
                other => {
                    ctx.violation("UnknownCommand", format!("command byte {other:#04x} is not in the datasheet"));
                    false
                }
            },
        }
    }

    fn read(&mut self, _ctx: &mut I2cContext) -> u8 {
        let b = self.out.get(self.reads).copied().unwrap_or(0xff);
        self.reads += 1;
        b
    }

    fn stop(&mut self, _ctx: &mut I2cContext) {
        if self.reads > 0 {
            self.out.clear();
            self.reads = 0;
        }
    }
}
