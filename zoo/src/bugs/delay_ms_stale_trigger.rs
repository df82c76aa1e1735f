//! Stale one-shot timer: a `DelayMs` stopped at the instant it expires still fires.

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Timer};
use fwsim::{Sim, SimConfig};
use fwsim_primitives::DelayMs;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "delay-ms-stale-trigger", mutant: Mutant::DelayMsStaleTrigger, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let delay = &*sim.alloc(DelayMs::<NoopRawMutex>::new(Duration::from_millis(10)));
    let stopped = &*sim.alloc(Cell::new(false));
    sim.spawn("runner", async move {
        delay.run(|| assert!(!stopped.get(), "the delay fired after stop()")).await;
    });
    sim.spawn("controller", async move {
        delay.trigger().unwrap();
        Timer::after(Duration::from_millis(10)).await;
        // By default the runner's expiry, due at the same instant, runs first.
        fwsim::yield_now().await;
        delay.stop();
        stopped.set(true);
    })
    .must_finish();
    finish(sim);
}
