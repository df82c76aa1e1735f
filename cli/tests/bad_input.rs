//! Bad scenario files: each kind of mistake gives `file:line:col: what was wrong; what was
//! expected` (a suggestion for a misspelt name) and exit code 2, and nothing runs.

mod support;

use support::{fwsim, scratch};

/// Checks `yaml` with `fwsim check` and returns the first line of the error.
fn error_of(name: &str, yaml: &str) -> String {
    let dir = scratch(&format!("bad-{name}"));
    std::fs::write(dir.join("s.yaml"), yaml).unwrap();
    let out = fwsim(&dir, &["check", "s.yaml"]);
    assert_eq!(out.code, 2, "{name}: exit code; stderr:\n{}", out.stderr);
    // `fwsim run` refuses the same file the same way, before running anything.
    let run = fwsim(&dir, &["run", "s.yaml"]);
    assert_eq!(run.code, 2, "{name}: run's exit code");
    assert!(run.stdout.is_empty(), "{name}: nothing ran: {}", run.stdout);
    out.stderr.lines().next().unwrap_or_default().to_string()
}

#[test]
fn an_unknown_top_level_key_is_named_with_a_suggestion() {
    assert_eq!(
        error_of("top", "app: thermostat\nstep:\n  - delay: 1s\n"),
        "error: s.yaml:2:1: unknown field `step`, expected one of name, version, author, description, app, policy, seed, \
         timeout, parts, steps; did you mean `steps`?"
    );
}

#[test]
fn an_unknown_step_key_is_named_with_a_suggestion() {
    let e = error_of("step", "app: thermostat\nsteps:\n  - dalay: 1s\n");
    assert!(e.starts_with("error: s.yaml:3:5: unknown field `dalay`, expected one of name, delay,"), "{e}");
    assert!(e.ends_with("; did you mean `delay`?"), "{e}");
}

#[test]
fn a_value_of_the_wrong_type() {
    assert_eq!(
        error_of("type", "app: thermostat\nseed: many\nsteps:\n  - delay: 1s\n"),
        "error: s.yaml:2:7: wrong type of value; expected a whole number (0 or more), such as 7"
    );
}

/// A value of the wrong shape names the key it belongs to and shows how that key is written,
/// with the value the file gave.
#[test]
fn a_value_of_the_wrong_shape_shows_how_its_key_is_written() {
    assert_eq!(
        error_of("shape-press", "app: thermostat\nsteps:\n  - press: units\n"),
        "error: s.yaml:3:12: `press` takes a map of its keys, not a single value; for example `press: { part-id: units }`"
    );
    assert_eq!(
        error_of("shape-steps", "app: thermostat\nsteps:\n  delay: 1s\n"),
        "error: s.yaml:3:3: `steps` takes a list: each step on a line of its own, starting with `- `"
    );
    assert_eq!(
        error_of("shape-empty", "app: thermostat\nsteps:\n  - press:\n  - delay: 1s\n"),
        "error: s.yaml:3:10: `press` has no value; for example `press: { part-id: button }`"
    );
    assert_eq!(
        error_of("shape-id", "app: thermostat\nsteps:\n  - press: { part-id: [units] }\n"),
        "error: s.yaml:3:23: expected text here (such as a part's name), not a list or a map"
    );
}

#[test]
fn a_duration_without_a_known_unit() {
    assert_eq!(
        error_of("unit", "app: thermostat\nsteps:\n  - delay: 5 parsecs\n"),
        "error: s.yaml:3:12: `5 parsecs` is not a duration; expected a number and a unit (ns, us, ms, s, min, h), such as \
         `500ms` or `1.5s`"
    );
    assert!(error_of("nounit", "app: thermostat\nsteps:\n  - delay: 500\n").contains("s.yaml:3:12: `500` has no unit"));
}

#[test]
fn an_unknown_app_with_a_suggestion() {
    assert_eq!(
        error_of("app", "app: thermostatt\nsteps:\n  - delay: 1s\n"),
        "error: s.yaml:1:6: unknown app `thermostatt`; expected one of thermostat, button-led, uart-shell, encoder-menu, gps-logger, ir-remote, \
         low-power, low-power-polling, uart-link, syncom-pair, gather, roundrobin, rate, watchdog-guard; did you mean \
         `thermostat`?"
    );
}

#[test]
fn an_unknown_part_with_a_suggestion() {
    assert_eq!(
        error_of("part", "app: thermostat\nsteps:\n  - expect-pin: { part-id: heatr, value: 1 }\n"),
        "error: s.yaml:3:28: app `thermostat` has no part `heatr`; expected one of its pins: heater; did you mean `heater`?"
    );
}

#[test]
fn a_part_of_the_wrong_kind_such_as_a_screenshot_of_a_pin() {
    assert_eq!(
        error_of("kind", "app: thermostat\nsteps:\n  - take-screenshot: { part-id: heater, save-to: x.png }\n"),
        "error: s.yaml:3:33: `heater` is a pin, and take-screenshot needs a display; this app's displays: oled"
    );
}

#[test]
fn a_malformed_regex() {
    assert_eq!(
        error_of("regex", "app: thermostat\nsteps:\n  - wait-serial: { regex: '([' }\n"),
        "error: s.yaml:3:27: the regex `([` does not compile (error: unclosed character class); expected a Rust regex"
    );
}

#[test]
fn a_missing_golden_file() {
    let e =
        error_of("golden", "app: thermostat\nsteps:\n  - take-screenshot: { part-id: oled, compare-with: nope.png }\n");
    assert!(e.starts_with("error: s.yaml:3:53: golden image `"), "{e}");
    assert!(e.ends_with("nope.png` not found; expected a PNG path relative to the scenario file"), "{e}");
}

#[test]
fn an_impossible_time_a_curve_that_goes_back() {
    assert_eq!(
        error_of(
            "curve",
            "app: thermostat\nparts:\n  bme280:\n    temperature: [[10s, 20], [5s, 19]]\nsteps:\n  - delay: 1s\n"
        ),
        "error: s.yaml:4:18: the curve's times go back (5s after 10s); expected each time after the one before"
    );
    // Two points at one time would be a jump the curve cannot hold: refused here, not a
    // panic when the scenario runs.
    assert_eq!(
        error_of(
            "curve-equal",
            "app: thermostat\nsteps:\n  - set-sensor: { part-id: bme280, quantity: humidity, value: [[0s, 5], [0s, 6]] }\n"
        ),
        "error: s.yaml:3:63: the curve has two points at 0s; expected each time after the one before"
    );
}

#[test]
fn a_step_with_two_actions_or_none() {
    assert_eq!(
        error_of("two", "app: thermostat\nsteps:\n  - delay: 1s\n    press: { part-id: units }\n"),
        "error: s.yaml:3:5: the step has two actions, `delay` and `press`; expected one action per step"
    );
    assert!(
        error_of("none", "app: thermostat\nsteps:\n  - name: nothing\n")
            .starts_with("error: s.yaml:3:5: the step has no action")
    );
}

#[test]
fn an_unknown_policy_quantity_and_fault_with_suggestions() {
    assert!(
        error_of("policy", "app: thermostat\npolicy: embasy\nsteps:\n  - delay: 1s\n")
            .ends_with("s.yaml:2:9: unknown policy `embasy`; expected one of embassy, micropython, fifo, random; did you mean `embassy`?")
    );
    assert!(
        error_of("quantity", "app: thermostat\nsteps:\n  - set-sensor: { part-id: bme280, quantity: temprature, value: 20 }\n")
            .ends_with("s.yaml:3:46: sensor `bme280` has no quantity `temprature`; expected one of temperature, humidity, pressure; did you mean `temperature`?")
    );
    assert!(error_of("fault", "app: thermostat\nsteps:\n  - i2c-fault: { part-id: i2c0, fault: nak }\n").ends_with(
        "s.yaml:3:40: unknown variant `nak`, expected one of nack, arbitration-loss, stuck-sda; did you mean `nack`?"
    ));
}

#[test]
fn broken_yaml_and_an_empty_timeline() {
    assert_eq!(error_of("syntax", "app: thermostat\nsteps: [\n"), "error: s.yaml:2:8: unclosed bracket '['");
    assert_eq!(
        error_of("empty", "app: thermostat\nsteps: []\n"),
        "error: s.yaml:1:1: the scenario has no steps; expected at least one under `steps:`"
    );
}

#[test]
fn a_bad_level_and_a_fault_missing_its_duration() {
    assert_eq!(
        error_of("level", "app: thermostat\nsteps:\n  - expect-pin: { part-id: heater, value: 2 }\n"),
        "error: s.yaml:3:43: `2` is not a level; expected a level: 1 or 0, high or low, true or false"
    );
    assert_eq!(
        error_of("stuck", "app: thermostat\nsteps:\n  - i2c-fault: { part-id: i2c0, fault: stuck-sda }\n"),
        "error: s.yaml:3:16: a `stuck-sda` fault needs `duration:` (how long SDA stays low)"
    );
}

#[test]
fn a_missing_file_and_a_pattern_that_matches_nothing() {
    let dir = scratch("missing");
    let out = fwsim(&dir, &["run", "nope.yaml"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.trim(), "fwsim: nope.yaml: no such file; expected a scenario file, a directory or a glob");
    let out = fwsim(&dir, &["check", "*.yaml"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.trim(), "fwsim: *.yaml: the pattern matches no file");
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = scratch("flags");
    std::fs::write(dir.join("s.yaml"), "app: thermostat\nsteps:\n  - delay: 1s\n").unwrap();
    let out = fwsim(&dir, &["run", "s.yaml", "--timeout", "soon"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("fwsim: --timeout: `soon` is not a duration"), "{}", out.stderr);
    let out = fwsim(&dir, &["run", "s.yaml", "--app", "thermostatt"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean `thermostat`?"), "{}", out.stderr);
    assert_eq!(fwsim(&dir, &["run", "s.yaml", "--policy", "lifo"]).code, 2);
    assert_eq!(fwsim(&dir, &["frobnicate"]).code, 2);
}

#[test]
fn at_only_on_stimuli_and_within_on_a_screenshot_needs_a_golden() {
    let e = error_of("at-wait", "app: thermostat\nsteps:\n  - expect-pin: { part-id: heater, value: 1, at: 1s }\n");
    assert!(
        e.starts_with("error: s.yaml:3:46: unknown field `at`, expected one of part-id, pin, value, within"),
        "{e}"
    );
    assert_eq!(
        error_of(
            "shot-within",
            "app: thermostat\nsteps:\n  - take-screenshot: { part-id: oled, save-to: a.png, within: 1s }\n"
        ),
        "error: s.yaml:3:22: `within:` waits for the display to match `compare-with:`; expected both"
    );
}

#[test]
fn a_power_cycle_that_names_neither_the_board_nor_the_peripherals() {
    let expected = "expected true (the whole board: the devices reset and the firmware boots again), `peripherals` \
                    (the devices only) or false";
    for (value, col) in [("mcu", 18), ("1", 18)] {
        let yaml = format!("app: thermostat\nsteps:\n  - power-cycle: {value}\n");
        let e = error_of("power", &yaml);
        assert_eq!(e, format!("error: s.yaml:3:{col}: `{value}` is not what a power cycle cuts; {expected}"));
    }
}

#[test]
fn an_idle_share_outside_0_to_100() {
    assert_eq!(
        error_of("idle", "app: low-power\nsteps:\n  - expect-idle: { at-least: 150 }\n"),
        "error: s.yaml:3:18: `at-least: 150` is not a share; expected 0 to 100 (per cent)"
    );
}

/// Counts whose every edge is scheduled when the step runs are bounded: a file cannot make the
/// run allocate without end (these two ran out of memory).
#[test]
fn counts_that_would_schedule_without_end_are_refused() {
    assert_eq!(
        error_of(
            "turn-steps",
            "app: encoder-menu\nsteps:\n  - turn: { part-id: knob, steps: -2147483648, period: 1ms }\n"
        ),
        "error: s.yaml:3:11: `steps: -2147483648` is more than one turn may take; expected at most 100000 detents either way"
    );
    assert_eq!(
        error_of(
            "bounce-pairs",
            "app: button-led\nparts:\n  button:\n    bounce: { window: 10s, max-pairs: 4000000000 }\nsteps:\n  - delay: 1s\n"
        ),
        "error: s.yaml:4:5: `max-pairs: 4000000000` is more chatter than a contact makes; expected at most 1000"
    );
}
