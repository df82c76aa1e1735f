//! A firmware task that never gives the CPU back (a loop with no `.await` that reads nothing
//! fwsim models) cannot be stopped on its thread. `fwsim run` gives its scenario up after
//! `--hang-limit` of wall time, names the task, runs the rest of the batch, and exits.
//!
//! The command ends the process when it gives a scenario up, so the test runs it in a child
//! process: this same test binary, told by an environment variable to be the command.

mod support;

use std::process::{Command, Stdio};

use wait_timeout::ChildExt;

use fwsim::Sim;
use fwsim_hw::Board;
use fwsim_scenario::{App, PartInfo, Parts};

/// Boots, then one task spins for ever from 100 ms on, reading nothing fwsim could see.
struct Stuck;

impl App for Stuck {
    fn name(&self) -> &str {
        "stuck"
    }
    fn about(&self) -> &str {
        "a task that never yields"
    }
    fn parts(&self) -> Vec<PartInfo> {
        Vec::new()
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, _board: &Board) -> Parts {
        sim.spawn("ticker", async {
            loop {
                embassy_time::Timer::after_millis(10).await;
            }
        });
        sim.spawn("stuck", async {
            embassy_time::Timer::after_millis(100).await;
            #[allow(clippy::empty_loop)]
            loop {}
        });
        Parts::new()
    }
}

/// Passes any scenario: a task that waits.
struct Fine;

impl App for Fine {
    fn name(&self) -> &str {
        "fine"
    }
    fn about(&self) -> &str {
        "waits"
    }
    fn parts(&self) -> Vec<PartInfo> {
        Vec::new()
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, _board: &Board) -> Parts {
        sim.spawn("idle", embassy_time::Timer::after_secs(1));
        Parts::new()
    }
}

/// A race that hangs: the waiter spins on a flag only the setter sets, and never yields.
/// In embassy's order the setter runs first and the scenario passes; in the other order the
/// waiter holds the CPU for ever, as it would on a board.
struct Racy;

impl App for Racy {
    fn name(&self) -> &str {
        "racy"
    }
    fn about(&self) -> &str {
        "a spin on a flag"
    }
    fn parts(&self) -> Vec<PartInfo> {
        Vec::new()
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, _board: &Board) -> Parts {
        let flag = &*sim.alloc(std::cell::Cell::new(false));
        sim.spawn("waiter", async move { while !flag.get() {} });
        sim.spawn("setter", async move { flag.set(true) });
        Parts::new()
    }
}

/// Three tasks note the order they first run in. In the order embassy runs them (the last
/// spawned first) the scenario passes; run in the order they were spawned, the last one
/// panics; in `HANG_ORDER` it blocks in its poll for ever, a stand-in for a loop that never
/// ends (parked, so that a stuck thread costs no CPU).
struct Fragile;

const HANG_ORDER: [u8; 3] = [1, 3, 2];

impl App for Fragile {
    fn name(&self) -> &str {
        "fragile"
    }
    fn about(&self) -> &str {
        "fails in one order, hangs in another"
    }
    fn parts(&self) -> Vec<PartInfo> {
        Vec::new()
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, _board: &Board) -> Parts {
        let order = &*sim.alloc(std::cell::RefCell::new(Vec::new()));
        for id in 1..=3u8 {
            sim.spawn(format!("t{id}"), async move {
                order.borrow_mut().push(id);
                let seen = order.borrow().clone();
                if seen == [1, 2, 3] {
                    panic!("ran in the order they were spawned");
                }
                if seen == HANG_ORDER {
                    never_return();
                }
            });
        }
        Parts::new()
    }
}

/// A poll that never returns and costs no CPU: parked, with no timeout (a spurious unpark
/// parks again).
fn never_return() -> ! {
    loop {
        std::thread::park();
    }
}

const AS_THE_COMMAND: &str = "FWSIM_TEST_AS_THE_COMMAND";
/// The test that, run with [`AS_THE_COMMAND`] set, is the command.
const CHILD: &str = "a_scenario_whose_firmware_never_yields_is_given_up_and_the_batch_goes_on";

#[test]
fn a_scenario_whose_firmware_never_yields_is_given_up_and_the_batch_goes_on() {
    if let Some(args) = std::env::var_os(AS_THE_COMMAND) {
        let args: Vec<String> = args.to_string_lossy().split('\x1f').map(String::from).collect();
        let cli = <fwsim_cli::Cli as clap::Parser>::parse_from(std::iter::once("fwsim".to_string()).chain(args));
        std::process::exit(fwsim_cli::execute(cli, &[&Stuck, &Fine, &Racy, &Fragile]).into());
    }
    let dir = support::scratch("hang");
    std::fs::write(dir.join("stuck.yaml"), "name: stuck\napp: stuck\nsteps:\n  - delay: 1s\n").unwrap();
    std::fs::write(dir.join("fine.yaml"), "name: fine\napp: fine\nsteps:\n  - delay: 2s\n").unwrap();
    // One worker: the fine scenario runs only if a new worker takes over from the stuck one.
    let out = as_the_command(
        &dir,
        &["run", "stuck.yaml", "fine.yaml", "--jobs", "1", "--hang-limit", "300ms", "--junit", "junit.xml"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("FAIL stuck (stuck.yaml, app stuck"), "{stdout}");
    assert!(
        stdout.contains(
            "stuck.yaml: at 0.100000000s: the firmware never gave the CPU back: one poll of task stuck#1 has run \
             since 0.100000000s of virtual time"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("PASS fine (fine.yaml"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fwsim: gave up on 1 run stuck in one poll past the hang limit"), "{stderr}");
    assert!(stdout.contains("1 passed, 1 failed, 2 scenarios"), "{stdout}");
    let report = std::fs::read_to_string(dir.join("fwsim-out/stuck/report.json")).unwrap();
    assert!(report.contains("the firmware never gave the CPU back"), "{report}");
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains("failures=\"1\""), "{junit}");

    // `fwsim replay` gives up the same way: the fine run's replay, pointed at the stuck file.
    let mut replay: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fwsim-out/fine/replay.json")).unwrap()).unwrap();
    let source = std::fs::read_to_string(dir.join("stuck.yaml")).unwrap();
    replay["scenario"] = "stuck.yaml".into();
    replay["app"] = "stuck".into();
    replay["fingerprint"] = fwsim_scenario::replay::fingerprint(&source).into();
    std::fs::write(dir.join("stuck-replay.json"), replay.to_string()).unwrap();
    let out = as_the_command(&dir, &["replay", "stuck-replay.json", "--hang-limit", "300ms"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("FAIL stuck (stuck.yaml, app stuck, embassy replayed order"), "{stdout}");
    assert!(stdout.contains("one poll of task stuck#1 has run since 0.100000000s"), "{stdout}");
}

#[test]
fn a_schedule_that_hangs_the_firmware_is_a_fuzzing_failure() {
    let dir = support::scratch("fuzz-hang");
    std::fs::write(dir.join("racy.yaml"), "name: racy\napp: racy\nsteps:\n  - delay: 10ms\n").unwrap();
    let run = as_the_command(&dir, &["run", "racy.yaml"]);
    assert_eq!(run.status.code(), Some(0), "the default order passes: {}", String::from_utf8_lossy(&run.stdout));

    let out = as_the_command(&dir, &["fuzz", "racy.yaml", "-n", "100", "--jobs", "1", "--hang-limit", "300ms"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("HUNG racy.yaml (unit 0, execution "), "{stdout}");
    assert!(stdout.contains("one poll of task waiter#0 has run since 0.000000000s"), "{stdout}");
    assert!(!stdout.contains("(unit 1,"), "the campaign stops at its first failure: {stdout}");
    assert!(
        stdout.contains("fuzz: 1 execution over 1 scenario (random, seed 0); 0/2 units done; 1 failure"),
        "{stdout}"
    );
    assert!(dir.join("fwsim-out/fuzz/racy/unit-0/report.json").exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fwsim fuzz: gave up on 1 run stuck in one poll"), "{stderr}");

    // Going on after failures: a new worker takes the next unit, which hangs too.
    let out = as_the_command(
        &dir,
        &["fuzz", "racy.yaml", "-n", "100", "--jobs", "1", "--hang-limit", "300ms", "--keep-going"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("HUNG racy.yaml (unit 0,") && stdout.contains("HUNG racy.yaml (unit 1,"), "{stdout}");
    assert!(stdout.contains("2 failures"), "{stdout}");
}

#[test]
fn a_failure_whose_shrinking_hangs_is_recorded_unshrunk_and_replays() {
    let dir = support::scratch("shrink-hang");
    std::fs::write(dir.join("fragile.yaml"), "name: fragile\napp: fragile\nsteps:\n  - delay: 10ms\n").unwrap();
    // Seed 3's first unit runs the tasks in spawn order at once; removing either of its two
    // deviations gives an order the shrinker must try, and one of them hangs.
    let args =
        ["fuzz", "fragile.yaml", "-n", "12", "--chunk", "1", "--jobs", "1", "--seed", "3", "--hang-limit", "300ms"];
    let out = as_the_command(&dir, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("FAIL fragile.yaml (unit 0, execution 1): 2 deviation(s), shrunk from 2"), "{stdout}");
    assert!(stdout.contains("HUNG fragile.yaml (shrinking unit 0's failure, recorded unshrunk)"), "{stdout}");
    assert!(stdout.contains("one poll of task t2#1 has run since 0.000000000s"), "{stdout}");
    assert!(dir.join("fwsim-out/fuzz/fragile/unit-0/hung-while-shrinking/report.json").exists());
    // The failure as found replays, and fails as it did.
    let replay = as_the_command(&dir, &["replay", "fwsim-out/fuzz/fragile/unit-0/replay.json"]);
    let replayed = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(1), "{replayed}");
    assert!(replayed.contains("task t3#2 panicked: ran in the order they were spawned"), "{replayed}");
}

#[test]
fn a_scenario_that_hangs_in_its_own_order_stops_a_pct_campaign_before_it_starts() {
    let dir = support::scratch("horizon-hang");
    std::fs::write(dir.join("stuck.yaml"), "name: stuck\napp: stuck\nsteps:\n  - delay: 1s\n").unwrap();
    let out = as_the_command(&dir, &["fuzz", "stuck.yaml", "--explorer", "pct", "--hang-limit", "300ms"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("HUNG stuck.yaml (its run in its own order, for PCT's horizon)"), "{stdout}");
    assert!(stdout.contains("fuzz: 0 executions over 1 scenario (pct depth 2, seed 0); 0/20 units done"), "{stdout}");
    assert!(dir.join("fwsim-out/fuzz/stuck/horizon/report.json").exists());
}

/// Runs `fwsim args…` over the apps above in `dir`, as a child process.
fn as_the_command(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([CHILD, "--exact", "--nocapture"])
        .env(AS_THE_COMMAND, args.join("\x1f"))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Without the hang limit the command never ends: stop it rather than hang the test.
    if child.wait_timeout(std::time::Duration::from_secs(120)).unwrap().is_none() {
        child.kill().unwrap();
        panic!("the command was still running after two minutes: the stuck scenario was never given up");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_hang_limit_that_is_not_a_duration_is_refused_before_anything_runs() {
    let dir = support::scratch("hang-limit");
    let out = support::fwsim(&dir, &["run", "missing.yaml", "--hang-limit", "soon"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "--hang-limit: `soon` is not a wall-clock time; expected one such as 500ms, 30s, 10m or 1h, or `off`"
        ),
        "{}",
        out.stderr
    );
}
