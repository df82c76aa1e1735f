//! The BME280 temperature, pressure and humidity sensor (Bosch Sensortec), on I2C.

use fwsim::SimTime;

use crate::curve::Curve;
use crate::i2c::{I2cContext, I2cDevice};

/// The calibration coefficients of one part, as stored in its NVM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calibration {
    /// dig_T1..dig_T3.
    pub t: (u16, i16, i16),
    /// dig_P1..dig_P9.
    pub p: (u16, i16, i16, i16, i16, i16, i16, i16, i16),
    /// dig_H1..dig_H6.
    pub h: (u8, i16, u8, i16, i16, i8),
}

impl Calibration {
    /// A real part's coefficients: temperature and pressure from the BMP280 datasheet's
    /// worked example (section 3.12), humidity from a production BME280.
    pub const REAL_PART: Calibration = Calibration {
        t: (27504, 26435, -1000),
        p: (36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000),
        h: (75, 362, 0, 313, 50, 30),
    };

    /// The two NVM blocks: 0x88..=0xA1 (26 bytes) and 0xE1..=0xE7 (7 bytes).
    fn blocks(&self) -> ([u8; 26], [u8; 7]) {
        let mut a = [0u8; 26];
        let words: [u16; 12] = [
            self.t.0,
            self.t.1 as u16,
            self.t.2 as u16,
            self.p.0,
            self.p.1 as u16,
            self.p.2 as u16,
            self.p.3 as u16,
            self.p.4 as u16,
            self.p.5 as u16,
            self.p.6 as u16,
            self.p.7 as u16,
            self.p.8 as u16,
        ];
        for (i, w) in words.iter().enumerate() {
            a[2 * i..2 * i + 2].copy_from_slice(&w.to_le_bytes());
        }
        a[25] = self.h.0;
        let mut b = [0u8; 7];
        b[0..2].copy_from_slice(&(self.h.1 as u16).to_le_bytes());
        b[2] = self.h.2;
        // H4 = E4[7:0] << 4 | E5[3:0]; H5 = E6[7:0] << 4 | E5[7:4].
        let (h4, h5) = (self.h.3 as u16, self.h.4 as u16);
        b[3] = (h4 >> 4) as u8;
        b[4] = (h4 & 0x0F) as u8 | ((h5 & 0x0F) << 4) as u8;
        b[5] = (h5 >> 4) as u8;
        b[6] = self.h.5 as u8;
        (a, b)
    }

    /// Bosch's integer compensation (datasheet 4.2.3): t_fine.
    fn t_fine(&self, adc_t: i32) -> i32 {
        let (t1, t2, t3) = (self.t.0 as i32, self.t.1 as i32, self.t.2 as i32);
        let var1 = (((adc_t >> 3) - (t1 << 1)) * t2) >> 11;
        let var2 = (((((adc_t >> 4) - t1) * ((adc_t >> 4) - t1)) >> 12) * t3) >> 14;
        var1 + var2
    }

    /// Temperature in 0.01 °C.
    fn temperature(&self, adc_t: i32) -> i32 {
        (self.t_fine(adc_t) * 5 + 128) >> 8
    }

    /// Pressure in Pa × 256 (Q24.8), 64-bit version.
    fn pressure(&self, adc_p: i32, t_fine: i32) -> i64 {
        let (p1, p2, p3, p4, p5, p6, p7, p8, p9) = self.p;
        let mut var1 = t_fine as i64 - 128_000;
        let mut var2 = var1 * var1 * p6 as i64;
        var2 += (var1 * p5 as i64) << 17;
        var2 += (p4 as i64) << 35;
        var1 = ((var1 * var1 * p3 as i64) >> 8) + ((var1 * p2 as i64) << 12);
        var1 = (((1i64 << 47) + var1) * p1 as i64) >> 33;
        if var1 == 0 {
            return 0;
        }
        let mut p = 1_048_576 - adc_p as i64;
        p = (((p << 31) - var2) * 3125) / var1;
        let var1 = (p9 as i64 * (p >> 13) * (p >> 13)) >> 25;
        let var2 = (p8 as i64 * p) >> 19;
        ((p + var1 + var2) >> 8) + ((p7 as i64) << 4)
    }

    /// Humidity in %RH × 1024 (Q22.10).
    fn humidity(&self, adc_h: i32, t_fine: i32) -> i32 {
        let (h1, h2, h3, h4, h5, h6) =
            (self.h.0 as i32, self.h.1 as i32, self.h.2 as i32, self.h.3 as i32, self.h.4 as i32, self.h.5 as i32);
        let mut v = t_fine - 76_800;
        v = (((adc_h << 14) - (h4 << 20) - (h5 * v)) + 16_384) >> 15;
        v *= (((((((t_fine - 76_800) * h6) >> 10) * ((((t_fine - 76_800) * h3) >> 11) + 32_768)) >> 10) + 2_097_152)
            * h2
            + 8192)
            >> 14;
        v -= ((((v >> 15) * (v >> 15)) >> 7) * h1) >> 4;
        v.clamp(0, 419_430_400) >> 12
    }
}

/// The raw value in `0..limit` whose compensated output is closest to `target`, by bisection
/// over a monotonic compensation (`increasing` tells which way).
fn invert(limit: i32, target: f64, increasing: bool, f: impl Fn(i32) -> f64) -> i32 {
    let (mut lo, mut hi) = (0, limit - 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let below = if increasing { f(mid) < target } else { f(mid) > target };
        if below { lo = mid + 1 } else { hi = mid }
    }
    // `lo` is the first raw value at or past the target; its neighbour may be closer.
    let best = |a: i32, b: i32| if (f(a) - target).abs() <= (f(b) - target).abs() { a } else { b };
    if lo > 0 { best(lo - 1, lo) } else { lo }
}

const OSRS: [u32; 8] = [0, 1, 2, 4, 8, 16, 16, 16];
/// "Skipped" outputs: a measurement with oversampling 0 reads these.
const SKIPPED_20BIT: u32 = 0x80000;
const SKIPPED_16BIT: u32 = 0x8000;

/// A BME280 model with a real part's calibration, whose readings follow [`Curve`]s of
/// temperature (°C), pressure (Pa) and relative humidity (%).
///
/// * The raw ADC values are found by inverting Bosch's compensation (by bisection over the
///   part's own coefficients), so a driver that compensates correctly reads the curve's
///   value within the output quantum (0.01 °C, 1/256 Pa, 1/1024 %RH).
/// * Forced and normal modes with the datasheet's maximum measurement time
///   (1.25 ms + 2.3 ms per oversample, + 0.575 ms per enabled pressure/humidity); status bit
///   `measuring` while converting, `im_update` for 2 ms after a reset.
/// * Data registers hold the *last finished* measurement: read during a conversion they are
///   stale, and reading them during a forced conversion is reported (`StaleRead`, once per
///   sensor; [`stale_reads`](Bme280::stale_reads) counts them). A
///   ctrl_hum write takes effect at the next ctrl_meas write (datasheet 5.4.3).
/// * The IIR filter and the normal-mode standby times other than the configured one are not
///   modelled: values are unfiltered.
pub struct Bme280 {
    calibration: Calibration,
    temperature: Curve,
    pressure: Curve,
    humidity: Curve,
    regs: [u8; 256],
    pointer: u8,
    write_reg: Option<u8>,
    osrs_h_pending: u8,
    measuring: Option<(SimTime, SimTime)>,
    forced: bool,
    nvm_until: SimTime,
    in_stale_read: bool,
    stale_reads: u64,
    stale_reported: bool,
}

impl Bme280 {
    /// A sensor with the [`REAL_PART`](Calibration::REAL_PART) calibration.
    pub fn new(temperature: impl Into<Curve>, pressure: impl Into<Curve>, humidity: impl Into<Curve>) -> Self {
        Self::with_calibration(Calibration::REAL_PART, temperature, pressure, humidity)
    }

    /// A sensor with `calibration`.
    pub fn with_calibration(
        calibration: Calibration,
        temperature: impl Into<Curve>,
        pressure: impl Into<Curve>,
        humidity: impl Into<Curve>,
    ) -> Self {
        let mut s = Bme280 {
            calibration,
            temperature: temperature.into(),
            pressure: pressure.into(),
            humidity: humidity.into(),
            regs: [0; 256],
            pointer: 0,
            write_reg: None,
            osrs_h_pending: 0,
            measuring: None,
            forced: false,
            nvm_until: SimTime::ZERO,
            in_stale_read: false,
            stale_reads: 0,
            stale_reported: false,
        };
        s.reset(SimTime::ZERO);
        s
    }

    fn reset(&mut self, now: SimTime) {
        self.regs = [0; 256];
        let (a, b) = self.calibration.blocks();
        self.regs[0x88..0x88 + 26].copy_from_slice(&a);
        self.regs[0xE1..0xE1 + 7].copy_from_slice(&b);
        self.regs[0xD0] = 0x60;
        // Data registers read "skipped" until the first measurement.
        self.regs[0xF7..0xFA].copy_from_slice(&[0x80, 0, 0]);
        self.regs[0xFA..0xFD].copy_from_slice(&[0x80, 0, 0]);
        self.regs[0xFD..0xFF].copy_from_slice(&[0x80, 0]);
        self.osrs_h_pending = 0;
        self.measuring = None;
        self.nvm_until = SimTime(now.as_nanos() + 2_000_000);
    }

    /// From now on the temperature (°C) follows `curve` (a scenario's sensor step).
    pub fn set_temperature(&mut self, curve: impl Into<Curve>) {
        self.temperature = curve.into();
    }

    /// From now on the pressure (Pa) follows `curve`.
    pub fn set_pressure(&mut self, curve: impl Into<Curve>) {
        self.pressure = curve.into();
    }

    /// From now on the relative humidity (%) follows `curve`.
    pub fn set_humidity(&mut self, curve: impl Into<Curve>) {
        self.humidity = curve.into();
    }

    /// Transactions that read data registers during a forced conversion.
    pub fn stale_reads(&self) -> u64 {
        self.stale_reads
    }

    fn osrs(&self) -> (u32, u32, u32) {
        let meas = self.regs[0xF4];
        (OSRS[(meas >> 5) as usize], OSRS[((meas >> 2) & 7) as usize], OSRS[(self.regs[0xF2] & 7) as usize])
    }

    /// Maximum measurement time, datasheet appendix B.
    fn measure_ns(&self) -> u64 {
        let (t, p, h) = self.osrs();
        let mut us = 1250 + 2300 * t as u64;
        if p > 0 {
            us += 2300 * p as u64 + 575;
        }
        if h > 0 {
            us += 2300 * h as u64 + 575;
        }
        us * 1000
    }

    fn standby_ns(&self) -> u64 {
        const T_SB_US: [u64; 8] = [500, 62_500, 125_000, 250_000, 500_000, 1_000_000, 10_000, 20_000];
        T_SB_US[(self.regs[0xF5] >> 5) as usize] * 1000
    }

    /// Brings the registers up to `now`: finishes a conversion, runs normal mode's cycles.
    fn advance(&mut self, now: SimTime) {
        while let Some((began, done)) = self.measuring {
            if now < done {
                break;
            }
            self.finish(began);
            self.measuring = None;
            if self.forced {
                self.forced = false;
                self.regs[0xF4] &= !0b11;
            } else if self.regs[0xF4] & 0b11 == 0b11 {
                let next = SimTime(done.as_nanos() + self.standby_ns());
                self.measuring = Some((next, SimTime(next.as_nanos() + self.measure_ns())));
            }
        }
    }

    fn finish(&mut self, at: SimTime) {
        let (t_os, p_os, h_os) = self.osrs();
        let c = self.calibration;
        let celsius = self.temperature.at(at);
        let adc_t = invert(1 << 20, celsius * 100.0, true, |a| c.temperature(a) as f64);
        let t_fine = c.t_fine(adc_t);
        let adc_p = invert(1 << 20, self.pressure.at(at) * 256.0, false, |a| c.pressure(a, t_fine) as f64);
        let adc_h = invert(1 << 16, self.humidity.at(at) * 1024.0, true, |a| c.humidity(a, t_fine) as f64);
        let t = if t_os == 0 { SKIPPED_20BIT } else { adc_t as u32 };
        let p = if p_os == 0 { SKIPPED_20BIT } else { adc_p as u32 };
        let h = if h_os == 0 { SKIPPED_16BIT } else { adc_h as u32 };
        self.regs[0xF7..0xFA].copy_from_slice(&[(p >> 12) as u8, (p >> 4) as u8, ((p & 0xF) << 4) as u8]);
        self.regs[0xFA..0xFD].copy_from_slice(&[(t >> 12) as u8, (t >> 4) as u8, ((t & 0xF) << 4) as u8]);
        self.regs[0xFD..0xFF].copy_from_slice(&[(h >> 8) as u8, h as u8]);
    }

    fn write_register(&mut self, ctx: &I2cContext, reg: u8, value: u8) {
        let now = ctx.now();
        self.advance(now);
        match reg {
            0xE0 if value == 0xB6 => self.reset(now),
            0xF2 => self.osrs_h_pending = value & 7,
            0xF4 => {
                self.regs[0xF2] = (self.regs[0xF2] & !7) | self.osrs_h_pending;
                self.regs[0xF4] = value;
                match value & 0b11 {
                    0b00 => self.measuring = None,
                    0b01 | 0b10 => {
                        self.forced = true;
                        self.measuring = Some((now, SimTime(now.as_nanos() + self.measure_ns())));
                    }
                    _ => {
                        self.forced = false;
                        if self.measuring.is_none() {
                            self.measuring = Some((now, SimTime(now.as_nanos() + self.measure_ns())));
                        }
                    }
                }
            }
            0xF5 => self.regs[0xF5] = value & 0xFD,
            _ => {}
        }
    }
}

impl I2cDevice for Bme280 {
    /// Power-on: registers back to their reset values (the calibration NVM stays), the NVM
    /// copy (2 ms) counted from now, no measurement under way.
    fn power_cycle(&mut self) {
        let now = fwsim::SimHandle::try_current().map_or(SimTime::ZERO, |h| h.now());
        self.pointer = 0;
        self.write_reg = None;
        self.forced = false;
        self.in_stale_read = false;
        self.reset(now);
    }

    fn start(&mut self, ctx: &mut I2cContext, read: bool) -> bool {
        self.advance(ctx.now());
        if !read {
            self.write_reg = None;
        }
        self.in_stale_read = false;
        true
    }

    fn write(&mut self, ctx: &mut I2cContext, byte: u8) -> bool {
        match self.write_reg.take() {
            None => {
                self.pointer = byte;
                self.write_reg = Some(byte);
            }
            Some(reg) => {
                self.write_register(ctx, reg, byte);
                // Further bytes come as (register, value) pairs.
            }
        }
        true
    }

    fn read(&mut self, ctx: &mut I2cContext) -> u8 {
        let now = ctx.now();
        self.advance(now);
        let reg = self.pointer;
        self.pointer = self.pointer.wrapping_add(1);
        if (0xF7..=0xFE).contains(&reg) && self.forced && self.measuring.is_some() && !self.in_stale_read {
            // Once per transaction for the count, once per device for the report.
            self.in_stale_read = true;
            self.stale_reads += 1;
        }
        if self.stale_reads > 0 && !self.stale_reported {
            self.stale_reported = true;
            ctx.violation(
                "StaleRead",
                "data registers read during a forced conversion: the values are the previous measurement's",
            );
        }
        match reg {
            0xF3 => {
                let measuring = self.measuring.is_some_and(|(began, _)| now >= began) as u8;
                (measuring << 3) | (now < self.nvm_until) as u8
            }
            r => self.regs[r as usize],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversion_round_trips() {
        let c = Calibration::REAL_PART;
        for target in [-40.0, -9.9, -0.73, 0.0, 25.08, 85.0] {
            let adc = invert(1 << 20, target * 100.0, true, |a| c.temperature(a) as f64);
            let back = c.temperature(adc) as f64 / 100.0;
            assert!((back - target).abs() <= 0.01, "{target}: adc {adc} gives {back}");
        }
    }
}
