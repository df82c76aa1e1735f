//! Timeout versus completion: an item put at the deadline is taken by the timed-out get and
//! dropped.

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Timer};
use fwsim::{Sim, SimConfig};
use fwsim_primitives::{Queue, wait_for};

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "wait-for-drops-completion", mutant: Mutant::WaitForDropsCompletion, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let queue = &*sim.alloc(Queue::<NoopRawMutex, u32, 2>::new());
    let received = &*sim.alloc(Cell::new(None));
    sim.spawn("consumer", async move {
        if let Ok(item) = wait_for(Duration::from_millis(10), queue.get()).await {
            received.set(Some(item));
        }
    });
    sim.spawn("producer", async move {
        Timer::after(Duration::from_millis(10)).await;
        queue.put_nowait(5).unwrap();
    });
    finish(sim);
    let kept = received.get().or_else(|| queue.get_nowait().ok());
    assert_eq!(kept, Some(5), "the item was lost: neither received nor left in the queue");
}
