//! Tests run in parallel threads of one process, and the only things simulations share there
//! are process-wide: fwsim's critical-section lock, the watchdog thread, the registry of live
//! simulations. None of them may let one test's timing change another's verdict.
//!
//! This binary holds one test, so that no other test's threads take part in the hand-shake.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use embassy_time::Timer;
use fwsim::{Sim, SimConfig, ms, secs};

#[test]
fn a_long_critical_section_in_one_simulation_is_not_a_hung_poll_in_another() {
    let held = AtomicBool::new(false);
    let (holder_errors, victim_errors, victim_now) = std::thread::scope(|s| {
        let holder = s.spawn(|| {
            let sim = Sim::with_config(SimConfig::new().watchdog(None));
            sim.spawn("holder", async {
                critical_section::with(|_| {
                    held.store(true, Ordering::Release);
                    fwsim::busy_wait(secs(10));
                    // Hold the lock while the victim waits for it for ten rounds of the
                    // watchdog (100 ms of wall time or more: five times the victim's limit).
                    while fwsim::cs::waiting() == 0 {
                        std::thread::yield_now();
                    }
                    let start = fwsim::watchdog_sweeps();
                    while fwsim::watchdog_sweeps() < start + 10 {
                        std::thread::yield_now();
                    }
                });
            });
            sim.run_for(secs(20)).unwrap();
            sim.errors()
        });
        let victim = s.spawn(|| {
            let sim = Sim::with_config(SimConfig::new().watchdog(Some(Duration::from_millis(20))));
            sim.spawn("victim", async {
                while !held.load(Ordering::Acquire) {
                    std::thread::yield_now();
                }
                critical_section::with(|_| ()); // waits for the holder
                Timer::after_millis(1).await;
            });
            sim.run_for(ms(5)).unwrap();
            (sim.errors(), sim.now())
        });
        let (victim_errors, victim_now) = victim.join().unwrap();
        (holder.join().unwrap(), victim_errors, victim_now)
    });
    assert_eq!(holder_errors, []);
    assert_eq!(victim_errors, [], "the wait for another simulation's critical section is not a hung poll");
    assert_eq!(victim_now, fwsim::SimTime::from_millis(5));
}
