//! `fwsim fuzz`: campaigns that pass, failures shrunk and replayed, the first failure stopping
//! the campaign (or not, with `--keep-going`), a time limit, shards that partition the work,
//! a killed campaign resumed from its state file without repeating finished work, and a
//! watchdog reset under exploration.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use support::{fwsim, fwsim_as, root, scratch};

/// A scratch directory holding copies of `scenarios` (paths under the repository's
/// `scenarios/`), flattened.
fn with_scenarios(name: &str, scenarios: &[&str]) -> support::Scratch {
    let dir = scratch(name);
    for s in scenarios {
        let from = root().join("scenarios").join(s);
        std::fs::copy(&from, dir.join(Path::new(s).file_name().unwrap())).unwrap();
    }
    dir
}

/// The units a state file lists as done, as (scenario, unit) pairs.
fn done_units(state: &Path) -> Vec<(String, u64)> {
    let Ok(text) = std::fs::read_to_string(state) else { return Vec::new() };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    let mut out = Vec::new();
    for (scenario, units) in json["done"].as_object().unwrap() {
        for u in units.as_array().unwrap() {
            out.push((scenario.clone(), u.as_u64().unwrap()));
        }
    }
    out
}

#[test]
fn a_passing_campaign_reports_its_executions_and_exits_0() {
    let dir = with_scenarios("fuzz-pass", &["thermostat.yaml", "button-click.yaml"]);
    let out = fwsim(&dir, &["fuzz", "thermostat.yaml", "button-click.yaml", "-n", "30", "--chunk", "10"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("fuzz: 60 executions over 2 scenarios (random, seed 0); 6/6 units done; 0 failures"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.is_empty(), "no progress bar on a pipe: {}", out.stderr);
}

/// On a terminal the campaign shows a bar of executions, and clears it at the end.
#[test]
fn a_terminal_gets_a_progress_bar() {
    let dir = with_scenarios("fuzz-terminal", &["button-click.yaml"]);
    let out = support::fwsim_on_a_terminal(&dir, &["fuzz", "button-click.yaml", "-n", "30", "--chunk", "10"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("fuzz: 30 executions over 1 scenario"), "{}", out.stdout);
    assert!(out.stderr.contains("/30 executions, "), "a bar on the terminal: {:?}", out.stderr);
    // `--progress lines` is for logs: a line per unit even on a terminal, and no bar.
    let args = ["fuzz", "button-click.yaml", "-n", "30", "--chunk", "10", "--progress", "lines"];
    let out = support::fwsim_on_a_terminal(&dir, &args);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stderr.matches(" done (10 executions); ").count(), 3, "{:?}", out.stderr);
    assert!(!out.stderr.contains("/30 executions, "), "no bar with --progress lines: {:?}", out.stderr);
}

/// A campaign stops at its first failure; `--keep-going` runs every unit and records every
/// failure, each shrunk with its own replay file.
#[test]
fn the_first_failure_stops_the_campaign_unless_keep_going() {
    let dir = with_scenarios("fuzz-keep-going", &["must-fail/heater-too-soon.yaml", "button-click.yaml"]);
    let args = ["fuzz", "heater-too-soon.yaml", "button-click.yaml", "-n", "20", "--chunk", "10", "-j", "1"];
    let stopped = fwsim(&dir, &args);
    assert_eq!(stopped.code, 1, "{}{}", stopped.stdout, stopped.stderr);
    assert!(stopped.stdout.contains("fuzz: 1 execution over 2 scenarios"), "{}", stopped.stdout);
    assert!(stopped.stdout.contains("1/4 units done; 1 failure"), "{}", stopped.stdout);
    assert!(!dir.join("fwsim-out/fuzz/heater-too-soon/unit-1").exists(), "no unit after the failure ran");
    std::fs::remove_dir_all(dir.join("fwsim-out")).unwrap();
    let all = fwsim(&dir, &[&args[..], &["--keep-going", "--progress", "lines", "--state", "s.json"]].concat());
    assert_eq!(all.code, 1, "{}{}", all.stdout, all.stderr);
    for unit in [0, 1] {
        let line = format!("FAIL heater-too-soon.yaml (unit {unit}, execution 1): 0 deviation(s)");
        assert!(all.stdout.contains(&line), "{}", all.stdout);
        assert!(dir.join(format!("fwsim-out/fuzz/heater-too-soon/unit-{unit}/replay.json")).exists());
    }
    // Both failing units stopped at their first execution; the passing scenario ran in full.
    assert!(all.stdout.contains("fuzz: 22 executions over 2 scenarios"), "{}", all.stdout);
    assert!(all.stdout.contains("4/4 units done; 2 failures"), "{}", all.stdout);
    // A unit is counted by the executions it ran, not the ten it was given.
    assert_eq!(all.stderr.matches("heater-too-soon.yaml unit 0 done (1 execution)").count(), 1, "{}", all.stderr);
    assert_eq!(all.stderr.matches("button-click.yaml unit 1 done (10 executions)").count(), 1, "{}", all.stderr);
    let state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("s.json")).unwrap()).unwrap();
    assert_eq!(state["executions"], 22, "{state}");
}

/// `--out` moves the artifacts, and a shrink limit of zero reports the failing schedule as
/// found (the limit has passed before the first candidate, whatever the machine's speed).
#[test]
fn out_and_shrink_limit_are_obeyed() {
    let dir = with_scenarios("fuzz-out", &["must-fail/heater-too-soon.yaml"]);
    let out = fwsim(
        &dir,
        &["fuzz", "heater-too-soon.yaml", "-n", "5", "-j", "1", "--out", "elsewhere", "--shrink-limit", "0s"],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("(unit 0, execution 1): 2 deviation(s), shrunk from 2"), "{}", out.stdout);
    assert!(out.stdout.contains("replay: fwsim replay elsewhere/heater-too-soon/unit-0/replay.json"), "{}", out.stdout);
    assert!(dir.join("elsewhere/heater-too-soon/unit-0/replay.json").exists());
    assert!(!dir.join("fwsim-out").exists(), "nothing in the default directory");
}

/// `--time-limit` stops starting units once it has passed, but the first unit always runs
/// (a campaign of no executions would pass having tested nothing); the state file keeps the
/// rest for the next invocation. A limit of zero has passed before any unit, whatever the
/// machine's speed.
#[test]
fn a_time_limit_stops_starting_units_after_the_first_and_the_rest_resume() {
    let dir = with_scenarios("fuzz-time-limit", &["button-click.yaml"]);
    let args = ["fuzz", "button-click.yaml", "-n", "30", "--chunk", "10", "-j", "1", "--state", "s.json"];
    let limited = fwsim(&dir, &[&args[..], &["--time-limit", "0s"]].concat());
    assert_eq!(limited.code, 0, "{}{}", limited.stdout, limited.stderr);
    assert!(
        limited
            .stdout
            .contains("fuzz: 10 executions over 1 scenario (random, seed 0); 1/3 units done, stopped by --time-limit"),
        "{}",
        limited.stdout
    );
    assert_eq!(done_units(&dir.join("s.json")).len(), 1);
    // A limit in minutes, written as `FWSIM_TIME_LIMIT` takes it, leaves time for the rest.
    let rest = fwsim(&dir, &[&args[..], &["--time-limit", "10m"]].concat());
    assert_eq!(rest.code, 0, "{}{}", rest.stdout, rest.stderr);
    assert!(rest.stdout.contains("fuzz: 20 executions over 1 scenario"), "{}", rest.stdout);
    assert!(rest.stdout.contains("3/3 units done; 0 failures"), "{}", rest.stdout);
    let bad = fwsim(&dir, &[&args[..], &["--time-limit", "soon"]].concat());
    assert_eq!(bad.code, 2, "{}{}", bad.stdout, bad.stderr);
    let expected = "--time-limit: `soon` is not a wall-clock time; expected one such as 500ms, 30s, 10m or 1h";
    assert!(bad.stderr.contains(expected), "{}", bad.stderr);
}

#[test]
fn a_failure_is_shrunk_recorded_and_replayed_by_fwsim_replay() {
    let dir = with_scenarios("fuzz-fail", &["must-fail/heater-too-soon.yaml"]);
    let out = fwsim(&dir, &["fuzz", "heater-too-soon.yaml", "-n", "20", "-j", "1"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("FAIL heater-too-soon.yaml (unit 0, execution 1): 0 deviation(s)"), "{}", out.stdout);
    assert!(out.stdout.contains("expected pin `heater` to be high"), "{}", out.stdout);
    let replay = "fwsim-out/fuzz/heater-too-soon/unit-0/replay.json";
    assert!(out.stdout.contains(&format!("replay: fwsim replay {replay}")), "{}", out.stdout);
    // Run as a repository's own binary, the command to type names that binary.
    let embedded = fwsim_as("doorbench", &dir, &["fuzz", "heater-too-soon.yaml", "-n", "20", "-j", "1"]);
    assert!(embedded.stdout.contains(&format!("replay: doorbench replay {replay}")), "{}", embedded.stdout);
    let again = fwsim(&dir, &["replay", replay]);
    assert_eq!(again.code, 1);
    assert!(again.stdout.contains("expected pin `heater` to be high"), "{}", again.stdout);
}

#[test]
fn shards_partition_the_units() {
    let dir = with_scenarios("fuzz-shard", &["button-click.yaml"]);
    let mut seen = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let state = format!("state-{}.json", &shard[..1]);
        let args = ["fuzz", "button-click.yaml", "-n", "70", "--chunk", "10", "--shard", shard, "--state", &state];
        let out = fwsim(&dir, &args);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        seen.extend(done_units(&dir.join(&state)).into_iter().map(|(_, u)| u));
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..7).collect::<Vec<_>>(), "every unit once, in exactly one shard");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = with_scenarios("fuzz-bad", &["button-click.yaml"]);
    let out = fwsim(&dir, &["fuzz", "button-click.yaml", "--shard", "3/2"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--shard 3/2: expected i/n with 1 ≤ i ≤ n"), "{}", out.stderr);
    let out = fwsim(&dir, &["fuzz", "button-click.yaml", "--explorer", "dfs", "--shard", "1/2"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot be sharded"), "{}", out.stderr);
    // Zero threads, iterations or executions per unit, or a PCT of depth 0, mean nothing:
    // refused rather than quietly changed.
    for (flag, bad) in [
        ("--jobs", ["-j", "0"]),
        ("--depth", ["--depth", "0"]),
        ("--iterations", ["-n", "0"]),
        ("--chunk", ["--chunk", "0"]),
    ] {
        let out = fwsim(&dir, &["fuzz", "button-click.yaml", "--explorer", "pct", bad[0], bad[1]]);
        assert_eq!(out.code, 2, "{flag}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("invalid value '0' for '{flag}")), "{}", out.stderr);
    }
    // Another explorer's parameter would do nothing: refused rather than ignored.
    for (args, message) in [
        (
            ["--explorer", "random", "--depth", "3"],
            "--depth is for --explorer pct; with --explorer random it would do nothing",
        ),
        (
            ["--explorer", "pct", "--bound", "1"],
            "--bound is for --explorer dfs; with --explorer pct it would do nothing",
        ),
    ] {
        let out = fwsim(&dir, &[&["fuzz", "button-click.yaml"][..], &args].concat());
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{}", out.stderr);
    }
    let out = fwsim(&dir, &["fuzz", "button-click.yaml", "--jitter-steps", "3"]);
    assert_eq!(out.code, 2, "--jitter-steps alone: {}", out.stderr);
    assert!(out.stderr.contains("required arguments were not provided:\n  --isr-jitter"), "{}", out.stderr);
    let out = fwsim(&dir, &["run", "button-click.yaml", "--jobs", "0"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid value '0' for '--jobs"), "{}", out.stderr);
    // A state file of another campaign is refused, not silently mixed in.
    let first = fwsim(&dir, &["fuzz", "button-click.yaml", "-n", "10", "--state", "s.json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let other = fwsim(&dir, &["fuzz", "button-click.yaml", "-n", "10", "--seed", "9", "--state", "s.json"]);
    assert_eq!(other.code, 2);
    assert!(other.stderr.contains("the state file is of another campaign"), "{}", other.stderr);
}

#[test]
fn a_killed_campaign_resumes_without_repeating_finished_units() {
    let dir = with_scenarios("fuzz-resume", &["button-click.yaml"]);
    let args = ["fuzz", "button-click.yaml", "-n", "1000", "--chunk", "10", "-j", "1", "--state", "state.json"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_fwsim"))
        .args(args)
        .args(["--progress", "lines"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `--progress lines` reports each unit after the state file records it: read three such
    // lines (blocking, no clock involved), then kill the campaign mid-way.
    // The pipe stays open until the child is killed: it is the kill that stops it.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let reported = lines.by_ref().map(Result::unwrap).filter(|l| l.contains(" done (")).take(3).count();
    assert_eq!(reported, 3, "the campaign reports its units");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(lines);
    let state = dir.join("state.json");
    let before = done_units(&state).len();
    assert!((3..100).contains(&before), "killed mid-campaign with {before} of 100 units done");
    let out = fwsim(&dir, &args);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let expected = format!(
        "fuzz: {} executions over 1 scenario (random, seed 0) ({before} units were done already; 1000 executions in all); 100/100 units done",
        1000 - 10 * before
    );
    assert!(out.stdout.contains(&expected), "expected {expected:?} in:\n{}", out.stdout);
    assert_eq!(done_units(&state).len(), 100);
}

/// A DFS that runs out of schedules finishes its unit early, the unit's progress line counts
/// the executions that ran (bound 0: the run order's own schedule alone), and the summary says
/// whether every schedule within the bound was explored or the iterations ran out first.
#[test]
fn an_exhausted_dfs_unit_counts_what_it_ran() {
    let dir = with_scenarios("fuzz-dfs-exhausted", &["button-click.yaml", "thermostat.yaml"]);
    let args = ["fuzz", "button-click.yaml", "--explorer", "dfs", "--bound", "0", "-n", "50", "--progress", "lines"];
    let out = fwsim(&dir, &args);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let summary = "fuzz: 1 execution over 1 scenario (dfs bound 0, seed 0); 1/1 units done; 0 failures; every \
                   schedule within bound 0 explored\n";
    assert!(out.stdout.contains(summary), "{}", out.stdout);
    assert!(out.stderr.contains("button-click.yaml unit 0 done (1 execution); 1 of 1 units"), "{}", out.stderr);
    // The thermostat has 4 schedules within bound 1.
    let dfs = ["fuzz", "--explorer", "dfs", "--bound", "1", "-j", "1"];
    let out = fwsim(&dir, &[&dfs[..], &["thermostat.yaml", "-n", "4"]].concat());
    let all = "4 executions over 1 scenario (dfs bound 1, seed 0); 1/1 units done; 0 failures; every schedule \
               within bound 1 explored\n";
    assert!(out.stdout.contains(all), "{}", out.stdout);
    let out = fwsim(&dir, &[&dfs[..], &["thermostat.yaml", "-n", "3"]].concat());
    assert!(
        out.stdout.contains("0 failures; not every schedule within bound 1 explored: --iterations 3 ran out\n"),
        "{}",
        out.stdout
    );
    let out = fwsim(&dir, &[&dfs[..], &["thermostat.yaml", "button-click.yaml", "-n", "3"]].concat());
    let partial = "every schedule within bound 1 explored for 1 of 2 scenarios (--iterations 3 ran out for 1)\n";
    assert!(out.stdout.contains(partial), "{}", out.stdout);
}

#[test]
fn realizable_campaigns_with_interrupt_jitter() {
    let dir = with_scenarios("fuzz-jitter", &["button-click.yaml"]);
    let args = [
        "fuzz",
        "button-click.yaml",
        "--realizable",
        "--isr-jitter",
        "2ms",
        "--explorer",
        "dfs",
        "--bound",
        "1",
        "-n",
        "50",
    ];
    let out = fwsim(&dir, &args);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("(dfs bound 1, seed 0); 1/1 units done; 0 failures"), "{}", out.stdout);
    let out = fwsim(&dir, &["fuzz", "button-click.yaml", "--isr-jitter", "2ms", "--jitter-steps", "1"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--jitter-steps must be at least 2"), "{}", out.stderr);
    let out = fwsim(&dir, &["fuzz", "button-click.yaml", "--isr-jitter", "soon"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--isr-jitter:"), "{}", out.stderr);
}

/// A failure that needs a deviation (an IR edge 1 ms late, which a board's interrupt never
/// is: see FUZZING.md) is shrunk, proved minimal, explained, and replayed by `fwsim replay` bit
/// for bit: the replay's trace, waveform, signals and serial log are the fuzzer's, byte for
/// byte.
#[test]
fn a_deviating_failure_replays_bit_for_bit() {
    let dir = with_scenarios("fuzz-deviating", &["ir-remote.yaml"]);
    let args = ["fuzz", "ir-remote.yaml", "--realizable", "--isr-jitter", "2ms", "--explorer", "dfs", "--bound", "1"];
    let out = fwsim(&dir, &[&args[..], &["-j", "1"]].concat());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 deviation(s), the fewest possible"), "{}", out.stdout);
    let late = "    at 0.000000000s: irq1000 (IR), due at 4.065882169s, arrives 1ms late\n";
    assert!(out.stdout.contains(late), "the deviation in words: {}", out.stdout);
    let found = dir.join("fwsim-out/fuzz/ir-remote/unit-0");
    let replay = fwsim(&dir, &["replay", "fwsim-out/fuzz/ir-remote/unit-0/replay.json", "--out", "replayed"]);
    assert_eq!(replay.code, 1, "{}{}", replay.stdout, replay.stderr);
    assert!(replay.stdout.contains("embassy replayed order"), "{}", replay.stdout);
    assert!(
        replay.stdout.contains("the replayed schedule's 1 deviation(s):\n  at 0.000000000s: irq1000 (IR)"),
        "{}",
        replay.stdout
    );
    for artifact in ["trace.jsonl", "board.vcd", "signals.txt", "serial-uart.log"] {
        let (a, b) = (found.join(artifact), dir.join("replayed/ir-remote").join(artifact));
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "{artifact} differs");
    }
}

#[test]
fn a_pct_campaign_reports_its_depth() {
    let dir = with_scenarios("fuzz-pct", &["button-click.yaml"]);
    let out = fwsim(&dir, &["fuzz", "button-click.yaml", "--explorer", "pct", "--depth", "3", "-n", "20"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("fuzz: 20 executions over 1 scenario (pct depth 3, seed 0)"), "{}", out.stdout);
}

/// The executions a passing campaign's summary line counts.
fn executions(stdout: &str) -> u64 {
    let line = stdout.lines().find(|l| l.starts_with("fuzz: ")).expect("a summary line");
    line["fuzz: ".len()..].split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn interrupts_landing_inside_polls_are_more_schedules_to_explore() {
    let dir = with_scenarios("fuzz-preemption", &["encoder-menu.yaml"]);
    let base = ["fuzz", "encoder-menu.yaml", "--realizable", "--explorer", "dfs", "--bound", "1"];
    let between_polls = fwsim(&dir, &base);
    assert_eq!(between_polls.code, 0, "{}{}", between_polls.stdout, between_polls.stderr);
    let inside = fwsim(&dir, &[&base[..], &["--isr-preemption"]].concat());
    assert_eq!(inside.code, 0, "{}{}", inside.stdout, inside.stderr);
    assert!(inside.stdout.contains("1/1 units done; 0 failures"), "{}", inside.stdout);
    // The encoder's edge interrupts may also land at the end of the menu task's critical
    // sections: each is one more schedule at bound 1, and the menu survives them all.
    assert!(
        executions(&inside.stdout) > executions(&between_polls.stdout),
        "{}\n{}",
        between_polls.stdout,
        inside.stdout
    );
}

/// A watchdog's bite reboots the firmware in every execution of a campaign: the scenario that
/// claims the bite passes under exploration, and a copy that does not claim it fails, shrinks
/// to the run order's own schedule, and replays to the same failure bit for bit.
#[test]
fn a_watchdog_reset_is_fuzzed_and_replayed_like_any_step() {
    let dir = with_scenarios("fuzz-watchdog", &["watchdog-guard.yaml"]);
    let pct = |scenario| fwsim(&dir, &["fuzz", scenario, "--explorer", "pct", "-n", "40", "-j", "1"]);
    let out = pct("watchdog-guard.yaml");
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let claimed = std::fs::read_to_string(dir.join("watchdog-guard.yaml")).unwrap();
    let step =
        "  - name: the watchdog resets the hung firmware\n    expect-reset: { watchdog: iwdg, within: 1500ms }\n";
    assert!(claimed.contains(step), "the shipped scenario claims the bite");
    std::fs::write(dir.join("unclaimed.yaml"), claimed.replace(step, "  - delay: 1500ms\n")).unwrap();
    let out = pct("unclaimed.yaml");
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let bite = "1.000000000s: watchdog iwdg: WatchdogReset";
    assert!(out.stdout.contains("execution 1): 0 deviation(s)") && out.stdout.contains(bite), "{}", out.stdout);
    let replay = fwsim(&dir, &["replay", "fwsim-out/fuzz/unclaimed/unit-0/replay.json", "--out", "replayed"]);
    assert_eq!(replay.code, 1, "{}{}", replay.stdout, replay.stderr);
    assert!(replay.stdout.contains(bite), "{}", replay.stdout);
    let (found, replayed) = (dir.join("fwsim-out/fuzz/unclaimed/unit-0"), dir.join("replayed/unclaimed"));
    let trace = std::fs::read_to_string(found.join("trace.jsonl")).unwrap();
    let reboot = r#""kind":"Mark","source":"watchdog_reset iwdg","t_ns":1000000000"#;
    assert!(trace.contains(reboot), "the firmware was reset at the bite");
    for file in ["trace.jsonl", "serial-modem.log"] {
        assert_eq!(std::fs::read(found.join(file)).unwrap(), std::fs::read(replayed.join(file)).unwrap(), "{file}");
    }
}
