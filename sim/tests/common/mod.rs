//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};

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

/// `workers` tasks each increment a counter with a yield between read and write; the first
/// starts at once, the others `late` turns later, so the default order is correct and a
/// preemption loses an update.
pub fn lost_update<'s>(sim: &'s Sim<'s>, workers: usize, late: usize) {
    let count = sim.alloc(Cell::new(0));
    let count = &*count;
    for w in 0..workers {
        sim.spawn(format!("worker{w}"), async move {
            for _ in 0..w * late {
                fwsim::yield_now().await;
            }
            let seen = count.get();
            fwsim::yield_now().await;
            count.set(seen + 1);
        });
    }
    sim.run_until_stalled().unwrap();
    assert_eq!(count.get(), workers, "an increment was lost");
}

/// [`lost_update`] as a body.
pub fn lost(workers: usize, late: usize) -> impl for<'s> Fn(&'s Sim<'s>) + Sync + Copy {
    move |s| lost_update(s, workers, late)
}

/// Spawns a task named `name` that keeps a clone of its waker in `stolen` and waits for ever,
/// and runs `sim` until it waits: a waker to wake from elsewhere.
pub fn park_keeping_waker<'env>(sim: &Sim<'env>, name: &'static str, stolen: &'env RefCell<Option<std::task::Waker>>) {
    sim.spawn(
        name,
        std::future::poll_fn(move |cx| {
            *stolen.borrow_mut() = Some(cx.waker().clone());
            std::task::Poll::<()>::Pending
        }),
    );
    sim.run_until_stalled().unwrap();
}
