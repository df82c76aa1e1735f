//! `if` for `while`: a consumer woken with others takes an item another consumer took.

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::Condition;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "condition-if-for-while", mutant: Mutant::ConditionIfForWhile, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let cond = &*sim.alloc(Condition::<NoopRawMutex>::new());
    let items = &*sim.alloc(Cell::new(0u32));
    // One consumer waits from the start; the other comes late and may take the first item
    // between the producer's notify and the woken consumer's turn.
    for (name, late) in [("waiter", 0), ("latecomer", 3)] {
        sim.spawn(name, async move {
            for _ in 0..late {
                fwsim::yield_now().await;
            }
            let guard = cond.acquire().await;
            let guard = cond.wait_for(guard, || items.get() > 0).await;
            assert!(items.get() > 0, "took an item that was not there");
            items.set(items.get() - 1);
            drop(guard);
        })
        .must_finish();
    }
    sim.spawn("producer", async move {
        for _ in 0..2 {
            fwsim::yield_now().await;
            let guard = cond.acquire().await;
            items.set(items.get() + 1);
            cond.notify(&guard, 1);
        }
    });
    finish(sim);
}
