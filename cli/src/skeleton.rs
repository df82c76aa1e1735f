//! `fwsim new <app>`: a commented scenario skeleton with one example step per part, which
//! `fwsim check` accepts as it is.

use std::fmt::Write as _;

use fwsim_scenario::{App, PartKind};

use crate::EXIT_USAGE;
use crate::args::NewArgs;
use crate::words::program;

pub fn new(a: &NewArgs, apps: &[&dyn App]) -> u8 {
    let Some(app) = apps.iter().copied().find(|x| x.name() == a.app) else {
        let names: Vec<&str> = apps.iter().map(|x| x.name()).collect();
        let hint = fwsim_scenario::did_you_mean(&a.app, names.iter().copied());
        errln!("fwsim new: unknown app `{}`; expected one of {}{hint}", a.app, names.join(", "));
        return EXIT_USAGE;
    };
    let text = skeleton(app, &program());
    match &a.output {
        None => {
            out!("{text}");
            0
        }
        Some(path) if path.exists() => {
            errln!("fwsim new: {} exists; not overwriting it", path.display());
            EXIT_USAGE
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                outln!("wrote {}; run it with: {} run {}", path.display(), program(), path.display());
                0
            }
            Err(e) => {
                errln!("fwsim new: cannot write {}: {e}", path.display());
                EXIT_USAGE
            }
        },
    }
}

/// The skeleton for `app`, which `program` runs.
pub fn skeleton(app: &dyn App, program: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# A scenario for `{}`: {}", app.name(), app.about());
    let _ = writeln!(s, "# Every key is documented in fwsim's scenarios/README.md. Run: {program} run <this file>");
    let _ = writeln!(s, "name: my {} scenario", app.name());
    let _ = writeln!(s, "app: {}", app.name());
    let _ = writeln!(s, "policy: embassy      # embassy, micropython, fifo or random");
    let _ = writeln!(s, "seed: 1              # bounce and the random order are drawn from it");
    let _ = writeln!(s, "timeout: 1min        # virtual time; a wait still pending then fails");
    let _ = writeln!(s, "# The parts of this app:");
    for p in app.parts() {
        let _ = writeln!(s, "#   {:<10} {:<12} {}", p.id, p.kind.describe_plain(), p.about);
    }
    let _ = writeln!(s, "steps:");
    for p in app.parts() {
        let id = p.id;
        match p.kind {
            PartKind::Serial => {
                let _ = writeln!(s, "  # wait until `{id}` shows text (or `regex:`), within a time");
                let _ = writeln!(s, "  - wait-serial: {{ part-id: {id}, regex: '.+', within: 10s }}");
            }
            PartKind::Button => {
                let _ = writeln!(s, "  # press `{id}` for 150 ms (or: set-control with control: pressed)");
                let _ = writeln!(s, "  - press: {{ part-id: {id}, hold: 150ms }}");
                let _ = writeln!(s, "  - delay: 1s");
            }
            PartKind::Pin => {
                let _ = writeln!(s, "  # the level of `{id}` now (add `within:` to wait for it)");
                let _ = writeln!(s, "  # - expect-pin: {{ part-id: {id}, value: 1, within: 500ms }}");
            }
            PartKind::Display => {
                let _ = writeln!(s, "  # save what `{id}` shows (add compare-with: golden.png to check it)");
                let _ = writeln!(s, "  - take-screenshot: {{ part-id: {id}, save-to: {id}.png }}");
            }
            PartKind::Sensor(q) => {
                let _ = writeln!(s, "  # set a quantity of `{id}` ({}), a value or a curve from now", q.join(", "));
                let _ = writeln!(
                    s,
                    "  - set-sensor: {{ part-id: {id}, quantity: {}, value: [[0s, 20.0], [1min, 18.0]] }}",
                    q[0]
                );
            }
            PartKind::Encoder => {
                let _ = writeln!(s, "  # turn `{id}` two detents clockwise (negative: anticlockwise), 40 ms each");
                let _ = writeln!(s, "  - turn: {{ part-id: {id}, steps: 2, period: 40ms }}");
                let _ = writeln!(s, "  - delay: 500ms");
            }
            PartKind::TextDisplay => {
                let _ = writeln!(s, "  # what `{id}` shows: text (or `regex:`) in a row, or anywhere, within a time");
                let _ = writeln!(s, "  - expect-text: {{ part-id: {id}, regex: '.', within: 1s }}");
            }
            PartKind::Line => {
                let _ = writeln!(s, "  # drive the line `{id}` (drive-pin: from now on; pulse-pin: for `width`)");
                let _ = writeln!(s, "  - pulse-pin: {{ part-id: {id}, value: high, width: 100ms }}");
            }
            PartKind::I2cBus => {
                let _ = writeln!(s, "  # make the next transaction on `{id}` fail (nack, arbitration-loss, stuck-sda)");
                let _ = writeln!(s, "  # - i2c-fault: {{ part-id: {id}, fault: nack }}");
            }
        }
    }
    let _ = writeln!(s, "  - expect-no-diagnostics: true");
    s
}
