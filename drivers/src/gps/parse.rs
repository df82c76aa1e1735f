//! The sentences: checksum, fields, and what each kind says about the fix.

use super::{Gps, NmeaError, Sentence};

impl Gps {
    pub(super) fn parse_checked(&mut self, line: &str) -> Result<Sentence, NmeaError> {
        let body = line.strip_prefix('$').ok_or(NmeaError::Malformed)?;
        let (body, checksum) = body.rsplit_once('*').ok_or(NmeaError::Malformed)?;
        let expected = u8::from_str_radix(checksum.trim(), 16).map_err(|_| NmeaError::Malformed)?;
        if super::checksum(body) != expected {
            return Err(NmeaError::Checksum);
        }
        let mut fields = body.split(',');
        let address = fields.next().unwrap_or("");
        let f: heapless::Vec<&str, 24> = fields.collect();
        if address.starts_with('P') {
            let reply = super::mtk::parse_reply(address, &f, &mut self.mtk);
            return reply.map(Sentence::Mtk).ok_or(NmeaError::Unsupported);
        }
        let kind = address.get(2..).ok_or(NmeaError::Malformed)?;
        let field = |i: usize| f.get(i).copied().unwrap_or("");
        let mut fix = self.fix;
        let sentence = match kind {
            "RMC" => {
                fix.utc = time(field(0))?;
                fix.valid = field(1) == "A";
                if fix.valid {
                    (fix.latitude, fix.longitude) = position(field(2), field(3), field(4), field(5))?;
                    fix.speed_knots = number(field(6))?;
                    fix.course = number(field(7))?;
                }
                fix.date = Some(date(field(8))?);
                Sentence::Rmc
            }
            "GLL" => {
                fix.valid = field(5) == "A";
                if fix.valid {
                    (fix.latitude, fix.longitude) = position(field(0), field(1), field(2), field(3))?;
                    fix.utc = time(field(4))?;
                }
                Sentence::Gll
            }
            "VTG" => {
                fix.course = number(field(0))?;
                fix.speed_knots = number(field(4))?;
                Sentence::Vtg
            }
            "GGA" => {
                fix.utc = time(field(0))?;
                let quality: u8 = number(field(5))?;
                fix.valid = quality > 0;
                if fix.valid {
                    (fix.latitude, fix.longitude) = position(field(1), field(2), field(3), field(4))?;
                    fix.satellites_in_use = number(field(6))?;
                    fix.hdop = number(field(7))?;
                    fix.altitude = number(field(8))?;
                }
                Sentence::Gga
            }
            "GSA" => {
                fix.satellites_in_use = (2..14).filter(|&i| !field(i).is_empty()).count() as u8;
                fix.hdop = number(field(15))?;
                Sentence::Gsa
            }
            "GSV" => {
                fix.satellites_in_view = number(field(2))?;
                Sentence::Gsv
            }
            _ => return Err(NmeaError::Unsupported),
        };
        self.fix = fix;
        Ok(sentence)
    }
}

/// A number, or 0 for an empty field.
fn number<T: core::str::FromStr + Default>(s: &str) -> Result<T, NmeaError> {
    if s.is_empty() { Ok(T::default()) } else { s.parse().map_err(|_| NmeaError::Malformed) }
}

/// `hhmmss(.ss)` → hours, minutes, seconds.
fn time(s: &str) -> Result<[u8; 3], NmeaError> {
    let digits = |r: core::ops::Range<usize>| s.get(r).and_then(|d| d.parse().ok()).ok_or(NmeaError::Malformed);
    Ok([digits(0..2)?, digits(2..4)?, digits(4..6)?])
}

/// `ddmmyy` → day, month, year (`yy` from 80 up is 19yy, the rest 20yy: NMEA's two digits,
/// read as the `nmea` crate and most receivers' documentation read them).
fn date(s: &str) -> Result<(u8, u8, u16), NmeaError> {
    let digits = |r: core::ops::Range<usize>| s.get(r).and_then(|d| d.parse().ok()).ok_or(NmeaError::Malformed);
    let yy: u8 = digits(4..6)?;
    Ok((digits(0..2)?, digits(2..4)?, if yy >= 80 { 1900 } else { 2000 } + u16::from(yy)))
}

/// `ddmm.mmmm,N,dddmm.mmmm,E` → signed degrees.
fn position(lat: &str, ns: &str, lon: &str, ew: &str) -> Result<(f64, f64), NmeaError> {
    let angle = |s: &str, degree_digits: usize| -> Result<f64, NmeaError> {
        let degrees: f64 = s.get(..degree_digits).and_then(|d| d.parse().ok()).ok_or(NmeaError::Malformed)?;
        let minutes: f64 = s.get(degree_digits..).and_then(|m| m.parse().ok()).ok_or(NmeaError::Malformed)?;
        Ok(degrees + minutes / 60.0)
    };
    let sign = |s: &str, negative: &str| if s == negative { -1.0 } else { 1.0 };
    Ok((angle(lat, 2)? * sign(ns, "S"), angle(lon, 3)? * sign(ew, "W")))
}
