//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::cell::RefCell;

use fwsim::{Policy, Sim, SimConfig};

/// An ordered log of what tasks did.
#[derive(Default)]
pub struct Log(RefCell<Vec<String>>);

impl Log {
    pub fn push(&self, s: impl Into<String>) {
        self.0.borrow_mut().push(s.into());
    }
    /// Logs `s@<ms>`: the event and the virtual time in ms.
    pub fn at(&self, s: &str) {
        self.push(format!("{s}@{}", fwsim::now().as_millis()));
    }
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}

/// Runs `body` in a fresh simulation under `policy` (via `fwsim::test_with`, so twice, with
/// the determinism self-check) and returns what the log recorded in the first run.
pub fn logged(policy: Policy, body: impl for<'s> Fn(&'s Sim<'s>, &'s Log) + Sync) -> Vec<String> {
    let out = std::sync::Mutex::new(None);
    fwsim::test_with(SimConfig::new().policy(policy), |sim| {
        let log = sim.alloc(Log::default());
        body(sim, log);
        let mut slot = out.lock().unwrap();
        if slot.is_none() {
            *slot = Some(log.take());
        }
    });
    out.into_inner().unwrap().unwrap()
}

/// `["a", "b"]` as owned strings, for comparisons.
pub fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
