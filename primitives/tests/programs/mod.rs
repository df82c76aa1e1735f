//! The console the ported toolkit programs print to, and the runner that checks it.

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

use std::cell::RefCell;

use embassy_time::Instant;
use fwsim::{Policy, Sim, SimConfig};

/// What a program printed, with the virtual millisecond of each line.
#[derive(Default)]
pub struct Console {
    lines: RefCell<Vec<(String, u64)>>,
    /// Text written without a newline yet.
    open: RefCell<String>,
}

impl Console {
    pub fn print(&self, line: impl Into<String>) {
        let line = self.open.take() + &line.into();
        self.lines.borrow_mut().push((line, Instant::now().as_millis()));
    }

    /// Python's `print(text, end="")`: the line ends with a later `print`.
    pub fn write(&self, text: &str) {
        self.open.borrow_mut().push_str(text);
    }
}

/// Runs `program` under MicroPython's order until `runtime_s`, and checks what it printed
/// against `expected`, the toolkit's listing, each line with the time it is due.
pub fn run_program(
    runtime_s: u64,
    program: impl for<'s> Fn(&'s Sim<'s>, &'static Console) + Sync,
    expected: &[(&str, u64)],
) {
    fwsim::test_with(SimConfig::new().policy(Policy::MicroPython), |sim| {
        // Leaked, so that tasks spawned from inside tasks (`fwsim::spawn`, `'static`) print too.
        let console: &'static Console = Box::leak(Box::default());
        program(sim, console);
        sim.run_for(fwsim::secs(runtime_s)).unwrap();
        let printed = console.lines.borrow().clone();
        let expected: Vec<(String, u64)> = expected.iter().map(|&(l, t)| (l.to_owned(), t)).collect();
        assert_eq!(printed, expected);
    });
}
