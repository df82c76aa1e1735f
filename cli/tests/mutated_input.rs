//! Mutated scenario files never panic the loader or the runner: each either loads and runs to
//! a verdict, or is refused with a located error. Mutations start from the shipped scenarios
//! and cut, duplicate, swap and insert text (keys, values, YAML punctuation, odd bytes).

mod support;

use std::path::PathBuf;

use fwsim_scenario::{Duration, RunOptions};
use proptest::prelude::*;

fn shipped() -> Vec<(PathBuf, String)> {
    let dir = support::root().join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect()
}

const TOKENS: &[&str] = &[
    ":",
    "-",
    " ",
    "\n",
    "  ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "#",
    "&a",
    "*a",
    "!!str",
    "0",
    "-1",
    "1e400",
    "99999999999999999999",
    "1.5",
    "ms",
    "s",
    "min",
    "h",
    "5 parsecs",
    "delay",
    "wait-serial",
    "expect-pin",
    "press",
    "part-id",
    "value",
    "within",
    "set-sensor",
    "quantity",
    "regex",
    "(",
    "\\",
    "take-screenshot",
    "compare-with",
    "save-to",
    "../x.png",
    "i2c-fault",
    "stuck-sda",
    "duration",
    "serial-error",
    "power-cycle",
    "true",
    "null",
    "~",
    "é",
    "\u{0}",
    "\t",
    "app",
    "steps",
    "parts",
];

#[derive(Debug, Clone)]
enum Edit {
    Cut(usize, usize),
    Insert(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for e in edits {
        match *e {
            Edit::Cut(at, len) if !s.is_empty() => {
                let at = at % s.len();
                let end = (at + len % 12).min(s.len());
                s.drain(at..end);
            }
            Edit::Insert(at, token) => {
                let at = at % (s.len() + 1);
                let t: Vec<char> = TOKENS[token % TOKENS.len()].chars().collect();
                s.splice(at..at, t);
            }
            Edit::DuplicateLine(n) | Edit::SwapLines(n, _) if s.is_empty() => {
                let _ = n;
            }
            Edit::DuplicateLine(n) => {
                let text: String = s.iter().collect();
                let mut lines: Vec<&str> = text.lines().collect();
                let n = n % lines.len().max(1);
                if let Some(line) = lines.get(n).copied() {
                    lines.insert(n, line);
                }
                s = (lines.join("\n") + "\n").chars().collect();
            }
            Edit::SwapLines(a, b) => {
                let text: String = s.iter().collect();
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let (a, b) = (a % lines.len(), b % lines.len());
                    lines.swap(a, b);
                }
                s = (lines.join("\n") + "\n").chars().collect();
            }
            Edit::Cut(..) => {}
        }
    }
    s.into_iter().collect()
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, l)| Edit::Cut(a, l)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, t)| Edit::Insert(a, t)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_scenario_loads_and_runs_or_is_refused_with_a_place(
        which in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let files = shipped();
        let (path, text) = &files[which % files.len()];
        let mutated = apply(text, &edits);
        let apps = fwsim_cli::apps::builtin();
        match fwsim_scenario::parse(path, &mutated, &apps, Some("thermostat")) {
            Ok(mut scenario) => {
                // Keep each run short: a mutation can ask for a hundred hours.
                scenario.timeout = scenario.timeout.min(Duration::parse("30s").unwrap());
                let app = apps.iter().copied().find(|a| a.name() == scenario.app).unwrap();
                let report = fwsim_scenario::run(&scenario, app, &RunOptions::default());
                prop_assert!(report.end_ns <= 31_000_000_000, "ran past its timeout: {}", report.end_ns);
            }
            Err(e) => {
                prop_assert!(e.line >= 1 && e.col >= 1, "a located error: {e}");
                prop_assert!(!e.message.is_empty());
            }
        }
    }
}
