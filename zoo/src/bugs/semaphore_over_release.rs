//! Over-release: a permit handed to a waiter is also added to the count.

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::Semaphore;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "semaphore-over-release", mutant: Mutant::SemaphoreOverRelease, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let semaphore = &*sim.alloc(Semaphore::<NoopRawMutex>::new(1));
    let holders = &*sim.alloc(Cell::new(0u32));
    for name in ["worker1", "worker2", "worker3"] {
        sim.spawn(name, async move {
            let permit = semaphore.acquire().await;
            holders.set(holders.get() + 1);
            assert_eq!(holders.get(), 1, "more holders than permits");
            fwsim::yield_now().await;
            holders.set(holders.get() - 1);
            drop(permit);
        })
        .must_finish();
    }
    finish(sim);
}
