//! Replay files: what it takes to run a scenario again exactly as it ran — the scenario (by
//! path and fingerprint), its app, seed, time limit and the schedule the run order took.
//! Every run writes one (`replay.json` among the artifacts); `fwsim replay` reads it.

use std::path::{Path, PathBuf};

use fwsim::Schedule;
use serde::{Deserialize, Serialize};

use crate::error::{InputError, json_message};

/// The format version this build writes and reads.
pub const REPLAY_VERSION: u32 = 1;

/// A recorded run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayFile {
    /// [`REPLAY_VERSION`].
    pub fwsim_replay: u32,
    /// The scenario file, as it was named on the command line.
    pub scenario: PathBuf,
    /// [`fingerprint`] of the scenario's text: a replay of a changed file is refused.
    pub fingerprint: String,
    /// The app.
    pub app: String,
    /// The run order's name (`random`…), after command-line overrides.
    pub policy: String,
    /// The seed.
    pub seed: u64,
    /// The scenario's time limit (ns), after command-line overrides.
    pub timeout_ns: u64,
    /// The order and the choices the run made: replayed exactly.
    pub schedule: Schedule,
    /// The interrupt arrival jitter the run was explored with (`fwsim fuzz --isr-jitter`):
    /// its choices are in the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isr_jitter: Option<(u64, u32)>,
    /// Whether interrupts could land inside polls (`fwsim fuzz --isr-preemption`): those
    /// choices are in the schedule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub isr_preemption: bool,
}

/// Whether `text` is the replay file of a fuzzed test (`fwsim::fuzz::ReplayFile`), which
/// users may hand to `fwsim replay` by mistake.
fn is_test_replay(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|v| v.get("fwsim_version").is_some() && v.get("test").is_some())
}

/// A 64-bit FNV-1a fingerprint of a scenario's text, in hex.
pub fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x}")
}

impl ReplayFile {
    /// Reads a replay file.
    pub fn read(path: &Path) -> Result<ReplayFile, InputError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::file(path, format!("cannot read the replay file: {e}; expected a replay.json")))?;
        let replay: ReplayFile = serde_json::from_str(&text).map_err(|e| {
            let message = json_message(&e);
            let expected = if is_test_replay(&text) {
                "it is a test's replay file (from `fwsim::fuzz`), which `FWSIM_REPLAY=FILE cargo test NAME` runs"
            } else {
                "expected a replay file written by fwsim run"
            };
            InputError::at(path, e.line() as u32, e.column() as u32, format!("{message}; {expected}"))
        })?;
        if replay.fwsim_replay != REPLAY_VERSION {
            return Err(InputError::file(
                path,
                format!(
                    "replay format {} is not this build's ({REPLAY_VERSION}); re-run the scenario",
                    replay.fwsim_replay
                ),
            ));
        }
        Ok(replay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(isr_preemption: bool) -> ReplayFile {
        ReplayFile {
            fwsim_replay: REPLAY_VERSION,
            scenario: "a.yaml".into(),
            fingerprint: fingerprint("a"),
            app: "button-led".into(),
            policy: "embassy".into(),
            seed: 0,
            timeout_ns: 1,
            schedule: Schedule::default(),
            isr_jitter: None,
            isr_preemption,
        }
    }

    /// Writes `text` to a file of its own, reads it as a replay file, and removes it.
    fn read_error(name: &str, text: &str) -> (PathBuf, String) {
        let path = std::env::temp_dir().join(format!("fwsim-{name}-{}.json", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let error = ReplayFile::read(&path).expect_err("not a scenario's replay file").to_string();
        std::fs::remove_file(&path).unwrap();
        (path, error)
    }

    #[test]
    fn a_bad_replay_file_is_named_with_its_position_once() {
        let (path, error) = read_error("bad-replay", "{\n  \"fwsim_replay\": \"one\"\n}\n");
        let expected = format!(
            "{}:2:23: invalid type: string \"one\", expected u32; expected a replay file written by fwsim run",
            path.display()
        );
        assert_eq!(error, expected);
    }

    #[test]
    fn a_tests_replay_file_is_pointed_at_cargo_test() {
        let (_, error) = read_error("test-replay", r#"{"fwsim_version": "0.1.0", "test": "t"}"#);
        assert!(error.ends_with("which `FWSIM_REPLAY=FILE cargo test NAME` runs"), "{error}");
    }

    #[test]
    fn interrupt_preemption_is_recorded_only_when_it_was_explored() {
        let plain = serde_json::to_string(&file(false)).unwrap();
        assert!(!plain.contains("isr_preemption"), "files of runs without it stay as they were: {plain}");
        assert_eq!(serde_json::from_str::<ReplayFile>(&plain).unwrap(), file(false));
        let preempting = serde_json::to_string(&file(true)).unwrap();
        assert_eq!(serde_json::from_str::<ReplayFile>(&preempting).unwrap(), file(true));
    }
}
