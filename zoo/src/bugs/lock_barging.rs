//! Lock barging: release frees the lock while waking the next waiter; a newcomer takes it and
//! both hold it.

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::Lock;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug = Bug { name: "lock-barging", mutant: Mutant::LockBarging, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let lock = &*sim.alloc(Lock::<NoopRawMutex>::new());
    let holders = &*sim.alloc(Cell::new(0u32));
    // Three workers queue up at once; a fourth comes two turns late, as the lock changes hands.
    for (name, late) in [("worker1", 0), ("worker2", 0), ("worker3", 0), ("latecomer", 2)] {
        sim.spawn(name, async move {
            for _ in 0..late {
                fwsim::yield_now().await;
            }
            let guard = lock.acquire().await;
            holders.set(holders.get() + 1);
            assert_eq!(holders.get(), 1, "two tasks hold the lock");
            fwsim::yield_now().await;
            holders.set(holders.get() - 1);
            drop(guard);
        })
        .must_finish();
    }
    finish(sim);
}
