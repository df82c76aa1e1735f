//! Simulation tags wrap after 4,294,967,294 simulations, which a fuzz campaign (one simulation
//! per execution) makes in under an hour on one core. The wrap must neither stop the process
//! nor give a new simulation the tag of one still alive.
//!
//! Alone in its test binary: it moves the process-wide tag counter.

use std::cell::RefCell;
use std::task::Waker;

use fwsim::fuzz::{Fuzz, Strategy};
use fwsim::{Diagnostic, Sim};

mod common;

#[test]
fn tags_wrap_and_skip_the_simulations_still_alive() {
    let kept = u32::MAX - 3;
    fwsim::set_next_tag(kept);
    let stolen: RefCell<Option<Waker>> = RefCell::new(None);
    let alive = Sim::new();
    common::park_keeping_waker(&alive, "kept-task", &stolen);

    // A campaign across the wrap: every execution takes a new tag.
    let report = Fuzz::new(Strategy::Random).name("across-the-wrap").iterations(20).run(|sim| {
        sim.spawn("t", fwsim::yield_now());
        sim.run_until_stalled().unwrap();
    });
    assert_eq!(report.executions, 20);

    // The counter comes round to the live simulation's tag: the next simulation skips it, so
    // the kept waker is still another simulation's there.
    fwsim::set_next_tag(kept);
    let next = Sim::new();
    next.spawn("next-task", async {
        stolen.borrow().as_ref().unwrap().wake_by_ref();
    });
    next.run_until_stalled().unwrap();
    let diagnostics = next.take_diagnostics();
    assert!(
        matches!(diagnostics.as_slice(), [Diagnostic::CrossSimWake { woken_by, .. }] if woken_by == "next-task#0"),
        "{diagnostics:?}"
    );
    assert!(alive.diagnostics().is_empty());
}
