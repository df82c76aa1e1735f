//! The shipped scenarios through the `fwsim` binary: every one passes, the deliberately
//! failing one fails with its message and exit 1, runs are deterministic, and the outputs
//! (JSON, JUnit, artifacts, serial log) hold what they promise.

mod support;

use support::{fwsim, fwsim_as, root, scratch};

#[test]
fn every_shipped_scenario_passes() {
    let out_dir = scratch("shipped");
    let out = fwsim(&root(), &["run", "scenarios", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let shipped = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "yaml"));
    let count = shipped.count();
    assert!(count >= 10, "at least ten shipped scenarios, found {count}");
    assert!(out.stdout.ends_with(&format!("{count} passed, 0 failed, {count} scenarios\n")), "{}", out.stdout);
}

#[test]
fn the_failing_scenario_fails_with_its_step_time_and_place() {
    let out_dir = scratch("must-fail");
    let out = fwsim(&root(), &["run", "scenarios/must-fail/heater-too-soon.yaml", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "FAIL expects heating too soon (scenarios/must-fail/heater-too-soon.yaml, app thermostat, embassy order, seed 0)"
    );
    assert!(
        lines[1].starts_with("  scenarios/must-fail/heater-too-soon.yaml:10:5: step 2 at 60.1"),
        "the place and virtual time of the failing step: {}",
        lines[1]
    );
    assert!(lines[1].ends_with("expected pin `heater` to be high within 1min; it stayed low"), "{}", lines[1]);
    assert_eq!(lines[2], "  last signal changes:");
    assert!(out.stdout.contains("  last trace events:"));
    // The signal changes are shown once, with their values: not again as trace marks.
    let events = &out.stdout[out.stdout.find("  last trace events:").unwrap()..];
    assert!(!events.contains(r#""kind":"Mark""#), "{events}");
    assert!(events.contains(r#""kind":"PollBegin""#), "{events}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("heater-too-soon/report.json")).unwrap()).unwrap();
    assert_eq!(report["outcome"]["verdict"], "failed");
    assert_eq!(report["outcome"]["line"], 10);
}

#[test]
fn the_same_scenario_gives_the_same_artifacts_byte_for_byte_at_any_job_count() {
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    let one = fwsim(&root(), &["run", "scenarios", "--jobs", "1", "--out", a.to_str().unwrap()]);
    let two = fwsim(&root(), &["run", "scenarios", "--jobs", "2", "--out", b.to_str().unwrap()]);
    assert_eq!(one.code, 0);
    assert_eq!(one.stdout.replace(a.to_str().unwrap(), "OUT"), two.stdout.replace(b.to_str().unwrap(), "OUT"));
    let mut compared = 0;
    for scenario in std::fs::read_dir(&a).unwrap() {
        let scenario = scenario.unwrap().path();
        for file in std::fs::read_dir(&scenario).unwrap() {
            let file = file.unwrap().path();
            let twin = b.join(scenario.file_name().unwrap()).join(file.file_name().unwrap());
            let (x, y) = (std::fs::read(&file).unwrap(), std::fs::read(&twin).unwrap());
            if file.file_name().unwrap() == "report.json" {
                // Reports name their own artifact paths, which differ by directory.
                let strip =
                    |v: Vec<u8>, d: &std::path::Path| String::from_utf8(v).unwrap().replace(d.to_str().unwrap(), "OUT");
                assert_eq!(strip(x, &a), strip(y, &b), "{}", file.display());
            } else {
                assert!(x == y, "{} differs between the runs", file.display());
            }
            compared += 1;
        }
    }
    assert!(compared > 60, "compared {compared} artifact files");
}

#[test]
fn artifacts_hold_trace_timeline_waveform_serial_log_screenshots_and_report() {
    let out_dir = scratch("artifacts");
    let out = fwsim(&root(), &["run", "scenarios/thermostat.yaml", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let dir = out_dir.join("thermostat");
    for name in [
        "trace.jsonl",
        "trace.perfetto.json",
        "board.vcd",
        "signals.txt",
        "serial-uart.log",
        "celsius.png",
        "fahrenheit.png",
        "report.json",
    ] {
        let len = std::fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{name} written and not empty");
    }
    assert!(
        out.stdout.contains(&format!("thermostat heats a cooling room: {}", dir.display())),
        "paths printed: {}",
        out.stdout
    );
    let log = std::fs::read_to_string(dir.join("serial-uart.log")).unwrap();
    assert!(log.starts_with("T=21.0C heater=off\r\n"), "{log:.40}");
    let vcd = std::fs::read_to_string(dir.join("board.vcd")).unwrap();
    assert!(vcd.contains("HEATER"));
}

#[test]
fn json_and_junit_reports() {
    let out_dir = scratch("json");
    let junit = out_dir.join("junit.xml");
    let out = fwsim(
        &root(),
        &[
            "run",
            "scenarios/shell-commands.yaml",
            "scenarios/must-fail/heater-too-soon.yaml",
            "--format",
            "json",
            "--junit",
            junit.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 1);
    let reports: serde_json::Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON array");
    assert_eq!(reports[0]["outcome"]["verdict"], "passed");
    assert_eq!(reports[1]["outcome"]["verdict"], "failed");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"<testsuites name="fwsim" tests="2" skipped="0" failures="1" errors="0">"#), "{xml}");
    assert!(xml.contains(r#"<testcase name="shell commands" classname="scenarios/shell-commands.yaml""#), "{xml}");
    assert!(xml.contains("heater-too-soon.yaml:10: at 60.1"), "{xml}");
}

#[test]
fn wokwi_flags_expect_text_fail_text_timeout_exit_code_and_serial_log() {
    let dir = scratch("wokwi");
    std::fs::write(dir.join("boot.yaml"), "app: thermostat\nsteps:\n  - delay: 1s\n").unwrap();
    let out_arg = dir.join("out");
    let out_dir = out_arg.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "boot.yaml", "--out", out_dir, "--timeout", "30s"];
        args.extend_from_slice(extra);
        fwsim(&dir, &args)
    };
    assert_eq!(run(&["--expect-text", "T=21.0C"]).code, 0);
    let missing = run(&["--expect-text", "T=99.0C", "--timeout-exit-code", "42"]);
    assert_eq!(missing.code, 42, "{}", missing.stdout);
    assert!(missing.stdout.contains("TIMEOUT"), "{}", missing.stdout);
    let failed = run(&["--fail-text", "heater=off"]);
    assert_eq!(failed.code, 1);
    assert!(failed.stdout.contains("the fail text \"heater=off\" appeared on `uart`"), "{}", failed.stdout);
    let log = dir.join("serial.log");
    assert_eq!(run(&["--serial-log-file", log.to_str().unwrap()]).code, 0);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "T=21.0C heater=off\r\n");
}

#[test]
fn overrides_of_seed_and_policy_show_in_the_verdict() {
    let dir = scratch("override");
    let out = fwsim(
        &root(),
        &[
            "run",
            "scenarios/shell-commands.yaml",
            "--seed",
            "9",
            "--policy",
            "micropython",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("app uart-shell, micropython order, seed 9"), "{}", out.stdout);
}

/// `--verbose` adds every step with its virtual times; `--quiet` leaves only failures and the
/// summary; the two together are a usage error.
#[test]
fn verbose_and_quiet_choose_how_much_is_printed() {
    let dir = scratch("verbosity");
    let out = dir.to_str().unwrap();
    let run = |extra: &[&str]| {
        let args = [
            &["run", "scenarios/button-click.yaml", "scenarios/must-fail/heater-too-soon.yaml", "--out", out][..],
            extra,
        ];
        fwsim(&root(), &args.concat())
    };
    let plain = run(&[]);
    assert_eq!(plain.code, 1, "{}", plain.stdout);
    assert!(plain.stdout.contains("PASS click toggles") && plain.stdout.contains("FAIL expects heating too soon"));
    assert!(!plain.stdout.contains("line   6 wait-serial"), "{}", plain.stdout);
    let verbose = run(&["--verbose"]);
    assert!(verbose.stdout.contains("  ok     1. line   6 wait-serial: 0.000000000s .. "), "{}", verbose.stdout);
    let quiet = run(&["--quiet"]);
    assert!(!quiet.stdout.contains("PASS click toggles"), "{}", quiet.stdout);
    assert!(quiet.stdout.contains("FAIL expects heating too soon"), "{}", quiet.stdout);
    assert!(quiet.stdout.contains("1 passed, 1 failed, 2 scenarios"), "{}", quiet.stdout);
    let both = run(&["--quiet", "--verbose"]);
    assert_eq!(both.code, 2);
    assert!(both.stderr.contains("'--quiet' cannot be used with '--verbose'"), "{}", both.stderr);
}

/// On a terminal `fwsim run` shows a bar of scenarios done, which follows the virtual time of
/// a long one; `--quiet` shows none.
#[test]
fn a_terminal_gets_a_progress_bar_unless_quiet() {
    let dir = scratch("terminal");
    let out = dir.to_str().unwrap();
    let args = ["run", "scenarios/thermostat.yaml", "scenarios/button-click.yaml", "--out", out];
    let shown = support::fwsim_on_a_terminal(&root(), &args);
    assert_eq!(shown.code, 0, "{}{}", shown.stdout, shown.stderr);
    assert!(shown.stderr.contains("/2 scenarios"), "a bar on the terminal: {:?}", shown.stderr);
    assert!(shown.stderr.contains(" of virtual time"), "the bar follows virtual time: {:?}", shown.stderr);
    let quiet = support::fwsim_on_a_terminal(&root(), &[&args[..], &["--quiet"]].concat());
    assert_eq!(quiet.code, 0, "{}{}", quiet.stdout, quiet.stderr);
    assert!(!quiet.stderr.contains("scenarios"), "no bar with --quiet: {:?}", quiet.stderr);
}

#[test]
fn new_writes_a_skeleton_that_checks_and_runs_for_every_app() {
    let dir = scratch("new");
    for app in ["thermostat", "button-led", "uart-shell", "encoder-menu"] {
        let file = format!("{app}.yaml");
        let out = fwsim(&dir, &["new", app, "--output", &file]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(fwsim(&dir, &["new", app, "--output", &file]).code, 2, "never overwrites");
        let check = fwsim(&dir, &["check", &file]);
        assert_eq!(check.code, 0, "{app}: {}", check.stderr);
        let run = fwsim(&dir, &["run", &file, "--out", "out"]);
        assert_eq!(run.code, 0, "{app}: {}", run.stdout);
    }
    assert_eq!(fwsim(&dir, &["new", "thermostatt"]).code, 2);
}

/// A repository's own binary (`fwsim_cli::main` over its apps) is not called `fwsim`: the
/// commands the output tells the user to type name the binary that was run.
#[test]
fn the_commands_to_type_name_the_binary_that_ran() {
    let dir = scratch("program-name");
    let out = fwsim_as("doorbench", &dir, &["new", "thermostat", "--output", "door.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("run it with: doorbench run door.yaml"), "{}", out.stdout);
    let skeleton = std::fs::read_to_string(dir.join("door.yaml")).unwrap();
    assert!(skeleton.contains("Run: doorbench run <this file>"), "{skeleton}");
}

#[test]
fn list_names_apps_parts_and_models() {
    let out = fwsim(&root(), &["list"]);
    assert_eq!(out.code, 0);
    for word in [
        "thermostat",
        "button-led",
        "uart-shell",
        "encoder-menu",
        "bme280",
        "oled",
        "lcd",
        "knob",
        "rotary encoder",
        "HD44780",
    ] {
        assert!(out.stdout.contains(word), "{word} in:\n{}", out.stdout);
    }
}

#[test]
fn expect_idle_fails_with_the_share_measured_and_the_report_has_the_busy_time() {
    let dir = scratch("expect-idle");
    let file = dir.join("too-busy.yaml");
    let yaml = "app: low-power-polling\nsteps:\n  - delay: 10s\n  - expect-idle: { at-least: 99.5 }\n";
    std::fs::write(&file, yaml).unwrap();
    let out = fwsim(&root(), &["run", file.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("expected the core idle at least 99.5 % of the time; it was idle 98.999 % (busy 0.1000"),
        "{}",
        out.stdout
    );
    let passing = dir.join("idle.yaml");
    std::fs::write(&passing, "app: low-power\nsteps:\n  - delay: 10s\n  - expect-idle: { at-least: 99.99 }\n").unwrap();
    let out = fwsim(&root(), &["run", passing.to_str().unwrap(), "--out", dir.join("out2").to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains(", CPU idle 99.99"), "{}", out.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out2/idle/report.json")).unwrap()).unwrap();
    let busy = report["busy_ns"].as_u64().unwrap();
    assert!(busy > 0 && busy < 1_000_000, "busy {busy} ns in 10 s");
}

/// `fwsim run … | head` closes the pipe early: the output stops there, the runs finish, and
/// the exit code is still the verdict's (no "failed printing to stdout" panic, exit 101).
#[test]
fn a_reader_that_goes_away_ends_the_output_not_the_verdict() {
    let dir = scratch("closed-pipe");
    for (args, code) in [(vec!["list"], 0), (vec!["run", "scenarios/must-fail", "-v", "--out"], 1)] {
        let mut args: Vec<String> = args.into_iter().map(String::from).collect();
        if args.last().is_some_and(|a| a == "--out") {
            args.push(dir.to_str().unwrap().to_owned());
        }
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fwsim"))
            .args(&args)
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes before the first line
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Two files of one stem (`a/blink.yaml`, `b/blink.yaml`, as a glob over folders finds them)
/// each keep their artifacts: the second goes to `blink-2`, and the paths printed say which.
#[test]
fn scenarios_of_one_file_name_keep_artifacts_of_their_own() {
    let dir = scratch("same-stem");
    for (folder, wait) in [("a", "1s"), ("b", "2s")] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        let yaml = format!("name: blink {folder}\napp: button-led\nsteps:\n  - delay: {wait}\n");
        std::fs::write(dir.join(folder).join("blink.yaml"), yaml).unwrap();
    }
    let out = fwsim(&dir, &["run", "*/blink.yaml", "--out", "out", "--jobs", "2"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for (name, folder, end_ns) in [("blink a", "blink", 1_000_000_000u64), ("blink b", "blink-2", 2_000_000_000)] {
        let report = std::fs::read_to_string(dir.join("out").join(folder).join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!((report["name"].as_str(), report["end_ns"].as_u64()), (Some(name), Some(end_ns)));
        assert!(
            out.stdout.contains(&format!("{name}: {}", std::path::Path::new("out").join(folder).display())),
            "{}",
            out.stdout
        );
    }
}
