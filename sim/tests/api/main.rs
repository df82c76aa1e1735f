//! The `Sim` API: running, joining, aborting, time, busy time, interrupts, policies, trace.

#[path = "../common/mod.rs"]
mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{Log, strs};
use embassy_time::{Duration, Instant, Timer};
use fwsim::trace::Kind;
use fwsim::{
    CostModel, Irq, JoinError, Order, Policy, Schedule, Sim, SimConfig, SimError, SimTime, WaitState, ms, secs,
};

mod run;
mod schedules;
mod spin;
mod tasks;
mod time;
mod trace;
