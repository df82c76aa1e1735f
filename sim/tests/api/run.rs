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

/// A task that does not wait for its first 10,000 polls (then for ever, so that a run that
/// overlooks its limit ends and fails instead of hanging), under a cost model: each poll moves
/// the clock by its busy time.
fn never_waits(sim: &Sim<'_>, polls: &Rc<Cell<u64>>) {
    let polls = polls.clone();
    sim.spawn("superloop", async move {
        while polls.get() < 10_000 {
            polls.set(polls.get() + 1);
            fwsim::yield_now().await;
        }
        std::future::pending::<()>().await
    });
}

#[test]
fn a_task_that_never_waits_under_a_cost_model_cannot_carry_a_run_past_its_limit() {
    let cost = CostModel { per_poll_ns: 1_000, per_wake_ns: 0 };
    let sim = Sim::with_config(SimConfig::new().cost(cost));
    let polls = Rc::new(Cell::new(0));
    never_waits(&sim, &polls);
    sim.run_for(fwsim::us(100)).unwrap();
    // Polls begin at 0, 1, …, 100 µs; the last one's busy time ends 1 µs past the limit.
    assert_eq!((polls.get(), sim.now()), (101, SimTime::from_micros(101)));
    let reached = sim.run_until_true_within(fwsim::us(50), || false).unwrap();
    assert!(!reached);
    assert_eq!((polls.get(), sim.now()), (152, SimTime::from_micros(152)));
}

#[test]
fn run_until_stalled_stops_a_task_that_never_waits_after_the_poll_limit() {
    let cost = CostModel { per_poll_ns: 1_000, per_wake_ns: 0 };
    let sim = Sim::with_config(SimConfig::new().cost(cost).same_instant_poll_limit(500));
    let polls = Rc::new(Cell::new(0));
    never_waits(&sim, &polls);
    sim.run_until_stalled().unwrap();
    assert_eq!((polls.get(), sim.now()), (500, SimTime::from_micros(500)), "each poll moved the clock");
    assert!(sim.diagnostics().is_empty(), "a busy task is no same-instant loop");
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
