//! `SimConfig::quiet_panics`: the panics a quiet simulation catches reach no panic hook, and
//! are still reported with their messages; every other panic reaches the hook as before.
//! (One test in its own process: the panic hook is process-wide.)

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use fwsim::{Diagnostic, Irq, SimConfig, SimTime};

static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

fn panicking_sim(quiet: bool) -> Vec<String> {
    fwsim::scope(SimConfig::new().quiet_panics(quiet), |sim| {
        sim.spawn("boom", async { panic!("task boom") });
        sim.schedule_isr(SimTime::from_millis(1), Irq::new(3, 1), || panic!("isr boom"));
        sim.run_for(fwsim::ms(2)).unwrap();
        sim.take_diagnostics()
            .iter()
            .filter_map(|d| match d {
                Diagnostic::TaskPanicked { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect()
    })
}

#[test]
fn quiet_simulations_keep_caught_panics_off_the_hook() {
    std::panic::set_hook(Box::new(|_| {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    }));
    assert_eq!(panicking_sim(true), ["task boom", "isr boom"], "still reported, with their messages");
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 0, "a quiet simulation's panics reach no hook");

    assert_eq!(panicking_sim(false), ["task boom", "isr boom"]);
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 2, "without quiet, both reach the hook");

    // A panic outside any simulation, after a quiet one has installed its filter.
    let _ = catch_unwind(AssertUnwindSafe(|| panic!("outside")));
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 3, "other panics still reach the hook");
}
