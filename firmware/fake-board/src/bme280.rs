//! A BME280 that answers what a driver reads, its temperature following a script.

use crate::now_us;

/// dig_T1..dig_T3 of the BMP280 datasheet's worked example (section 3.12), the part fwsim's
/// full BME280 model also uses.
const T1: u16 = 27504;
const T2: i16 = 26435;
const T3: i16 = -1000;
/// What an output reads when its measurement is off ("skipped").
const SKIPPED_20BIT: u32 = 0x80000;
const SKIPPED_16BIT: u32 = 0x8000;

/// The registers of a BME280 that matter to a driver reading temperatures: chip id, soft
/// reset, status (never busy), the control registers, the calibration block (temperature
/// coefficients; the others zero) and the data registers, computed at each read from the
/// temperature at that instant.
///
/// The temperature (°C × 100) is linear between the `(µs, value)` points of its script and
/// constant outside them; the raw ADC value is the one Bosch's integer compensation turns into
/// it (found by bisection). Conversion time, the IIR filter, pressure and humidity are not
/// modelled: fwsim's full model (`fwsim-hw`) has them.
pub struct Bme280<'a> {
    temperature: &'a [(u64, i32)],
    regs: [u8; 256],
    pointer: u8,
}

impl<'a> Bme280<'a> {
    /// A sensor whose temperature follows `temperature` (`(µs, °C × 100)`, in time order).
    pub fn new(temperature: &'a [(u64, i32)]) -> Self {
        let mut s = Bme280 { temperature, regs: [0; 256], pointer: 0 };
        s.reset();
        s
    }

    fn reset(&mut self) {
        self.regs = [0; 256];
        self.regs[0xD0] = 0x60;
        self.regs[0x88..0x8A].copy_from_slice(&T1.to_le_bytes());
        self.regs[0x8A..0x8C].copy_from_slice(&T2.to_le_bytes());
        self.regs[0x8C..0x8E].copy_from_slice(&T3.to_le_bytes());
    }

    /// A write: the register pointer, then data into successive registers.
    pub fn write(&mut self, bytes: &[u8]) {
        let Some((&pointer, data)) = bytes.split_first() else { return };
        self.pointer = pointer;
        for &b in data {
            match self.pointer {
                0xE0 if b == 0xB6 => self.reset(),
                0xF2 | 0xF4 | 0xF5 => self.regs[usize::from(self.pointer)] = b,
                _ => {}
            }
            self.pointer = self.pointer.wrapping_add(1);
        }
    }

    /// A read from the register pointer on.
    pub fn read(&mut self, buf: &mut [u8]) {
        self.refresh_data();
        for b in buf {
            *b = self.regs[usize::from(self.pointer)];
            self.pointer = self.pointer.wrapping_add(1);
        }
    }

    /// Fills the data registers: temperature when its oversampling is on and the sensor is not
    /// sleeping, "skipped" otherwise.
    fn refresh_data(&mut self) {
        let ctrl = self.regs[0xF4];
        let raw_t =
            if ctrl & 0b11 != 0 && ctrl >> 5 != 0 { raw_for(self.centi_celsius(now_us())) } else { SKIPPED_20BIT };
        let [_, a, b, c] = (raw_t << 4).to_be_bytes();
        self.regs[0xFA..0xFD].copy_from_slice(&[a, b, c]);
        let [_, a, b, c] = (SKIPPED_20BIT << 4).to_be_bytes();
        self.regs[0xF7..0xFA].copy_from_slice(&[a, b, c]);
        self.regs[0xFD..0xFF].copy_from_slice(&(SKIPPED_16BIT as u16).to_be_bytes());
    }

    /// The scripted temperature at `us`, °C × 100.
    fn centi_celsius(&self, us: u64) -> i32 {
        let points = self.temperature;
        let Some(&first) = points.first() else { return 2000 };
        if us <= first.0 {
            return first.1;
        }
        for pair in points.windows(2) {
            let ((t0, v0), (t1, v1)) = (pair[0], pair[1]);
            if us <= t1 {
                let span = (t1 - t0).max(1) as i64;
                return v0 + ((i64::from(v1 - v0) * (us - t0) as i64) / span) as i32;
            }
        }
        points[points.len() - 1].1
    }
}

/// Bosch's integer compensation (datasheet 4.2.3): °C × 100 for a raw value.
fn compensate(adc_t: i32) -> i32 {
    let (t1, t2, t3) = (i32::from(T1), i32::from(T2), i32::from(T3));
    let var1 = (((adc_t >> 3) - (t1 << 1)) * t2) >> 11;
    let var2 = (((((adc_t >> 4) - t1) * ((adc_t >> 4) - t1)) >> 12) * t3) >> 14;
    ((var1 + var2) * 5 + 128) >> 8
}

/// The smallest 20-bit raw value that compensates to `centi` or more (the compensation rises
/// with the raw value over the range used).
fn raw_for(centi: i32) -> u32 {
    let (mut lo, mut hi) = (0i32, (1 << 20) - 2);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if compensate(mid) < centi { lo = mid + 1 } else { hi = mid }
    }
    lo as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_value_compensates_to_the_temperature_asked() {
        // The datasheet's worked example: raw 519888 is 25.08 °C.
        assert_eq!(compensate(519_888), 2508);
        for centi in [-1000, 0, 1600, 1950, 2100, 4000] {
            assert_eq!(compensate(raw_for(centi) as i32), centi, "{centi}");
        }
    }
}
