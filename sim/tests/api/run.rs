//! Running: for a time, until an instant, a predicate, a stall or quiescence.

use super::*;

#[test]
fn run_for_processes_events_at_the_boundary_and_stops_exactly() {
    let fired = Cell::new(false);
    let sim = Sim::new();
    sim.spawn("t", async {
        Timer::after(Duration::from_millis(10)).await;
        fired.set(true);
    });
    sim.run_for(ms(10)).unwrap();
    assert!(fired.get(), "an event at exactly start+d belongs to run_for(d)");
    assert_eq!(sim.now(), SimTime::from_millis(10));
    sim.run_for(fwsim::us(3)).unwrap();
    assert_eq!(sim.now(), SimTime::from_nanos(10_003_000), "the clock lands exactly, even with nothing scheduled");
}

#[test]
fn run_until_stalled_never_advances_time() {
    let steps = Cell::new(0);
    let sim = Sim::new();
    sim.spawn("t", async {
        steps.set(1);
        Timer::after(Duration::from_millis(1)).await;
        steps.set(2);
    });
    sim.run_until_stalled().unwrap();
    assert_eq!((steps.get(), sim.now()), (1, SimTime::ZERO));
}

#[test]
fn run_until_instant_and_predicate() {
    let count = Cell::new(0u32);
    let sim = Sim::new();
    sim.spawn("ticker", async {
        loop {
            Timer::after(Duration::from_millis(7)).await;
            count.set(count.get() + 1);
        }
    });
    assert!(sim.run_until_true(|| count.get() == 3).unwrap());
    assert_eq!(sim.now(), SimTime::from_millis(21));
    sim.run_until(SimTime::from_millis(100)).unwrap();
    assert_eq!((count.get(), sim.now()), (14, SimTime::from_millis(100)));
}

#[test]
fn run_until_true_reports_false_when_nothing_can_happen() {
    let sim = Sim::new();
    sim.spawn("short", async { Timer::after(Duration::from_millis(1)).await });
    assert!(!sim.run_until_true(|| false).unwrap());
}

#[test]
fn run_until_quiescent_reports_waiters() {
    let never = embassy_sync::signal::Signal::<embassy_sync::blocking_mutex::raw::NoopRawMutex, ()>::new();
    let sim = Sim::new();
    sim.spawn("done", async { Timer::after(Duration::from_millis(5)).await });
    sim.spawn("waits", never.wait());
    let report = sim.run_until_quiescent(secs(1)).unwrap();
    assert!(!report.reached_limit);
    assert_eq!(report.at, SimTime::from_millis(5));
    assert_eq!(report.waiting.len(), 1);
    assert_eq!(report.waiting[0].task, "waits#1");
    assert_eq!(report.waiting[0].state, WaitState::WakerHeld(1));

    sim.spawn("periodic", async {
        loop {
            Timer::after(Duration::from_millis(100)).await
        }
    });
    let report = sim.run_until_quiescent(ms(250)).unwrap();
    assert!(report.reached_limit, "a periodic task never lets the simulation quiesce");
    assert!(matches!(report.waiting[1].state, WaitState::Timer(t) if t == SimTime::from_millis(305)));
    assert_eq!(sim.now(), SimTime::from_millis(255), "the clock stands at the limit");
}

#[test]
fn run_until_quiescent_in_steps_makes_progress_to_a_far_timer() {
    // The next timer lies beyond each step: the clock still moves to the step's end.
    let sim = Sim::new();
    sim.spawn("far", async { Timer::after(Duration::from_secs(10)).await });
    let mut steps = 0;
    while sim.run_until_quiescent(secs(1)).unwrap().reached_limit {
        steps += 1;
        assert!(steps <= 10, "stuck at {}", sim.now());
    }
    assert_eq!((steps, sim.now()), (9, SimTime::from_secs(10)));
}
