//! The embassy back end: programs run by the real embassy-executor 0.10 (the
//! `oracles/embassy` binary, its own workspace) in virtual time.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use fwsim_programs::{End, Outcome, Program};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../oracles/embassy/Cargo.toml")
}

/// Builds the oracle (once per process; cargo makes it a no-op when up to date) and returns
/// its path.
pub fn oracle() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let manifest = manifest();
            let out = Command::new(env!("CARGO"))
                .args(["build", "--release", "--locked", "-q", "--manifest-path"])
                .arg(&manifest)
                .output()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if !out.status.success() {
                return Err(format!("building the embassy oracle failed:\n{}", String::from_utf8_lossy(&out.stderr)));
            }
            Ok(manifest.with_file_name("target").join("release").join("embassy-oracle"))
        })
        .clone()
}

/// Runs `programs` on the real embassy-executor. A program whose tasks do not all finish
/// stops the oracle (its tasks hold static pool slots); it is restarted for the rest.
pub fn run(programs: &[Program]) -> Result<Vec<Outcome>, String> {
    let oracle = oracle()?;
    let mut outcomes = Vec::with_capacity(programs.len());
    while outcomes.len() < programs.len() {
        let rest = &programs[outcomes.len()..];
        let mut child = Command::new(&oracle)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", oracle.display()))?;
        let input = serde_json::to_vec(rest).map_err(|e| e.to_string())?;
        child.stdin.take().expect("piped").write_all(&input).map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let before = outcomes.len();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            outcomes.push(serde_json::from_str::<Outcome>(line).map_err(|e| format!("bad line {line:?}: {e}"))?);
        }
        let stuck = outcomes.last().is_some_and(|o| o.end != End::Done);
        let progressed = outcomes.len() > before;
        // Exit status 3 after a stuck program's line is the restart protocol, not a failure.
        let restart = out.status.code() == Some(3) && stuck && progressed;
        if !(out.status.success() || restart) {
            return Err(format!(
                "the embassy oracle failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(outcomes)
}
