//! The toolkit's primitives, against PRIMITIVES.md's observed behaviour and the bugs of its
//! §5 (each regression test names the bug it would catch). Times are exact virtual times.

use std::cell::{Cell, RefCell};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::{Duration, Instant, Timer};
use fwsim::trace::Kind;
use fwsim::{Irq, IsrCheckedRawMutex, Policy, Sim, SimConfig, SimTime};
use fwsim_primitives::{
    Barrier, DelayMs, OverRelease, Overwritten, Queue, QueueEmpty, QueueFull, RingbufQueue, Semaphore,
    TaskDoneUnderflow, ThreadSafeFlag,
};

type M = IsrCheckedRawMutex;

fn now_ms() -> u64 {
    Instant::now().as_millis()
}

/// A log of `what@ms` lines.
#[derive(Default)]
struct Log(RefCell<Vec<String>>);
impl Log {
    fn at(&self, what: impl std::fmt::Display) {
        self.0.borrow_mut().push(format!("{what}@{}", now_ms()));
    }
    fn lines(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
}

/// Runs `body` under both policies (each twice, by `fwsim::test_with`'s determinism check).
fn both(body: impl for<'s> Fn(&'s Sim<'s>) + Sync) {
    for policy in [Policy::Embassy, Policy::MicroPython] {
        fwsim::test_with(SimConfig::new().policy(policy), &body);
    }
}

/// The policy of the current simulation (for the few expectations that depend on it).
fn micropython(sim: &Sim<'_>) -> bool {
    sim.config().policy.order() == fwsim::Order::MicroPython
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The names of the tasks woken by `waker`, in wake-call order (fwsim's trace).
fn woken_by(sim: &Sim<'_>, waker: &str) -> Vec<String> {
    let names = sim.trace_names();
    let recs = sim.trace_records();
    let source = recs.iter().find(|r| r.kind == Kind::Spawn && names.task(r.task) == waker).map(|r| r.task);
    recs.iter()
        .filter(|r| r.kind == Kind::Wake && Some(r.source) == source)
        .map(|r| names.task(r.task).to_string())
        .collect()
}

mod barrier;
mod broker;
mod condition;
mod delay_ms;
mod message;
mod queue;
mod semaphore;
mod thread_safe_flag;
