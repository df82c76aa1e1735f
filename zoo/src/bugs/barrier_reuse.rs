//! Barrier reuse: a woken participant re-checks the shared count, sees a fast one already
//! arrived for the next round, and waits again.

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::Barrier;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug = Bug { name: "barrier-reuse", mutant: Mutant::BarrierReuse, scenario, config: SimConfig::new };

const ROUNDS: usize = 2;

fn scenario<'s>(sim: &'s Sim<'s>) {
    let barrier = &*sim.alloc(Barrier::<NoopRawMutex>::new(3));
    let arrived = &*sim.alloc([Cell::new(0u32), Cell::new(0u32)]);
    for name in ["p1", "p2", "p3"] {
        sim.spawn(name, async move {
            for (round, count) in arrived.iter().enumerate().take(ROUNDS) {
                count.set(count.get() + 1);
                barrier.wait().await;
                assert_eq!(count.get(), 3, "passed round {round} before everyone arrived");
                fwsim::yield_now().await;
            }
        })
        .must_finish();
    }
    finish(sim);
}
