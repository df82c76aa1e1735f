//! One test per *scheduling* row of `shared/SEMANTICS.md`'s conformance table, for the
//! `Embassy` and `MicroPython` policies: `conformance_<policy>_<row>`.
//!
//! The expected values are the table's (observed on MicroPython 1.29 and embassy-executor
//! 0.10). Rows about asyncio's library (Event, Lock, wait_for, gather, cancellation delivery)
//! belong to the primitives crate; rows with no Rust meaning are listed in `fwsim::Order`'s
//! docs.

#[path = "../common/mod.rs"]
mod common;

use common::{Log, logged, strs};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Instant, Ticker, Timer};
use fwsim::{Irq, Policy, Sim, SimTime};

const EMBASSY: Policy = Policy::Embassy;
const MICROPYTHON: Policy = Policy::MicroPython;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

mod tasks;
mod time;
mod timer_slots;
mod wakes;
