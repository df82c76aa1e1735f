//! The replay file: everything needed to re-run a failing schedule, as JSON.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Fault, Strategy};
use crate::policy::Schedule;

/// A failing schedule, saved: `FWSIM_REPLAY=path cargo test <test>` (or `fwsim replay path`
/// for scenarios) re-runs it bit for bit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayFile {
    /// The fwsim version that wrote it.
    pub fwsim_version: String,
    /// The test it belongs to.
    pub test: String,
    /// The explorer that found the failure, and its parameters.
    pub explorer: Strategy,
    /// The explorer's seed.
    pub explorer_seed: u64,
    /// For PCT: the horizon (choice points) learnt by the failing execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pct_horizon: Option<u64>,
    /// The failing execution's number, counting from 1.
    pub execution: u64,
    /// The campaign explored only realizable schedules ([`Fuzz::realizable`](super::Fuzz::realizable)).
    #[serde(default)]
    pub realizable: bool,
    /// The simulation's own seed ([`SimConfig::seed`](crate::SimConfig::seed)).
    pub sim_seed: u64,
    /// The shrunk schedule, and with it the run order.
    pub schedule: Schedule,
    /// What went wrong when it was written.
    pub fault: Fault,
}

impl ReplayFile {
    /// Reads one; the error names the file and, for bad JSON, the line and column.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("fwsim: cannot read the replay file {}: {e}", path.display()))?;
        Self::parse(path, &text)
    }

    /// Parses the text of the replay file `path`.
    fn parse(path: &Path, text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| {
            // The position leads the message, as a compiler's does; serde's copy of it at the
            // end would say it twice.
            let message = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            let message = message.strip_suffix(&position).unwrap_or(&message);
            let hint = if has_key(text, "fwsim_replay") {
                "; it is a scenario's replay file, which `fwsim replay FILE` runs"
            } else {
                ""
            };
            format!("fwsim: {}:{}:{}: not a replay file: {message}{hint}", path.display(), e.line(), e.column())
        })
    }

    /// Writes it, pretty-printed.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, json + "\n")
    }
}

/// Whether `text` is a JSON object with the key `key`.
fn has_key(text: &str, key: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.get(key).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_replay_file_is_named_with_its_line_and_column_once() {
        let error =
            ReplayFile::parse(Path::new("r.json"), "{\n  \"fwsim_version\": 7\n}\n").expect_err("not a replay file");
        assert_eq!(error, "fwsim: r.json:2:20: not a replay file: invalid type: integer `7`, expected a string");
    }

    #[test]
    fn a_scenario_replay_file_is_pointed_at_fwsim_replay() {
        let text = r#"{"fwsim_replay": 1, "scenario": "s.yaml"}"#;
        let error = ReplayFile::parse(Path::new("r.json"), text).expect_err("not a test's replay file");
        assert!(error.ends_with("; it is a scenario's replay file, which `fwsim replay FILE` runs"), "{error}");
    }
}
