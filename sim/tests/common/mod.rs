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

/// The first code block of kind `kind` (`rust`, `text`) after `heading` in the repository's
/// document `doc`: a document's example, for the test that checks it.
pub fn doc_block(doc: &str, heading: &str, kind: &str) -> String {
    let path = format!("{}/../{doc}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let section = &text[text.find(heading).unwrap_or_else(|| panic!("{doc} has no `{heading}`"))..];
    let fence = format!("```{kind}\n");
    let block = &section[section.find(&fence).expect("a code block") + fence.len()..];
    block[..block.find("```").expect("the block's end")].to_owned()
}

/// `report` with the artifacts' absolute paths (under the target directory, wherever
/// `CARGO_TARGET_DIR` puts it) written `target/fwsim-artifacts/…`, as the README shows them.
pub fn relative_artifacts(report: &str) -> String {
    const DIR: &str = "/fwsim-artifacts/";
    let mut out = String::new();
    let mut rest = report;
    while let Some(at) = rest.find(DIR) {
        let path_start = rest[..at].rfind([' ', '=']).map_or(0, |i| i + 1);
        out.push_str(&rest[..path_start]);
        out.push_str("target/fwsim-artifacts/");
        rest = &rest[at + DIR.len()..];
    }
    out + rest
}
