//! The extension points, used from outside the crate: a run order and an explorer, each one
//! file (`lifo.rs`, `dfs.rs`) implementing one trait, each registered with one line of
//! configuration.

mod dfs;
mod lifo;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use fwsim::{Order, Sim, SimConfig};

use dfs::Dfs;
use lifo::Lifo;

/// Three tasks that each log their name, yield, and log it again.
fn three_tasks(config: SimConfig) -> String {
    let log = RefCell::new(String::new());
    let sim = Sim::with_config(config);
    for name in ["a", "b", "c"] {
        let log = &log;
        sim.spawn(name, async move {
            log.borrow_mut().push_str(name);
            fwsim::yield_now().await;
            log.borrow_mut().push_str(name);
        });
    }
    sim.run_until_stalled().unwrap();
    assert_eq!(sim.errors(), []);
    drop(sim); // the execution ends: the explorer hears of it
    log.into_inner()
}

/// Every schedule the explorer enumerates over `config`'s order, until it says it is done.
fn enumerate(config: SimConfig) -> (BTreeSet<String>, u64) {
    let dfs = Arc::new(Mutex::new(Dfs::default()));
    let config = config.explorer(dfs.clone());
    let mut seen = BTreeSet::new();
    while !dfs.lock().unwrap().exhausted {
        seen.insert(three_tasks(config.clone()));
    }
    let executions = dfs.lock().unwrap().executions;
    (seen, executions)
}

#[test]
fn a_custom_order_is_one_file_and_one_registration_line() {
    // The last spawned runs first, and a task that yields is the last made runnable.
    assert_eq!(three_tasks(SimConfig::new().custom_order(Lifo::default)), "ccbbaa");
    assert_eq!(three_tasks(SimConfig::new()), "cbaabc", "embassy's order, for contrast");
}

#[test]
fn a_depth_first_explorer_keeps_its_stack_across_executions_and_finds_every_schedule() {
    // Over a FIFO queue any ready task may run next: all 6!/(2!·2!·2!) = 90 interleavings,
    // each found once.
    let (seen, executions) = enumerate(SimConfig::new().order(Order::Fifo));
    assert_eq!((seen.len(), executions), (90, 90));
    assert!(seen.contains("aabbcc") && seen.contains("cbaabc"));
}

#[test]
fn the_same_explorer_over_embassys_order_finds_only_what_embassy_could_do() {
    // embassy runs a batch before anything woken during it: a yielding task never runs twice
    // in a row while others wait, so "aabbcc" cannot happen.
    let (seen, executions) = enumerate(SimConfig::new().order(Order::Embassy));
    assert_eq!(seen.len() as u64, executions);
    assert!(seen.len() < 90 && seen.len() > 1, "{}", seen.len());
    assert!(!seen.contains("aabbcc"));
    assert!(seen.contains("cbaabc"), "embassy's own order is one of them");
    assert_eq!(seen.len(), 36, "3! orders of the first batch × 3! of the second");
}

#[test]
fn the_explorer_works_over_a_custom_order_too() {
    let (seen, executions) = enumerate(SimConfig::new().custom_order(Lifo::default));
    assert_eq!((seen.len(), executions), (90, 90));
}

#[test]
fn fwsim_test_checks_determinism_of_a_shared_explorers_run_by_replaying_its_schedule() {
    // A shared explorer's stream goes on between executions, so a plain second run would take
    // another schedule and the determinism check would fail for no fault of the test.
    let random = Arc::new(Mutex::new(fwsim::explore::Random::new(7)));
    fwsim::test_with(SimConfig::new().order(Order::Fifo).explorer(random), |sim| {
        for name in ["a", "b", "c", "d"] {
            sim.spawn(name, async move {
                for _ in 0..5 {
                    fwsim::yield_now().await;
                }
                fwsim::mark(name, 0);
            });
        }
        sim.run_until_stalled().unwrap();
        assert!(!sim.schedule().deviations.is_empty());
    });
}
