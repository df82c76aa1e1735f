//! The primitive rows of `shared/SEMANTICS.md`'s conformance table, under fwsim's `Embassy`
//! and `MicroPython` policies: `conformance_<policy>_<row>`.
//!
//! "FIFO" is asserted on the order of *wake calls* (fwsim's trace `Wake` events); the order in
//! which the woken tasks then *run* is the policy's, asserted per policy. The MicroPython
//! column is asyncio's behaviour, which these primitives port; the embassy column, where it
//! names an embassy primitive (`with_timeout`, `Signal`), is checked on that primitive.

use std::cell::RefCell;

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer, with_timeout};
use fwsim::trace::Kind;
use fwsim::{IsrCheckedRawMutex, Policy, Sim, SimConfig};
use fwsim_primitives::{Event, Lock, TimeoutError, gather, wait_for};

const EMBASSY: Policy = Policy::Embassy;
const MICROPYTHON: Policy = Policy::MicroPython;

type Ev = Event<IsrCheckedRawMutex>;
type Lk = Lock<IsrCheckedRawMutex>;

/// What tasks logged, as `what@ms`.
#[derive(Default)]
struct Log(RefCell<Vec<String>>);

impl Log {
    fn at(&self, what: impl std::fmt::Display) {
        self.0.borrow_mut().push(format!("{what}@{}", fwsim::now().as_millis()));
    }
}

/// The log and the tasks woken (in wake-call order) by the task named `waker`.
struct Outcome {
    log: Vec<String>,
    woken_by: Vec<String>,
}

fn run(policy: Policy, waker: &'static str, body: impl for<'s> Fn(&'s Sim<'s>, &'s Log) + Sync) -> Outcome {
    let out = std::sync::Mutex::new(None);
    fwsim::test_with(SimConfig::new().policy(policy), |sim| {
        let log = sim.alloc(Log::default());
        body(sim, log);
        let names = sim.trace_names();
        let recs = sim.trace_records();
        let waker_serial = recs.iter().find(|r| r.kind == Kind::Spawn && names.task(r.task) == waker).map(|r| r.task);
        let woken_by = recs
            .iter()
            .filter(|r| r.kind == Kind::Wake && Some(r.source) == waker_serial)
            .map(|r| names.task(r.task).to_string())
            .collect();
        let mut slot = out.lock().unwrap();
        if slot.is_none() {
            *slot = Some(Outcome { log: log.0.take(), woken_by });
        }
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    });
    out.into_inner().unwrap().unwrap()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

mod cancel;
mod event;
mod interrupts;
mod lock;
mod timeout;
