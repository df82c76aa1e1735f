//! Lost wake-up: a waiter checks, then registers a turn later; a `set` in between is lost.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::Event;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "event-lost-wakeup", mutant: Mutant::EventCheckThenRegister, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let event = &*sim.alloc(Event::<NoopRawMutex>::new());
    sim.spawn("waiter", async move { event.wait().await }).must_finish();
    sim.spawn("setter", async move {
        fwsim::yield_now().await;
        event.set();
    });
    finish(sim);
}
