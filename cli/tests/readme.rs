//! `scenarios/README.md` documents every key with an example: each example loads and passes,
//! and every key the format has appears in one.

mod support;

use fwsim_scenario::RunOptions;

fn examples() -> Vec<String> {
    let text = std::fs::read_to_string(support::root().join("scenarios/README.md")).unwrap();
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

#[test]
fn every_example_in_the_scenario_readme_loads_and_passes() {
    let apps = fwsim_cli::apps::builtin();
    let examples = examples();
    assert!(examples.len() >= 15, "{} examples", examples.len());
    for (i, yaml) in examples.iter().enumerate() {
        // As if the file sat in scenarios/, so that golden paths resolve as documented.
        let path = support::root().join(format!("scenarios/readme-example-{i}.yaml"));
        let scenario = fwsim_scenario::parse(&path, yaml, &apps, Some("thermostat"))
            .unwrap_or_else(|e| panic!("example {i} does not load: {e}\n{yaml}"));
        let app = apps.iter().copied().find(|a| a.name() == scenario.app).unwrap();
        let report = fwsim_scenario::run(&scenario, app, &RunOptions::default());
        assert!(report.passed(), "example {i} ({}) fails:\n{}", scenario.name, report.human(true));
    }
}

#[test]
fn every_key_of_the_format_has_an_example() {
    let all = examples().join("\n");
    let keys = [
        "name",
        "version",
        "author",
        "description",
        "app",
        "policy",
        "seed",
        "timeout",
        "parts",
        "steps",
        "temperature",
        "humidity",
        "pressure",
        "bounce",
        "window",
        "max-pairs",
        "delay",
        "wait-serial",
        "text",
        "regex",
        "part-id",
        "within",
        "write-serial",
        "expect-pin",
        "pin",
        "value",
        "set-control",
        "control",
        "take-screenshot",
        "save-to",
        "compare-with",
        "press",
        "hold",
        "set-sensor",
        "quantity",
        "i2c-fault",
        "fault",
        "duration",
        "serial-error",
        "error",
        "power-cycle",
        "expect-no-diagnostics",
        "expect-task",
        "expect-reset",
        "watchdog",
        "state",
    ];
    for key in keys {
        assert!(all.contains(&format!("{key}:")), "no example uses `{key}:`");
    }
    for value in ["nack", "arbitration-loss", "stuck-sda", "parity", "running", "micropython"] {
        assert!(all.contains(value), "no example uses `{value}`");
    }
}
