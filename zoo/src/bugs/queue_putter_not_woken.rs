//! A full queue's putter is not woken when a get frees a slot.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::Queue;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "queue-putter-not-woken", mutant: Mutant::QueuePutterNotWoken, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let queue = &*sim.alloc(Queue::<NoopRawMutex, u32, 1>::new());
    sim.spawn("producer", async move {
        queue.put(1).await;
        fwsim::yield_now().await;
        queue.put(2).await;
    })
    .must_finish();
    sim.spawn("consumer", async move {
        assert_eq!(queue.get().await, 1);
        assert_eq!(queue.get().await, 2);
    })
    .must_finish();
    finish(sim);
}
