//! A scenario's artifacts, in one directory: `trace.jsonl` (the latest trace events),
//! `trace.perfetto.json` (open in ui.perfetto.dev), `board.vcd` and `signals.txt` (every
//! signal change), `serial-<port>.log` (what the firmware sent on each port), the
//! screenshots its steps saved, `replay.json` (what `fwsim replay` needs to run it again
//! exactly) and `report.json`.

use std::path::{Path, PathBuf};

use fwsim::Sim;
use fwsim_hw::Board;

use crate::app::{Part, Parts};
use crate::replay::{REPLAY_VERSION, ReplayFile};
use crate::report::Report;
use crate::scenario::Scenario;

/// What `fwsim replay` needs to run `scenario` again under `schedule` (and the interrupt
/// timing it was explored with).
pub(crate) fn replay_file(
    scenario: &Scenario,
    schedule: fwsim::Schedule,
    isr_jitter: Option<(u64, u32)>,
    isr_preemption: bool,
) -> ReplayFile {
    ReplayFile {
        fwsim_replay: REPLAY_VERSION,
        scenario: scenario.path.clone(),
        fingerprint: scenario.fingerprint.clone(),
        app: scenario.app.clone(),
        policy: scenario.policy.name().to_string(),
        seed: scenario.seed,
        timeout_ns: scenario.timeout.0,
        schedule,
        isr_jitter,
        isr_preemption,
    }
}

/// Writes the artifacts into `dir` and returns their paths. A file that cannot be written is
/// left out of the list and named in `write-errors.txt`, so nothing else is lost.
pub fn write(
    dir: &Path,
    sim: &Sim<'_>,
    board: &Board,
    parts: &Parts,
    report: &Report,
    scenario: &Scenario,
) -> Vec<PathBuf> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("fwsim: cannot create {}: {e}", dir.display());
        return Vec::new();
    }
    let mut results: Vec<(String, std::io::Result<()>)> = vec![
        ("trace.jsonl".into(), sim.write_trace_json_lines(&dir.join("trace.jsonl"))),
        ("trace.perfetto.json".into(), sim.write_perfetto(&dir.join("trace.perfetto.json"))),
    ];
    let board_files = board.write_artifacts(dir);
    let board_ok = board_files.is_ok();
    results.push(("board.vcd".into(), board_files));
    if board_ok {
        results.push(("signals.txt".into(), Ok(())));
    }
    for (id, part) in parts.iter() {
        if let Part::Serial(peer) = part {
            let name = format!("serial-{id}.log");
            let result = std::fs::write(dir.join(&name), peer.received_bytes());
            results.push((name, result));
        }
    }
    let replay = replay_file(scenario, sim.schedule(), sim.config().isr_jitter, sim.config().isr_preemption);
    let json = serde_json::to_string_pretty(&replay).expect("a replay serialises");
    results.push(("replay.json".into(), std::fs::write(dir.join("replay.json"), json + "\n")));
    let mut written: Vec<PathBuf> = results.iter().filter(|(_, r)| r.is_ok()).map(|(n, _)| dir.join(n)).collect();
    // Screenshots the steps saved are already in `dir`.
    let mut shots: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "png")).collect()
        })
        .unwrap_or_default();
    shots.sort();
    written.extend(shots);
    written.push(dir.join("report.json"));
    let mut report = report.clone();
    report.artifacts = written.clone();
    let json = serde_json::to_string_pretty(&report).expect("a report serialises");
    if let Err(e) = std::fs::write(dir.join("report.json"), json + "\n") {
        written.pop();
        results.push(("report.json".into(), Err(e)));
    }
    let errors: Vec<String> =
        results.iter().filter_map(|(n, r)| r.as_ref().err().map(|e| format!("{n}: {e}"))).collect();
    if !errors.is_empty() {
        let _ = std::fs::write(dir.join("write-errors.txt"), errors.join("\n") + "\n");
    }
    written
}
