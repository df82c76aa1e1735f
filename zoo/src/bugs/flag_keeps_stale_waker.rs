//! Single waker slot: a waker left by a cancelled wait stays in the slot, and the real
//! waiter is never woken.

use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::ThreadSafeFlag;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "flag-stale-waker", mutant: Mutant::FlagKeepsStaleWaker, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let flag = &*sim.alloc(ThreadSafeFlag::<NoopRawMutex>::new());
    sim.spawn("consumer", async move { flag.wait().await }).must_finish();
    // Waits for the flag or one turn, whichever comes first: leaves its waker in the slot if
    // it registers after the consumer.
    let probe = sim.spawn("probe", async move {
        select(flag.wait(), fwsim::yield_now()).await;
    });
    // Sets the flag once the probe is gone (so that only the consumer can take it).
    sim.spawn("setter", async move {
        probe.await.unwrap();
        flag.set();
    });
    finish(sim);
}
