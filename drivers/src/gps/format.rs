//! The fix in the toolkit's formats: angles as decimal degrees, degrees-minutes-seconds,
//! degrees and decimal minutes or KML; speed in knots, km/h or mph; a compass point; UTC or
//! local date and time, with the date rolling over when the offset crosses midnight.

use core::fmt::Write as _;

use super::GpsFix;
use crate::sched::{civil_from_days, secs_from_civil};

/// How an angle is written (the toolkit's `DD`, `DMS`, `DM`, `KML`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AngleFormat {
    /// `51.508333° N`.
    DecimalDegrees,
    /// `51° 30' 30" N`: whole degrees, minutes and seconds (rounded).
    DegreesMinutesSeconds,
    /// ` 51° 30.5000' N`: whole degrees and decimal minutes, as NMEA sends them.
    DegreesMinutes,
    /// `51.508333`: signed decimal degrees (south and west negative), as KML files want.
    Kml,
}

/// A unit of speed (the toolkit's `KNOT`, `KPH`, `MPH`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpeedUnit {
    /// Knots, as NMEA sends them.
    Knots,
    /// Kilometres per hour (1 knot = 1.852 km/h).
    Kph,
    /// Miles per hour (1 knot = 1.151 mph, the toolkit's factor).
    Mph,
}

/// How a date is written (the toolkit's `MDY`, `DMY`, `LONG`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `03/23/94`.
    Mdy,
    /// `23/03/94`.
    Dmy,
    /// `March 23rd, 1994`.
    Long,
}

/// A calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// The year, four digits.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–59.
    pub second: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const COMPASS: [&str; 16] =
    ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"];

impl DateTime {
    /// The same instant `minutes` later (earlier if negative): a local time for a time zone
    /// `minutes` east of UTC, the date rolling over as needed.
    pub fn offset_by(self, minutes: i32) -> DateTime {
        let day_minutes = i64::from(self.hour) * 60 + i64::from(self.minute) + i64::from(minutes);
        let days = days_from_civil(self.year, self.month, self.day) + day_minutes.div_euclid(1440);
        let in_day = day_minutes.rem_euclid(1440);
        // Offsets are hours, GPS dates from 1980: the day count stays positive.
        let (year, month, day) = civil_from_days(days.max(0) as u64);
        DateTime {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: (in_day / 60) as u8,
            minute: (in_day % 60) as u8,
            second: self.second,
        }
    }

    /// The day of the week, 1 for Monday to 7 for Sunday (the toolkit's and a Pyboard RTC's
    /// numbering).
    pub fn weekday(&self) -> u8 {
        // 1970-01-01 was a Thursday.
        ((days_from_civil(self.year, self.month, self.day) + 3).rem_euclid(7) + 1) as u8
    }

    /// `hh:mm:ss`.
    pub fn time_string(&self) -> heapless::String<8> {
        let mut s = heapless::String::new();
        let _ = write!(s, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second);
        s
    }

    /// The date in `format`.
    pub fn date_string(&self, format: DateFormat) -> heapless::String<24> {
        let mut s = heapless::String::new();
        let yy = self.year % 100;
        let _ = match format {
            DateFormat::Mdy => write!(s, "{:02}/{:02}/{yy:02}", self.month, self.day),
            DateFormat::Dmy => write!(s, "{:02}/{:02}/{yy:02}", self.day, self.month),
            DateFormat::Long => {
                let suffix = match self.day {
                    1 | 21 | 31 => "st",
                    2 | 22 => "nd",
                    3 | 23 => "rd",
                    _ => "th",
                };
                let month = MONTHS[usize::from(self.month.clamp(1, 12)) - 1];
                write!(s, "{month} {}{suffix}, {}", self.day, self.year)
            }
        };
        s
    }
}

impl GpsFix {
    /// The UTC date and time of the fix; `None` before the first RMC gave a date.
    pub fn utc_datetime(&self) -> Option<DateTime> {
        let (day, month, year) = self.date?;
        let [hour, minute, second] = self.utc;
        Some(DateTime { year, month, day, hour, minute, second })
    }

    /// The local date and time `offset_minutes` east of UTC (the toolkit's `local_offset`, in
    /// minutes so that half-hour zones fit).
    pub fn local_datetime(&self, offset_minutes: i32) -> Option<DateTime> {
        Some(self.utc_datetime()?.offset_by(offset_minutes))
    }

    /// The latitude in `format`.
    pub fn latitude_string(&self, format: AngleFormat) -> heapless::String<24> {
        angle_string(self.latitude, format, 'N', 'S')
    }

    /// The longitude in `format`.
    pub fn longitude_string(&self, format: AngleFormat) -> heapless::String<24> {
        angle_string(self.longitude, format, 'E', 'W')
    }

    /// The speed over ground in `unit`.
    pub fn speed_in(&self, unit: SpeedUnit) -> f32 {
        match unit {
            SpeedUnit::Knots => self.speed_knots,
            SpeedUnit::Kph => self.speed_knots * 1.852,
            SpeedUnit::Mph => self.speed_knots * 1.151,
        }
    }

    /// The speed with two decimals and its unit: `41.48 km/h`.
    pub fn speed_string(&self, unit: SpeedUnit) -> heapless::String<16> {
        let name = match unit {
            SpeedUnit::Knots => "knots",
            SpeedUnit::Kph => "km/h",
            SpeedUnit::Mph => "mph",
        };
        let mut s = heapless::String::new();
        let _ = write!(s, "{:.2} {name}", self.speed_in(unit));
        s
    }

    /// The course as one of the 16 compass points (`N`, `NNE`, … `NNW`).
    pub fn compass_direction(&self) -> &'static str {
        let shifted = libm::fmod(f64::from(self.course) + 11.25, 360.0);
        let shifted = if shifted < 0.0 { shifted + 360.0 } else { shifted };
        COMPASS[(shifted / 22.5) as usize % 16]
    }
}

/// Whole degrees, minutes and rounded seconds of `degrees` (its sign dropped); 60 seconds
/// carry into the minutes.
pub fn degrees_minutes_seconds(degrees: f64) -> (u16, u8, u8) {
    let total_seconds = libm::round(libm::fabs(degrees) * 3600.0) as u64;
    ((total_seconds / 3600) as u16, (total_seconds / 60 % 60) as u8, (total_seconds % 60) as u8)
}

fn angle_string(signed: f64, format: AngleFormat, positive: char, negative: char) -> heapless::String<24> {
    let hemisphere = if signed < 0.0 { negative } else { positive };
    let degrees = libm::fabs(signed);
    let mut s = heapless::String::new();
    let _ = match format {
        AngleFormat::DecimalDegrees => write!(s, "{degrees:.6}° {hemisphere}"),
        AngleFormat::DegreesMinutesSeconds => {
            let (d, m, sec) = degrees_minutes_seconds(degrees);
            write!(s, "{d:3}° {m:2}' {sec:2}\" {hemisphere}")
        }
        AngleFormat::DegreesMinutes => {
            let whole = libm::trunc(degrees);
            write!(s, "{:3}° {:.4}' {hemisphere}", whole as u16, (degrees - whole) * 60.0)
        }
        AngleFormat::Kml => write!(s, "{signed:.6}"),
    };
    s
}

/// Days since 1970-01-01 of a date (GPS dates are from 1980 on).
fn days_from_civil(year: u16, month: u8, day: u8) -> i64 {
    (secs_from_civil(i64::from(year), u32::from(month), u32::from(day), 0, 0, 0) / 86_400) as i64
}
