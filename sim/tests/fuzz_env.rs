//! The environment variables of the fuzzing harness, checked on a child process (the test
//! binary itself, running the one helper test below), so that no test changes its own
//! environment.

mod common;

use std::process::Command;

use fwsim::Sim;
use fwsim::fuzz::{Fuzz, Strategy};

const NAME: &str = "env-lost-update";

/// Two workers, the second 4 turns late: see `common::lost_update`.
fn lost_update<'s>(sim: &'s Sim<'s>) {
    common::lost_update(sim, 2, 4);
}

/// The campaign's name in the child: `NAME`, unless the parent names another test with this
/// variable (one helper then plays any test).
const CHILD_NAME: &str = "FWSIM_ENV_TEST_CHILD_NAME";

#[test]
#[ignore = "a helper: run as a child process by the tests below"]
fn child() {
    let name = std::env::var(CHILD_NAME).unwrap_or_else(|_| NAME.to_owned());
    Fuzz::new(Strategy::Random).name(name).iterations(1).run(lost_update);
}

/// Runs `child` with `env`; its exit status and stderr.
fn run_child(env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--include-ignored", "--nocapture", "--test-threads=1"]);
    for var in ["FWSIM_SEED", "FWSIM_ITERATIONS", "FWSIM_REPLAY", "FWSIM_TIME_LIMIT", CHILD_NAME] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn fwsim_replay_reruns_the_named_tests_schedule() {
    let failure = Fuzz::new(Strategy::Random).name(NAME).try_run(lost_update).unwrap_err();
    let file = failure.replay_file.unwrap();
    let (ok, output) = run_child(&[("FWSIM_REPLAY", file.to_str().unwrap())]);
    assert!(!ok);
    assert!(output.contains("fails when its replay file is replayed"), "{output}");
    assert!(output.contains("an increment was lost"), "{output}");
    let deviations = failure.deviations;
    let shown = format!("schedule: {deviations} deviation(s) from the Fifo order, as the replay file gives it");
    assert!(output.contains(&shown), "{output}");
    // Another test ignores the file and runs its own campaign (one passing execution), so that
    // `cargo test` with the variable set runs every other test as usual.
    let (ok, output) = run_child(&[("FWSIM_REPLAY", file.to_str().unwrap()), (CHILD_NAME, "env-other")]);
    assert!(ok, "{output}");
    assert!(!output.contains("replayed"), "{output}");
}

#[test]
fn fwsim_iterations_and_seed_widen_the_run() {
    // One iteration is too few for seed 0 here…
    let (ok, output) = run_child(&[]);
    assert!(ok, "{output}");
    // …the environment widens the run until it finds the bug, with the seed it names.
    let (ok, output) = run_child(&[("FWSIM_ITERATIONS", "5000"), ("FWSIM_SEED", "77")]);
    assert!(!ok);
    assert!(output.contains("(random, seed 77)"), "{output}");
    // A time limit from the environment narrows it again: only the first execution runs.
    let limited = [("FWSIM_ITERATIONS", "5000"), ("FWSIM_SEED", "77"), ("FWSIM_TIME_LIMIT", "0s")];
    let (ok, output) = run_child(&limited);
    assert!(ok, "{output}");
}

#[test]
fn a_bad_value_is_an_error_naming_the_variable() {
    let (ok, output) = run_child(&[("FWSIM_ITERATIONS", "lots")]);
    assert!(!ok);
    assert!(output.contains("FWSIM_ITERATIONS=\"lots\": expected a whole number"), "{output}");
    // Zero would pass without running the body: refused, not obeyed.
    let (ok, output) = run_child(&[("FWSIM_ITERATIONS", "0")]);
    assert!(!ok);
    assert!(output.contains("FWSIM_ITERATIONS=0: expected 1 or more"), "{output}");
    let (ok, output) = run_child(&[("FWSIM_REPLAY", "/nonexistent/replay.json")]);
    assert!(!ok);
    assert!(output.contains("cannot read the replay file /nonexistent/replay.json"), "{output}");
}
