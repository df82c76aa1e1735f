//! Cancellation leaves a promise behind: a getter that times out just as an item is promised
//! to it keeps the promise, and the item is invisible to the next getter.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Timer};
use fwsim::{Sim, SimConfig};
use fwsim_primitives::{Queue, wait_for};

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug = Bug {
    name: "queue-cancel-keeps-promise",
    mutant: Mutant::QueueCancelKeepsPromise,
    scenario,
    config: SimConfig::new,
};

fn scenario<'s>(sim: &'s Sim<'s>) {
    let queue = &*sim.alloc(Queue::<NoopRawMutex, u32, 2>::new());
    sim.spawn("impatient", async move {
        let _ = wait_for(Duration::from_millis(10), queue.get()).await;
    });
    sim.spawn("patient", async move {
        fwsim::yield_now().await;
        queue.get().await;
    })
    .must_finish();
    sim.spawn("producer", async move {
        Timer::after(Duration::from_millis(10)).await;
        queue.put_nowait(1).unwrap();
    });
    finish(sim);
}
