//! An interrupt between two critical sections: a `ThreadSafeFlag` wait that checks the flag in
//! one section and registers its waker in the next misses a `set` that an interrupt makes in
//! between. Only an interrupt that lands inside the waiter's poll shows it, so the scenario
//! runs with [`SimConfig::isr_preemption`].

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use fwsim::{Irq, Sim, SimConfig, SimTime};
use fwsim_primitives::ThreadSafeFlag;

use crate::{Bug, Mutant, finish};

/// The entry.
pub const BUG: Bug =
    Bug { name: "flag-interrupt-between-sections", mutant: Mutant::FlagSplitSections, scenario, config: preempting };

fn preempting() -> SimConfig {
    SimConfig::new().isr_preemption(true)
}

fn scenario<'s>(sim: &'s Sim<'s>) {
    let ready = &*sim.alloc(ThreadSafeFlag::<CriticalSectionRawMutex>::new());
    sim.spawn("reader", async move { ready.wait().await }).must_finish();
    // The sensor's data-ready interrupt, due as the reader starts waiting.
    sim.schedule_isr(SimTime::ZERO, Irq::new(1, 6), move || ready.set());
    finish(sim);
}
