//! The GPS fix in the toolkit's formats, and local time across midnight, month ends and leap
//! days.

use fwsim_drivers::Gps;
use fwsim_drivers::gps::{AngleFormat, DateFormat, DateTime, SpeedUnit, degrees_minutes_seconds};
use proptest::prelude::*;

/// South and east, from the toolkit's own test sentences (checksum valid).
const SOUTH_EAST: &str = "$GPRMC,081836,A,3751.65,S,14507.36,E,000.0,360.0,130998,011.3,E*62";

fn at(year: u16, month: u8, day: u8, hour: u8, minute: u8) -> DateTime {
    DateTime { year, month, day, hour, minute, second: 7 }
}

#[test]
fn angles_in_each_format() {
    let mut gps = Gps::new();
    gps.parse(SOUTH_EAST).unwrap();
    let fix = gps.fix;
    let lat = |f| fix.latitude_string(f).to_string();
    let lon = |f| fix.longitude_string(f).to_string();
    assert_eq!(lat(AngleFormat::DecimalDegrees), "37.860833° S");
    assert_eq!(lat(AngleFormat::DegreesMinutesSeconds), " 37° 51' 39\" S");
    assert_eq!(lat(AngleFormat::DegreesMinutes), " 37° 51.6500' S");
    assert_eq!(lat(AngleFormat::Kml), "-37.860833");
    assert_eq!(lon(AngleFormat::DecimalDegrees), "145.122667° E");
    assert_eq!(lon(AngleFormat::DegreesMinutesSeconds), "145°  7' 22\" E");
    assert_eq!(lon(AngleFormat::DegreesMinutes), "145° 7.3600' E");
    assert_eq!(lon(AngleFormat::Kml), "145.122667");
    assert_eq!(fix.compass_direction(), "N", "course 360.0");
    let date = fix.utc_datetime().unwrap();
    assert_eq!(date.date_string(DateFormat::Mdy), "09/13/98");
    assert_eq!(date.date_string(DateFormat::Dmy), "13/09/98");
    assert_eq!(date.date_string(DateFormat::Long), "September 13th, 1998");
    assert_eq!(date.time_string(), "08:18:36");
}

#[test]
fn seconds_that_round_to_sixty_carry_into_the_minutes() {
    assert_eq!(degrees_minutes_seconds(10.999_999_9), (11, 0, 0));
    assert_eq!(degrees_minutes_seconds(-0.5), (0, 30, 0));
}

#[test]
fn speeds_and_compass_points() {
    let mut gps = Gps::new();
    gps.parse("$GPVTG,084.4,T,,M,022.4,N,041.5,K*6C").unwrap();
    let fix = gps.fix;
    assert_eq!(fix.speed_string(SpeedUnit::Knots), "22.40 knots");
    assert_eq!(fix.speed_string(SpeedUnit::Kph), "41.48 km/h");
    assert_eq!(fix.speed_string(SpeedUnit::Mph), "25.78 mph");
    let point = |course: f32| fwsim_drivers::GpsFix { course, ..fix }.compass_direction();
    let points: Vec<_> = [0.0, 11.24, 11.25, 84.4, 180.0, 191.0, 348.74, 348.75, 359.9].map(point).into();
    assert_eq!(points, ["N", "N", "NNE", "E", "S", "S", "NNW", "N", "N"]);
}

#[test]
fn local_time_rolls_the_date_over() {
    let cases = [
        (at(2023, 12, 31, 23, 30), 60, at(2024, 1, 1, 0, 30)),
        (at(2024, 2, 28, 23, 30), 60, at(2024, 2, 29, 0, 30)),
        (at(2024, 3, 1, 0, 15), -30, at(2024, 2, 29, 23, 45)),
        (at(2023, 3, 1, 0, 15), -30, at(2023, 2, 28, 23, 45)),
        (at(2024, 6, 30, 20, 0), 330, at(2024, 7, 1, 1, 30)),
        (at(2024, 1, 1, 5, 0), -600, at(2023, 12, 31, 19, 0)),
        (at(2100, 2, 28, 23, 0), 120, at(2100, 3, 1, 1, 0)),
    ];
    for (utc, offset, local) in cases {
        assert_eq!(utc.offset_by(offset), local, "{utc:?} {offset:+} min");
    }
    assert_eq!(at(2024, 1, 1, 0, 0).weekday(), 1, "a Monday");
    assert_eq!(at(2023, 12, 31, 0, 0).weekday(), 7, "a Sunday");
    assert_eq!(at(1998, 9, 13, 0, 0).weekday(), 7, "a Sunday");
}

#[test]
fn the_fix_gives_local_time_only_once_it_has_a_date() {
    let mut gps = Gps::new();
    gps.parse("$GPGGA,180050.896,3749.1802,N,08338.7865,W,1,07,1.1,397.4,M,-32.5,M,,0000*6C").unwrap();
    assert_eq!(gps.fix.local_datetime(60), None, "GGA has no date");
    gps.parse(SOUTH_EAST).unwrap();
    assert_eq!(gps.fix.local_datetime(-9 * 60).unwrap(), DateTime { hour: 23, second: 36, ..at(1998, 9, 12, 23, 18) });
}

proptest! {
    #[test]
    fn an_offset_and_its_opposite_cancel_and_days_follow_each_other(
        days in 0i64..60_000, minute_of_day in 0u32..1440, offset in -1440i32..1440,
    ) {
        let start = at(1990, 1, 1, 0, 0).offset_by((days * 1440 + i64::from(minute_of_day)) as i32);
        prop_assert_eq!(start.offset_by(offset).offset_by(-offset), start);
        let next = start.offset_by(1440);
        prop_assert_eq!(next.weekday() % 7, (start.weekday() + 1) % 7);
        prop_assert!(next.day == start.day + 1 || next.day == 1);
    }
}
