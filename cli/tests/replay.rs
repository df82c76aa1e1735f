//! `fwsim replay`: a recorded run runs again choice for choice; a changed scenario or a bad
//! replay file is refused.

mod support;

use support::{fwsim, root, scratch};

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_replay_reproduces_the_run_and_its_schedule_is_what_decides() {
    let (first, again, edited) = (scratch("replay-1"), scratch("replay-2"), scratch("replay-3"));
    let out = fwsim(
        &root(),
        &["run", "scenarios/thermostat.yaml", "--policy", "random", "--seed", "1", "--out", first.to_str().unwrap()],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let replay_file = first.join("thermostat/replay.json");
    let replay = json(&replay_file);
    assert_eq!(replay["policy"], "random");
    let deviations = replay["schedule"]["deviations"].as_array().unwrap().len();
    assert!(deviations >= 1, "seed 1 makes choices off the default order: {deviations}");

    let out = fwsim(&root(), &["replay", replay_file.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("PASS thermostat heats a cooling room (scenarios/thermostat.yaml, app thermostat, random replayed order, seed 1)"), "{}", out.stdout);
    let hash = |dir: &std::path::Path| json(&dir.join("thermostat/report.json"))["trace_hash"].clone();
    assert_eq!(hash(&first), hash(&again), "the replay is the same run, record for record");

    // Without its deviation the replay is another run: the schedule, not the seed, decides.
    let mut without = replay.clone();
    without["schedule"]["deviations"] = serde_json::json!([]);
    let edited_file = edited.join("replay.json");
    std::fs::write(&edited_file, without.to_string()).unwrap();
    let out = fwsim(&root(), &["replay", edited_file.to_str().unwrap(), "--out", edited.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_ne!(hash(&first), hash(&edited));
}

#[test]
fn a_changed_scenario_or_a_broken_replay_file_is_refused() {
    let dir = scratch("replay-changed");
    std::fs::write(dir.join("s.yaml"), "app: uart-shell\nsteps:\n  - wait-serial: \"> \"\n").unwrap();
    assert_eq!(fwsim(&dir, &["run", "s.yaml", "--out", "out"]).code, 0);
    std::fs::write(dir.join("s.yaml"), "app: uart-shell\nsteps:\n  - wait-serial: \">\"\n").unwrap();
    let out = fwsim(&dir, &["replay", "out/s/replay.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("fwsim replay: s.yaml changed since the replay was recorded (fingerprint "),
        "{}",
        out.stderr
    );

    std::fs::write(dir.join("bad.json"), "{\"fwsim_replay\": 1,\n \"scenario\": 7}").unwrap();
    let out = fwsim(&dir, &["replay", "bad.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("error: bad.json:2:14: invalid type: integer `7`, expected path string"),
        "{}",
        out.stderr
    );
    assert_eq!(fwsim(&dir, &["replay", "missing.json"]).code, 2);
}
