//! Cancellation during hand-off: a waiter that times out just as the lock is handed to it
//! does not pass it on, and the next waiter waits for ever.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Timer};
use fwsim::{Sim, SimConfig};
use fwsim_primitives::{Lock, wait_for};

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "lock-cancel-loses-handoff", mutant: Mutant::LockCancelLosesHandoff, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let lock = &*sim.alloc(Lock::<NoopRawMutex>::new());
    sim.spawn("holder", async move {
        let guard = lock.acquire().await;
        Timer::after(Duration::from_millis(10)).await;
        // By default the impatient waiter's timeout, due at the same instant, runs first.
        fwsim::yield_now().await;
        drop(guard);
    });
    sim.spawn("impatient", async move {
        fwsim::yield_now().await;
        let _ = wait_for(Duration::from_millis(10), lock.acquire()).await;
    });
    sim.spawn("patient", async move {
        fwsim::yield_now().await;
        fwsim::yield_now().await;
        drop(lock.acquire().await);
    })
    .must_finish();
    finish(sim);
}
