//! Clear before wait: a message set before the receiver waits is wiped out.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim::{Sim, SimConfig};
use fwsim_primitives::Message;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "message-clear-before-wait", mutant: Mutant::MessageClearBeforeWait, scenario, config: SimConfig::new };

fn scenario<'s>(sim: &'s Sim<'s>) {
    let message = &*sim.alloc(Message::<NoopRawMutex, u32>::new());
    sim.spawn("receiver", async move {
        fwsim::yield_now().await;
        assert_eq!(message.wait().await, 7);
    })
    .must_finish();
    sim.spawn("sender", async move {
        fwsim::yield_now().await;
        fwsim::yield_now().await;
        message.set(7);
    });
    finish(sim);
}
