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
        serde_json::from_str(&text)
            .map_err(|e| format!("fwsim: {}:{}:{}: not a replay file: {e}", path.display(), e.line(), e.column()))
    }

    /// Writes it, pretty-printed.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, json + "\n")
    }
}
