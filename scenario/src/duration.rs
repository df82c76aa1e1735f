//! Durations as scenario files write them: `500ms`, `2s`, `1.5s`, `10min`, `1h`, `250us`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A span of virtual time, in nanoseconds, read from text such as `500ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub u64);

const UNITS: [(&str, u64); 6] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// What a duration looks like, for error messages.
pub const EXPECTED: &str = "a number and a unit (ns, us, ms, s, min, h), such as `500ms` or `1.5s`";

impl Duration {
    /// Parses `500ms`, `1.5s`, `10 min`.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let t = text.trim();
        let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
        let (number, unit) = (&t[..split], t[split..].trim());
        let bad = || format!("`{text}` is not a duration; expected {EXPECTED}");
        let scale = UNITS.iter().find(|(u, _)| *u == unit).map(|(_, s)| *s).ok_or_else(bad)?;
        let value: f64 = number.parse().map_err(|_| bad())?;
        let ns = value * scale as f64;
        if !ns.is_finite() || ns > u64::MAX as f64 / 2.0 {
            return Err(format!("`{text}` is too long a duration (the limit is about 290 years)"));
        }
        Ok(Duration(ns.round() as u64))
    }

    /// In milliseconds (rounded down), for reports.
    pub fn as_millis(self) -> u64 {
        self.0 / 1_000_000
    }
}

impl fwsim::IntoNanos for Duration {
    fn into_nanos(self) -> u64 {
        self.0
    }
}

/// As a scenario file would write it, so that a message repeats the file's `within: 1s` as
/// `1s`: a whole number of hours or minutes in that unit, else seconds (`1.5s`), or below a
/// second the largest unit it reaches (`250ms`, `12.5us`), with no trailing zeros.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        if ns == 0 {
            return f.write_str("0s");
        }
        for (unit, scale) in [("h", 3_600_000_000_000), ("min", 60_000_000_000)] {
            if ns.is_multiple_of(scale) {
                return write!(f, "{}{unit}", ns / scale);
            }
        }
        let (unit, scale) = match ns {
            1_000_000_000.. => ("s", 1_000_000_000),
            1_000_000.. => ("ms", 1_000_000),
            1_000.. => ("us", 1_000),
            _ => ("ns", 1),
        };
        let (whole, fraction) = (ns / scale, ns % scale);
        if fraction == 0 {
            return write!(f, "{whole}{unit}");
        }
        let digits = scale.ilog10() as usize;
        let fraction = format!("{fraction:0digits$}");
        write!(f, "{whole}.{}{unit}", fraction.trim_end_matches('0'))
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` has no unit; expected {EXPECTED}")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` has no unit; expected {EXPECTED}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` has no unit; expected {EXPECTED}")))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_fractions() {
        assert_eq!(Duration::parse("500ms"), Ok(Duration(500_000_000)));
        assert_eq!(Duration::parse("1.5s"), Ok(Duration(1_500_000_000)));
        assert_eq!(Duration::parse("10 min"), Ok(Duration(600_000_000_000)));
        assert_eq!(Duration::parse("250us"), Ok(Duration(250_000)));
        assert!(Duration::parse("5 parsecs").unwrap_err().contains("not a duration"));
        assert!(Duration::parse("ms").is_err());
        assert!(Duration::parse("1e300h").is_err());
    }

    /// Each form reads back as the same duration.
    #[test]
    fn shown_as_a_file_writes_it() {
        for (ns, shown) in [
            (0, "0s"),
            (7_200_000_000_000, "2h"),
            (600_000_000_000, "10min"),
            (90_000_000_000, "90s"),
            (1_000_000_000, "1s"),
            (1_500_000_000, "1.5s"),
            (1_020_833_333, "1.020833333s"),
            (250_000_000, "250ms"),
            (12_500, "12.5us"),
            (999, "999ns"),
        ] {
            assert_eq!(Duration(ns).to_string(), shown);
            assert_eq!(Duration::parse(shown), Ok(Duration(ns)), "{shown}");
        }
    }
}
