//! An NMEA-0183 GPS receiver on a UART: the toolkit's `as_GPS`, with the command side of
//! `as_rwGPS`.
//!
//! The receiver sends lines like `$GPRMC,…*5C\r\n`. [`Gps`] reads them from any
//! `embedded_io_async::Read` (or is fed bytes), checks each checksum, and keeps the latest
//! fix from the sentences it knows — RMC, GLL, VTG, GGA, GSA, GSV from any talker (`GP`,
//! `GN`, `GL`…) — counting what it parsed, what failed its checksum, what it does not know
//! and what was malformed. Garbage between sentences and lines cut short are skipped: a line
//! is only parsed from a `$` to its end.
//!
//! * **Each kind of update** reaches the callback of [`Gps::run`] (or [`Gps::feed`]) with
//!   its [`Sentence`]: match on the kinds you want, as the toolkit's `cb_mask` selects them.
//! * **Formats** ([`GpsFix::latitude_string`], [`GpsFix::speed_string`],
//!   [`DateTime::date_string`]…): the toolkit's angle formats (DD, DMS, DM, KML), speed units,
//!   compass points and date formats.
//! * **Local time**: [`GpsFix::local_datetime`] applies an offset in minutes, rolling the date
//!   over at midnight, month ends and leap days.
//! * **MTK receivers** (MTK3329/3339, e.g. Adafruit's Ultimate GPS): [`MtkCommand`] builds the
//!   PMTK sentences to write to the receiver's UART (update rate, baud rate, sentence rates,
//!   hot/warm/cold start, standby, antenna status); its answers arrive in the same stream as
//!   [`Sentence::Mtk`] and are kept in [`Gps::mtk`].
//!
//! ```
//! use fwsim_drivers::gps::{AngleFormat, DateFormat, SpeedUnit};
//! use fwsim_drivers::Gps;
//!
//! let mut gps = Gps::new();
//! gps.parse("$GPRMC,233000,A,4807.038,N,01131.000,E,022.4,084.4,311223,003.1,W*6A").unwrap();
//! let fix = gps.fix;
//! assert_eq!(fix.latitude_string(AngleFormat::DegreesMinutesSeconds), " 48°  7'  2\" N");
//! assert_eq!(fix.speed_string(SpeedUnit::Kph), "41.48 km/h");
//! assert_eq!(fix.compass_direction(), "E");
//! // An hour east of UTC, 23:30 on New Year's Eve is already next year.
//! let local = fix.local_datetime(60).unwrap();
//! assert_eq!((local.time_string().as_str(), local.date_string(DateFormat::Long).as_str()), ("00:30:00", "January 1st, 2024"));
//! ```

mod format;
mod mtk;
mod parse;

pub use format::{AngleFormat, DateFormat, DateTime, SpeedUnit, degrees_minutes_seconds};
pub use mtk::{AckStatus, Antenna, MtkCommand, MtkError, MtkReply, MtkState, SentenceRates};

use embedded_io_async::Read;

/// NMEA's checksum: the XOR of the bytes between `$` and `*`.
fn checksum(body: &str) -> u8 {
    body.bytes().fold(0, |a, b| a ^ b)
}

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

/// Which sentence was parsed.
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
    /// An answer of an MTK receiver to a command ([`MtkCommand`]); what it says is also in
    /// [`Gps::mtk`].
    Mtk(MtkReply),
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
    /// Sentences parsed: those that updated the fix, and MTK answers.
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
    /// What an MTK receiver answered to commands.
    pub mtk: MtkState,
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
}
