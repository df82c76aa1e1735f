//! An NMEA-0183 GPS receiver on a UART: the toolkit's `as_GPS`, parsing side.
//!
//! The receiver sends lines like `$GPRMC,…*5C\r\n`. [`Gps`] reads them from any
//! `embedded_io_async::Read` (or is fed bytes), checks each checksum, and keeps the latest
//! fix from the sentences it knows — RMC, GLL, VTG, GGA, GSA, GSV from any talker (`GP`,
//! `GN`, `GL`…) — counting what it parsed, what failed its checksum, what it does not know
//! and what was malformed. Garbage between sentences and lines cut short are skipped: a line
//! is only parsed from a `$` to its end.

use embedded_io_async::Read;

/// The latest fix, as the sentences so far describe it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GpsFix {
    /// The receiver has a valid fix (RMC/GLL status `A`, or GGA quality above 0).
    pub valid: bool,
    /// Latitude in degrees, north positive.
    pub latitude: f64,
    /// Longitude in degrees, east positive.
    pub longitude: f64,
    /// Altitude above mean sea level, metres (GGA).
    pub altitude: f32,
    /// Speed over ground, knots (RMC, VTG).
    pub speed_knots: f32,
    /// Course over ground, degrees true (RMC, VTG).
    pub course: f32,
    /// Satellites used in the fix (GGA, GSA).
    pub satellites_in_use: u8,
    /// Satellites in view (GSV).
    pub satellites_in_view: u8,
    /// Horizontal dilution of precision (GGA, GSA).
    pub hdop: f32,
    /// UTC time of the fix: hours, minutes, seconds.
    pub utc: [u8; 3],
    /// UTC date (RMC): day, month, year (4 digits: `yy` from 80 up is 19yy); `None` before the
    /// first RMC.
    pub date: Option<(u8, u8, u16)>,
}

/// Which sentence updated the fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sentence {
    /// Recommended minimum: time, status, position, speed, course, date.
    Rmc,
    /// Position and time.
    Gll,
    /// Course and speed.
    Vtg,
    /// Fix data: time, position, quality, satellites, HDOP, altitude.
    Gga,
    /// Satellites used, dilution of precision.
    Gsa,
    /// Satellites in view.
    Gsv,
}

/// Why a line did not update the fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NmeaError {
    /// The checksum does not match.
    Checksum,
    /// A well-formed sentence of a kind this parser does not know.
    Unsupported,
    /// Not a sentence: no `*hh` checksum, a field that does not parse, too long a line.
    Malformed,
}

/// What the parser has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GpsStats {
    /// Sentences that updated the fix.
    pub parsed: u32,
    /// Lines whose checksum failed.
    pub checksum_errors: u32,
    /// Sentences of unknown kinds.
    pub unsupported: u32,
    /// Malformed lines.
    pub malformed: u32,
}

/// The longest line kept (NMEA's limit is 82 characters).
const LINE: usize = 96;

/// A GPS receiver's parser: feed it bytes ([`feed`](Gps::feed)) or give it the UART
/// ([`run`](Gps::run)); it checks each line's checksum, updates [`fix`](Gps::fix) from RMC,
/// GLL, VTG, GGA, GSA and GSV sentences of any talker, counts the rest in
/// [`stats`](Gps::stats), and skips garbage between sentences.
#[derive(Debug, Default)]
pub struct Gps {
    /// The latest fix.
    pub fix: GpsFix,
    /// Counts of what was parsed.
    pub stats: GpsStats,
    line: heapless::Vec<u8, LINE>,
    in_line: bool,
}

impl Gps {
    /// A parser with no fix yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds received bytes; calls `on_line` with each complete line's outcome.
    pub fn feed(&mut self, bytes: &[u8], mut on_line: impl FnMut(Result<Sentence, NmeaError>, &GpsFix)) {
        for &b in bytes {
            match b {
                b'$' => {
                    self.line.clear();
                    self.in_line = true;
                    let _ = self.line.push(b);
                }
                b'\r' | b'\n' if self.in_line => {
                    self.in_line = false;
                    let outcome = match core::str::from_utf8(&self.line) {
                        Ok(text) => {
                            // Copy out: `parse` updates `self`.
                            let mut copy: heapless::String<LINE> = heapless::String::new();
                            let _ = copy.push_str(text);
                            self.parse(&copy)
                        }
                        Err(_) => self.count(Err(NmeaError::Malformed)),
                    };
                    on_line(outcome, &self.fix);
                }
                // The guard keeps the byte when it fits; a line too long for NMEA is malformed.
                _ if self.in_line && self.line.push(b).is_err() => {
                    self.in_line = false;
                    let outcome = self.count(Err(NmeaError::Malformed));
                    on_line(outcome, &self.fix);
                }
                _ => {} // garbage between sentences
            }
        }
    }

    /// Reads sentences from `rx` for ever, calling `on_update` after each one that updated
    /// the fix; returns the UART's error if reading fails.
    pub async fn run<R: Read>(&mut self, mut rx: R, mut on_update: impl FnMut(Sentence, &GpsFix)) -> R::Error {
        let mut buf = [0u8; 32];
        loop {
            let n = match rx.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => return e,
            };
            self.feed(&buf[..n], |outcome, fix| {
                if let Ok(sentence) = outcome {
                    on_update(sentence, fix);
                }
            });
        }
    }

    fn count(&mut self, outcome: Result<Sentence, NmeaError>) -> Result<Sentence, NmeaError> {
        let s = &mut self.stats;
        match outcome {
            Ok(_) => s.parsed += 1,
            Err(NmeaError::Checksum) => s.checksum_errors += 1,
            Err(NmeaError::Unsupported) => s.unsupported += 1,
            Err(NmeaError::Malformed) => s.malformed += 1,
        }
        outcome
    }

    /// Parses one line (`$…*hh`, without the line end) into the fix.
    pub fn parse(&mut self, line: &str) -> Result<Sentence, NmeaError> {
        let outcome = self.parse_checked(line);
        self.count(outcome)
    }

    fn parse_checked(&mut self, line: &str) -> Result<Sentence, NmeaError> {
        let body = line.strip_prefix('$').ok_or(NmeaError::Malformed)?;
        let (body, checksum) = body.rsplit_once('*').ok_or(NmeaError::Malformed)?;
        let expected = u8::from_str_radix(checksum.trim(), 16).map_err(|_| NmeaError::Malformed)?;
        if body.bytes().fold(0u8, |a, b| a ^ b) != expected {
            return Err(NmeaError::Checksum);
        }
        let mut fields = body.split(',');
        let address = fields.next().unwrap_or("");
        let kind = address.get(2..).ok_or(NmeaError::Malformed)?;
        let f: heapless::Vec<&str, 24> = fields.collect();
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
