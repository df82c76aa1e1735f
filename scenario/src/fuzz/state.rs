//! The campaign's state file: which units are done, so that a killed campaign resumes
//! without repeating or losing finished work.
//!
//! It is rewritten (to a temporary file, then renamed over the old one) after every unit, so
//! a kill at any moment leaves either the old state or the new one. A unit that was running
//! when the campaign was killed is not in it and runs again from its start; one that finished
//! is never run again. The file also keeps the plan: resuming with other parameters is
//! refused, since the units would mean other executions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The state file's format version.
const VERSION: u32 = 1;

/// What identifies a campaign: two runs with the same key run the same executions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PlanKey {
    pub(crate) explorer: super::Explorer,
    pub(crate) seed: u64,
    pub(crate) iterations: u64,
    pub(crate) chunk: u64,
    pub(crate) shard: (u32, u32),
    pub(crate) realizable: bool,
    pub(crate) isr_jitter: Option<(u64, u32)>,
    #[serde(default)]
    pub(crate) isr_preemption: bool,
    /// Each scenario by path, with its text's fingerprint.
    pub(crate) scenarios: Vec<(PathBuf, String)>,
}

/// The state: the plan and the units done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    fwsim_fuzz_state: u32,
    pub(crate) plan: PlanKey,
    /// Done units, by scenario path.
    pub(crate) done: BTreeMap<PathBuf, BTreeSet<u64>>,
    /// Executions of the done units.
    pub(crate) executions: u64,
}

impl State {
    pub(crate) fn new(plan: PlanKey) -> Self {
        State { fwsim_fuzz_state: VERSION, plan, done: BTreeMap::new(), executions: 0 }
    }

    /// The state in `path` if the file exists and belongs to `plan`; a fresh one if it does
    /// not exist; an error naming the file if it is unreadable or of another plan.
    pub(crate) fn load_or_new(path: &Path, plan: PlanKey) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::new(plan)),
            Err(e) => return Err(format!("{}: cannot read the state file: {e}", path.display())),
        };
        let state: State = serde_json::from_str(&text).map_err(|e| {
            let message = crate::error::json_message(&e);
            format!("{}:{}:{}: not a fuzzing state file: {message}", path.display(), e.line(), e.column())
        })?;
        if state.fwsim_fuzz_state != VERSION {
            return Err(format!(
                "{}: state format {} is not this build's ({VERSION})",
                path.display(),
                state.fwsim_fuzz_state
            ));
        }
        if state.plan != plan {
            return Err(format!(
                "{}: the state file is of another campaign (explorer, seed, iterations, chunk, shard, \
                 interrupt timing or the scenarios' text differ); delete it or give another --state",
                path.display()
            ));
        }
        Ok(state)
    }

    pub(crate) fn is_done(&self, scenario: &Path, unit: u64) -> bool {
        self.done.get(scenario).is_some_and(|d| d.contains(&unit))
    }

    pub(crate) fn mark_done(&mut self, scenario: &Path, unit: u64, executions: u64) {
        if self.done.entry(scenario.to_path_buf()).or_default().insert(unit) {
            self.executions += executions;
        }
    }

    /// Writes it atomically: a temporary file beside it, renamed over it.
    pub(crate) fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("tmp");
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json + "\n")?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(seed: u64) -> PlanKey {
        PlanKey {
            explorer: super::super::Explorer::Random,
            seed,
            iterations: 100,
            chunk: 10,
            shard: (0, 1),
            realizable: false,
            isr_jitter: None,
            isr_preemption: false,
            scenarios: vec![("a.yaml".into(), "0123".into())],
        }
    }

    #[test]
    fn a_saved_state_loads_back_and_another_plan_is_refused() {
        let dir = std::env::temp_dir().join(format!("fwsim-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let mut state = State::load_or_new(&path, plan(1)).unwrap();
        state.mark_done(Path::new("a.yaml"), 3, 10);
        state.mark_done(Path::new("a.yaml"), 3, 10);
        state.save(&path).unwrap();
        let back = State::load_or_new(&path, plan(1)).unwrap();
        assert_eq!(back, state);
        assert!(back.is_done(Path::new("a.yaml"), 3) && !back.is_done(Path::new("a.yaml"), 4));
        assert_eq!(back.executions, 10, "a unit counts once");
        let e = State::load_or_new(&path, plan(2)).unwrap_err();
        assert!(e.contains("another campaign"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_state_file_is_named_with_its_position_once() {
        let path = std::env::temp_dir().join(format!("fwsim-bad-state-{}.json", std::process::id()));
        std::fs::write(&path, "{\n  \"fwsim_fuzz_state\": [\n").unwrap();
        let e = State::load_or_new(&path, plan(1)).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            e,
            format!("{}:2:22: not a fuzzing state file: invalid type: sequence, expected u32", path.display())
        );
    }
}
