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
    match name.as_str() {
        PASSING => Fuzz::new(Strategy::Random).name(name).iterations(1).run(two_yielders),
        EXHAUSTED => Fuzz::new(Strategy::Dfs { bound: 1 }).name(name).iterations(1000).run(two_yielders),
        _ => Fuzz::new(Strategy::Random).name(name).iterations(1).run(lost_update),
    };
}

/// The child's names for a random campaign that passes, and a DFS that passes and runs out of
/// schedules.
const PASSING: &str = "env-passing";
const EXHAUSTED: &str = "env-exhausted";

/// Two tasks that yield three times each and share nothing: it passes in every schedule.
fn two_yielders<'s>(sim: &'s Sim<'s>) {
    for name in ["a", "b"] {
        sim.spawn(name, async {
            for _ in 0..3 {
                fwsim::yield_now().await;
            }
        });
    }
    sim.run_until_stalled().unwrap();
}

/// Runs `child` with `env`; its exit status and stderr.
fn run_child(env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--include-ignored", "--nocapture", "--test-threads=1"]);
    for var in ["FWSIM_SEED", "FWSIM_ITERATIONS", "FWSIM_REPLAY", "FWSIM_TIME_LIMIT", "FWSIM_PROGRESS", CHILD_NAME] {
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
    // The panic points at the campaign's `run` call in the test, not inside fwsim.
    assert!(output.contains("panicked at sim/tests/fuzz_env.rs:"), "{output}");
    // Zero would pass without running the body: refused, not obeyed.
    let (ok, output) = run_child(&[("FWSIM_ITERATIONS", "0")]);
    assert!(!ok);
    assert!(output.contains("FWSIM_ITERATIONS=0: expected 1 or more"), "{output}");
    let (ok, output) = run_child(&[("FWSIM_REPLAY", "/nonexistent/replay.json")]);
    assert!(!ok);
    assert!(output.contains("cannot read the replay file /nonexistent/replay.json"), "{output}");
}

/// A campaign widened from the environment says how far it is and, at the end, what ran and
/// why it stopped; `FWSIM_PROGRESS` sets how often (0s: at every look, each 1024 executions)
/// or silences it. A campaign of the code's own size says nothing.
#[test]
fn a_widened_campaign_reports_its_progress() {
    let (ok, output) = run_child(&[(CHILD_NAME, PASSING), ("FWSIM_ITERATIONS", "3000"), ("FWSIM_PROGRESS", "0s")]);
    assert!(ok, "{output}");
    let lines: Vec<&str> = output.lines().filter(|l| l.starts_with("fwsim: `env-passing`: ")).collect();
    assert_eq!(lines.len(), 3, "{output}");
    assert!(lines[0].starts_with("fwsim: `env-passing`: 1024 of 3000 executions, "), "{output}");
    assert!(lines[1].starts_with("fwsim: `env-passing`: 2048 of 3000 executions, "), "{output}");
    assert!(lines[2].starts_with("fwsim: `env-passing`: 3000 executions passed (random, seed 0) in "), "{output}");
    // Widening alone turns the lines on (every 10 s, so how many come before the last one
    // depends on the machine's speed: only the last is checked).
    let (ok, output) = run_child(&[(CHILD_NAME, PASSING), ("FWSIM_ITERATIONS", "3000")]);
    assert!(ok, "{output}");
    assert!(output.contains("3000 executions passed"), "{output}");
    let (ok, output) = run_child(&[(CHILD_NAME, PASSING), ("FWSIM_ITERATIONS", "3000"), ("FWSIM_PROGRESS", "off")]);
    assert!(ok && !output.contains("fwsim: `env-passing`"), "{output}");
    let (ok, output) = run_child(&[(CHILD_NAME, PASSING)]);
    assert!(ok && !output.contains("fwsim: `env-passing`"), "{output}");
    // Why a campaign stopped before its iterations.
    let (ok, output) = run_child(&[(CHILD_NAME, PASSING), ("FWSIM_ITERATIONS", "3000"), ("FWSIM_TIME_LIMIT", "0s")]);
    assert!(ok, "{output}");
    assert!(output.contains("1 executions passed (random, seed 0) in "), "{output}");
    assert!(output.contains("; stopped by the time limit of 0.0 s"), "{output}");
    let (ok, output) = run_child(&[(CHILD_NAME, EXHAUSTED), ("FWSIM_PROGRESS", "10s")]);
    assert!(ok, "{output}");
    assert!(output.contains("executions passed (dfs bound 1, seed 0) in "), "{output}");
    assert!(output.contains("; every schedule within the bound was explored"), "{output}");
    // A failure says that shrinking begins, before the report.
    let (ok, output) = run_child(&[("FWSIM_ITERATIONS", "5000"), ("FWSIM_SEED", "77")]);
    assert!(!ok);
    let shrinking = output.find("failed; shrinking its schedule (at most 30.0 s)").expect(&output);
    assert!(shrinking < output.find("fwsim: `env-lost-update` failed in execution").expect(&output), "{output}");
}
