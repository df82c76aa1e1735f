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
    /// `FWSIM_PROGRESS`: an interval, or `Some(None)` for `off`.
    progress: Option<Option<Duration>>,
    /// `FWSIM_HANG_LIMIT`: a limit, or `Some(None)` for `off`.
    hang_limit: Option<Option<Duration>>,
}

impl Overrides {
    /// Reads `FWSIM_SEED`, `FWSIM_ITERATIONS`, `FWSIM_TIME_LIMIT`, `FWSIM_REPLAY`,
    /// `FWSIM_PROGRESS` and `FWSIM_HANG_LIMIT`; a value that does not parse is an error naming
    /// the variable and what was expected.
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
                parse_wall_time(&v).ok_or_else(|| {
                    format!("fwsim: FWSIM_TIME_LIMIT={v:?}: expected a duration such as 500ms, 30s, 10m or 1h")
                })
            })
            .transpose()?;
        let progress = get("FWSIM_PROGRESS")
            .map(|v| match v.trim() {
                "off" => Ok(None),
                interval => parse_wall_time(interval).map(Some).ok_or_else(|| {
                    format!("fwsim: FWSIM_PROGRESS={v:?}: expected an interval such as 10s or 1m, or off")
                }),
            })
            .transpose()?;
        let hang_limit = get("FWSIM_HANG_LIMIT").map(|v| crate::hang_watch::parse_hang_limit(&v)).transpose()?;
        Ok(Overrides {
            hang_limit,
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
            progress,
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
        // A campaign widened from the environment may run for minutes: it says how far it is.
        if self.iterations.is_some() || self.time_limit.is_some() {
            fuzz.progress = fuzz.progress.or(Some(super::progress::DEFAULT_INTERVAL));
        }
        if let Some(progress) = self.progress {
            fuzz.progress = progress;
        }
        if let Some(limit) = self.hang_limit {
            fuzz.hang_limit = limit;
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

/// Reads a wall-clock time as the `FWSIM_TIME_LIMIT` and `FWSIM_PROGRESS` variables and
/// `fwsim fuzz`'s `--time-limit` and `--shrink-limit` take it: `500ms`, `30s`, `1.5m` (or
/// `min`), `1h`, or a bare number of seconds. `None` for anything else, a negative time, or
/// one too long for a [`Duration`].
///
/// ```
/// use std::time::Duration;
/// use fwsim::fuzz::parse_wall_time;
///
/// assert_eq!(parse_wall_time("10m"), Some(Duration::from_secs(600)));
/// assert_eq!(parse_wall_time("250ms"), Some(Duration::from_millis(250)));
/// assert_eq!(parse_wall_time("ten minutes"), None);
/// ```
pub fn parse_wall_time(text: &str) -> Option<Duration> {
    let v = text.trim();
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
    Duration::try_from_secs_f64(seconds).ok()
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
        assert_eq!(parse_wall_time("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_wall_time("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_wall_time(" 45 "), Some(Duration::from_secs(45)), "a bare number is seconds");
        // Too long for a Duration: refused, not a panic inside the conversion.
        assert_eq!(parse_wall_time("99999999999999999999h"), None);
        assert_eq!(parse_wall_time("5 parsecs"), None);
    }

    /// Progress comes on when the environment widens a campaign, at the interval
    /// `FWSIM_PROGRESS` gives; `off` silences it, and the builder's interval stays otherwise.
    #[test]
    fn widening_turns_progress_on_unless_told_otherwise() {
        let progress = |pairs: &[(&str, &str)], fuzz: Fuzz| {
            let mut fuzz = fuzz;
            read(pairs).unwrap().apply(&mut fuzz);
            fuzz.progress
        };
        let plain = || Fuzz::new(super::super::Strategy::Random);
        assert_eq!(progress(&[], plain()), None);
        assert_eq!(progress(&[("FWSIM_SEED", "3")], plain()), None);
        assert_eq!(progress(&[("FWSIM_ITERATIONS", "9")], plain()), Some(Duration::from_secs(10)));
        assert_eq!(progress(&[("FWSIM_TIME_LIMIT", "1m")], plain()), Some(Duration::from_secs(10)));
        assert_eq!(progress(&[("FWSIM_ITERATIONS", "9"), ("FWSIM_PROGRESS", "off")], plain()), None);
        assert_eq!(progress(&[("FWSIM_PROGRESS", "2s")], plain()), Some(Duration::from_secs(2)));
        let given = || plain().progress(Duration::from_secs(1));
        assert_eq!(progress(&[("FWSIM_ITERATIONS", "9")], given()), Some(Duration::from_secs(1)));
    }

    #[test]
    fn the_hang_limit_is_a_duration_or_off() {
        let limit = |pairs: &[(&str, &str)]| {
            let mut fuzz = Fuzz::new(super::super::Strategy::Random);
            read(pairs).unwrap().apply(&mut fuzz);
            fuzz.hang_limit
        };
        assert_eq!(limit(&[]), Some(Duration::from_secs(60)), "the default");
        assert_eq!(limit(&[("FWSIM_HANG_LIMIT", "5m")]), Some(Duration::from_secs(300)));
        assert_eq!(limit(&[("FWSIM_HANG_LIMIT", "off")]), None);
        let e = read(&[("FWSIM_HANG_LIMIT", "never")]).unwrap_err();
        assert!(e.contains("FWSIM_HANG_LIMIT=\"never\"") && e.contains("or off"), "{e}");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = read(&[("FWSIM_ITERATIONS", "lots")]).unwrap_err();
        assert!(e.contains("FWSIM_ITERATIONS=\"lots\"") && e.contains("whole number"), "{e}");
        let e = read(&[("FWSIM_ITERATIONS", "0")]).unwrap_err();
        assert!(e.contains("FWSIM_ITERATIONS=0: expected 1 or more"), "{e}");
        let e = read(&[("FWSIM_PROGRESS", "often")]).unwrap_err();
        assert!(e.contains("FWSIM_PROGRESS=\"often\"") && e.contains("10s") && e.contains("off"), "{e}");
        let e = read(&[("FWSIM_TIME_LIMIT", "5 parsecs")]).unwrap_err();
        assert!(e.contains("FWSIM_TIME_LIMIT") && e.contains("30s"), "{e}");
    }
}
