//! The environment variables that widen or replay a campaign without editing code.

use std::path::PathBuf;
use std::time::Duration;

use super::{Fuzz, ReplayFile};

/// What the environment asks for.
#[derive(Debug, Default)]
pub(super) struct Overrides {
    seed: Option<u64>,
    iterations: Option<u64>,
    time_limit: Option<Duration>,
    replay: Option<PathBuf>,
}

impl Overrides {
    /// Reads `FWSIM_SEED`, `FWSIM_ITERATIONS`, `FWSIM_TIME_LIMIT` and `FWSIM_REPLAY`; a value
    /// that does not parse is an error naming the variable and what was expected.
    pub(super) fn read() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let number = |key: &str| -> Result<Option<u64>, String> {
            get(key)
                .map(|v| v.trim().parse().map_err(|_| format!("fwsim: {key}={v:?}: expected a whole number")))
                .transpose()
        };
        let time_limit = get("FWSIM_TIME_LIMIT")
            .map(|v| {
                parse_duration(&v).ok_or_else(|| {
                    format!("fwsim: FWSIM_TIME_LIMIT={v:?}: expected a duration such as 500ms, 30s, 10m or 1h")
                })
            })
            .transpose()?;
        Ok(Overrides {
            seed: number("FWSIM_SEED")?,
            iterations: match number("FWSIM_ITERATIONS")? {
                Some(0) => {
                    return Err("fwsim: FWSIM_ITERATIONS=0: expected 1 or more (0 would never run the body, and pass)"
                        .to_owned());
                }
                n => n,
            },
            time_limit,
            replay: get("FWSIM_REPLAY").filter(|v| !v.is_empty()).map(PathBuf::from),
        })
    }

    pub(super) fn apply(&self, fuzz: &mut Fuzz) {
        if let Some(seed) = self.seed {
            fuzz.seed = seed;
        }
        if let Some(n) = self.iterations {
            fuzz.iterations = n;
        }
        if let Some(limit) = self.time_limit {
            fuzz.time_limit = Some(limit);
        }
    }

    /// The replay file to run instead of exploring, if `FWSIM_REPLAY` names one for the test
    /// called `name`. A file for another test is left to that test (so that `cargo test` with
    /// the variable set runs the other tests as usual).
    pub(super) fn replay_for(&self, name: &str) -> Result<Option<ReplayFile>, String> {
        let Some(path) = &self.replay else { return Ok(None) };
        let file = ReplayFile::read(path)?;
        Ok((file.test == name).then_some(file))
    }
}

/// `500ms`, `30s`, `10m`, `1h`, or a bare number of seconds.
fn parse_duration(v: &str) -> Option<Duration> {
    let v = v.trim();
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len());
    let (number, unit) = v.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    };
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Overrides, String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Overrides::from_lookup(|k| pairs.iter().find(|p| p.0 == k).map(|p| p.1.clone()))
    }

    #[test]
    fn numbers_and_durations_parse() {
        let o = read(&[("FWSIM_SEED", "42"), ("FWSIM_ITERATIONS", " 100 "), ("FWSIM_TIME_LIMIT", "1.5m")]).unwrap();
        assert_eq!((o.seed, o.iterations), (Some(42), Some(100)));
        assert_eq!(o.time_limit, Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = read(&[("FWSIM_ITERATIONS", "lots")]).unwrap_err();
        assert!(e.contains("FWSIM_ITERATIONS=\"lots\"") && e.contains("whole number"), "{e}");
        let e = read(&[("FWSIM_ITERATIONS", "0")]).unwrap_err();
        assert!(e.contains("FWSIM_ITERATIONS=0: expected 1 or more"), "{e}");
        let e = read(&[("FWSIM_TIME_LIMIT", "5 parsecs")]).unwrap_err();
        assert!(e.contains("FWSIM_TIME_LIMIT") && e.contains("30s"), "{e}");
    }
}
