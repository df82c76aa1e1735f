//! `fwsim::hosting`: timers set under foreign wakers inside a hosting section belong to a
//! hosted executor; outside one they are a `ForeignWakerTimer` mistake.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Wake, Waker};

use embassy_time::{Duration, Timer};
use fwsim::{Diagnostic, Sim};

struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls a 5 ms timer once under a waker of no fwsim task, optionally inside `hosting`;
/// returns the wakes after 10 ms and the diagnostics' kinds.
fn foreign_timer(hosted: bool) -> (usize, Vec<&'static str>) {
    let sim = Sim::new();
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    sim.enter(|| {
        let mut timer = pin!(Timer::after(Duration::from_millis(5)));
        let mut poll = || timer.as_mut().poll(&mut Context::from_waker(&waker)).is_pending();
        assert!(if hosted { fwsim::hosting(poll) } else { poll() });
    });
    sim.run_for(fwsim::ms(10)).unwrap();
    let kinds = sim.take_diagnostics().iter().map(Diagnostic::kind).collect();
    (count.0.load(Ordering::SeqCst), kinds)
}

#[test]
fn a_hosted_executors_timer_fires_on_time_without_a_diagnostic() {
    assert_eq!(foreign_timer(true), (1, vec![]));
}

#[test]
fn outside_a_hosting_section_a_foreign_waker_timer_is_still_reported() {
    assert_eq!(foreign_timer(false), (1, vec!["ForeignWakerTimer"]));
}
