//! A campaign whose body hangs in some schedule (a poll that never returns), or a
//! `fwsim::test` whose body hangs, ends the test process after the hang limit, with a report,
//! instead of hanging it. The process ends, so each case runs in a child process: this test
//! binary, told by a variable which case to play.

use std::cell::{Cell, RefCell};
use std::process::{Command, Stdio};
use std::time::Duration;

use fwsim::Sim;
use fwsim::fuzz::{Fuzz, Strategy};
use wait_timeout::ChildExt;

const CASE: &str = "FWSIM_HANG_TEST_CASE";

/// A waiter spins on a flag that only the setter sets: in FIFO order the setter runs second,
/// so the waiter holds the CPU for ever.
fn spin_on_a_flag<'s>(sim: &'s Sim<'s>) {
    let flag = &*sim.alloc(Cell::new(false));
    sim.spawn("setter", async move { flag.set(true) });
    sim.spawn("waiter", async move { while !flag.get() {} });
    sim.run_until_stalled().unwrap();
}

/// Three tasks note the order they first run in: in spawn order (FIFO's) all is well; in
/// reverse order the last panics; in the order 3, 1, 2 the last blocks for ever, a stand-in
/// for a loop that never ends (parked, so that a stuck thread costs no CPU). Removing either
/// deviation of the reverse order gives spawn order or 3, 1, 2: shrinking meets the hang.
fn fragile<'s>(sim: &'s Sim<'s>) {
    let order = &*sim.alloc(RefCell::new(Vec::new()));
    for id in 1..=3u8 {
        sim.spawn(format!("t{id}"), async move {
            order.borrow_mut().push(id);
            let seen = order.borrow().clone();
            assert!(seen != [3, 2, 1], "ran in reverse order");
            if seen == [3, 1, 2] {
                // Parked with no timeout (a spurious unpark parks again).
                loop {
                    std::thread::park();
                }
            }
        });
    }
    sim.run_until_stalled().unwrap();
}

/// Three tasks note the order they first run in; in the order 3, 1, 2 the last blocks for
/// ever (parked: a stuck thread that costs no CPU). Most schedules pass.
fn rarely_stuck<'s>(sim: &'s Sim<'s>) {
    let order = &*sim.alloc(RefCell::new(Vec::new()));
    for id in 1..=3u8 {
        sim.spawn(format!("t{id}"), async move {
            order.borrow_mut().push(id);
            if *order.borrow() == [3, 1, 2] {
                loop {
                    std::thread::park();
                }
            }
        });
    }
    sim.run_until_stalled().unwrap();
}

/// Plays the case the parent named, if it named one.
fn play_a_case() {
    let Ok(case) = std::env::var(CASE) else { return };
    let limit = Some(Duration::from_millis(300));
    match case.as_str() {
        "spin" => drop(Fuzz::new(Strategy::Random).name("spin").hang_limit(limit).iterations(50).run(spin_on_a_flag)),
        "fragile" => drop(Fuzz::new(Strategy::Random).name("fragile").seed(SEED).hang_limit(limit).run(fragile)),
        "rare" => drop(Fuzz::new(Strategy::Random).name("rare").seed(3).hang_limit(limit).run(rarely_stuck)),
        "plain" => fwsim::test(|sim| {
            sim.spawn("spinner", async {
                embassy_time::Timer::after_millis(2).await;
                #[allow(clippy::empty_loop)]
                loop {}
            });
            sim.run_for(fwsim::ms(5)).unwrap();
        }),
        other => panic!("no case {other}"),
    }
    std::process::exit(0);
}

/// A seed whose campaign meets the reverse order before 3, 1, 2.
const SEED: u64 = 2;

/// Runs this binary's test `test` as case `case`, with `vars`: exit code, stderr.
fn child(test: &str, case: &str, vars: &[(&str, &str)], dir: &std::path::Path) -> (Option<i32>, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture"])
        .env(CASE, case)
        .env("FWSIM_ARTIFACTS", dir)
        .envs(vars.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Without the hang limit the child never ends: stop it rather than hang the test.
    if child.wait_timeout(Duration::from_secs(120)).unwrap().is_none() {
        child.kill().unwrap();
        panic!("the child was still running after two minutes: the hang was never given up");
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fwsim-fuzz-hang-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_schedule_that_hangs_a_poll_ends_the_test_with_the_execution_and_the_task() {
    play_a_case();
    let dir = scratch("spin");
    let test = "a_schedule_that_hangs_a_poll_ends_the_test_with_the_execution_and_the_task";
    let (code, stderr) = child(test, "spin", &[], &dir);
    assert_eq!(code, Some(101), "{stderr}");
    assert!(
        stderr
            .contains("fwsim: `spin` hung in execution 1 of its campaign (random, seed 0): one poll of task waiter#1"),
        "{stderr}"
    );
    assert!(stderr.contains("FWSIM_SEED=0 FWSIM_ITERATIONS=1 runs the campaign to it again"), "{stderr}");
    assert!(stderr.contains("A stuck thread cannot be stopped, so the test process ends here"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Campaigns run untraced and keep no task names: the report's name comes from the campaign
/// run again to the hung execution, traced.
#[test]
fn a_hang_in_a_later_execution_is_reported_with_the_task_by_name() {
    play_a_case();
    let dir = scratch("rare");
    let test = "a_hang_in_a_later_execution_is_reported_with_the_task_by_name";
    let (code, stderr) = child(test, "rare", &[], &dir);
    assert_eq!(code, Some(101), "{stderr}");
    // Seed 3 meets the order 3, 1, 2 in execution 12.
    let hung = "fwsim: `rare` hung in execution 12 of its campaign (random, seed 3): one poll of task t2#1 has run for";
    assert!(stderr.contains(hung), "{stderr}");
    assert!(stderr.contains("FWSIM_SEED=3 FWSIM_ITERATIONS=12 runs the campaign to it again"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_plain_fwsim_test_that_hangs_ends_with_the_task_by_name() {
    play_a_case();
    let dir = scratch("plain");
    let test = "a_plain_fwsim_test_that_hangs_ends_with_the_task_by_name";
    let (code, stderr) = child(test, "plain", &[("FWSIM_HANG_LIMIT", "300ms")], &dir);
    assert_eq!(code, Some(101), "{stderr}");
    assert!(stderr.contains(&format!("fwsim: `{test}` hung: one poll of task spinner#0 has run for ")), "{stderr}");
    assert!(stderr.contains("s of wall time since virtual time 0.002000000s"), "{stderr}");
    assert!(stderr.contains("FWSIM_HANG_LIMIT sets the limit"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failure_whose_shrinking_hangs_leaves_its_replay_file_as_found() {
    play_a_case();
    let dir = scratch("fragile");
    let test = "a_failure_whose_shrinking_hangs_leaves_its_replay_file_as_found";
    let (code, stderr) = child(test, "fragile", &[], &dir);
    assert_eq!(code, Some(101), "{stderr}");
    assert!(stderr.contains("fwsim: `fragile` hung while shrinking the failure found in execution"), "{stderr}");
    let replay = dir.join("fragile/replay.json");
    assert!(stderr.contains(&format!("FWSIM_REPLAY={} replays that failure as found", replay.display())), "{stderr}");
    // The failure as found replays, and fails as it did (a panic in the test, not a hang).
    let (code, stderr) = child(test, "fragile", &[("FWSIM_REPLAY", replay.to_str().unwrap())], &dir);
    assert_eq!(code, Some(101), "{stderr}");
    assert!(stderr.contains("ran in reverse order"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
