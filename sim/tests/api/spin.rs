//! Busy-wait loops: on the clock, on spin points, with delays, and spins that cannot end.

use super::*;

#[test]
fn spinning_on_instant_now_advances_the_clock() {
    let sim = Sim::new();
    sim.spawn("spin", async { embassy_time::block_for(Duration::from_micros(300)) });
    sim.run_until_stalled().unwrap();
    assert_eq!(sim.now(), SimTime::from_micros(300));
    assert!(sim.diagnostics().is_empty(), "spinning is a warning only in strict mode");

    let strict = Sim::with_config(SimConfig::new().strict(true));
    strict.spawn("spin", async { embassy_time::block_for(Duration::from_micros(300)) });
    let err = strict.run_until_stalled().unwrap_err();
    assert!(matches!(err, SimError::Strict(fwsim::Diagnostic::Spin { ref task, .. }) if task == "spin#0"), "{err}");
}

/// Ten free reads per poll instead of 1,000: the same behaviour in fewer reads (Miri runs
/// these tests too).
fn quick() -> SimConfig {
    SimConfig::new().spin_threshold(10)
}

/// Reads `flag` through a spin point until it is set, at most `limit` times: how many reads it took.
fn spin_on(flag: &Cell<bool>, limit: u32) -> Option<u32> {
    (1..=limit).find(|_| {
        fwsim::spin_point(|| "the flag".into());
        flag.get()
    })
}

#[test]
fn a_busy_wait_on_a_spin_point_sees_the_world_change_at_its_own_tick() {
    let (flag, strict_flag) = (Cell::new(false), Cell::new(false));
    let sim = Sim::new();
    sim.schedule_isr(SimTime::from_micros(25), Irq::new(1, 1), || flag.set(true));
    let waiter = sim.spawn("waiter", async { (spin_on(&flag, 1_000_000), fwsim::now()) });
    sim.run_for(ms(10)).unwrap();
    // The first 1,000 reads are free; then one tick (1 µs) per read, so the 25th tick sees it.
    assert_eq!(sim.join(waiter).unwrap(), (Some(1_000 + 25), SimTime::from_micros(25)));
    assert!(sim.diagnostics().is_empty(), "spinning is a warning only in strict mode");
    let busy = sim.trace_records().into_iter().find(|r| r.kind == Kind::BusyWait).unwrap();
    assert_eq!((busy.at, busy.arg), (0, 25_000), "the spin is busy time in the trace");

    let strict = Sim::with_config(SimConfig::new().strict(true));
    strict.schedule_isr(SimTime::from_micros(5), Irq::new(1, 1), || strict_flag.set(true));
    strict.spawn("waiter", async { spin_on(&strict_flag, 10_000) });
    let err = strict.run_until_stalled().unwrap_err();
    let SimError::Strict(fwsim::Diagnostic::Spin { task, on, .. }) = &err else { panic!("{err}") };
    assert_eq!((task.as_str(), on.as_str()), ("waiter#0", "the flag"));
    assert!(err.to_string().contains("spins on the flag; each further read spends a tick"), "{err}");
}

#[test]
fn spin_points_outside_a_poll_spend_nothing() {
    let (flag, isr_reads) = (Cell::new(false), Cell::new(None));
    let sim = Sim::new();
    sim.enter(|| assert_eq!(spin_on(&flag, 5_000), None));
    sim.schedule_isr(SimTime::from_micros(1), Irq::new(1, 1), || isr_reads.set(Some(spin_on(&flag, 5_000))));
    sim.run_for(ms(1)).unwrap();
    assert_eq!(isr_reads.get(), Some(None), "an interrupt handler's reads are not a task's spin");
    assert_eq!(sim.now(), SimTime::from_millis(1));
    let busy = sim.trace_records().into_iter().filter(|r| r.kind == Kind::BusyWait).count();
    assert_eq!(busy, 0);
}

#[test]
fn a_spin_that_nothing_scheduled_can_end_panics_its_task_with_the_reason() {
    let flag = Cell::new(false);
    let sim = Sim::with_config(quick());
    let waiter = sim.spawn("waiter", async { spin_on(&flag, 10_000_000) });
    sim.run_for(ms(100)).unwrap();
    let err = sim.join(waiter).unwrap_err();
    // Judged at twice the threshold of reads, when any clock read of the loop has been seen.
    assert!(
        err.to_string().contains(
            "task waiter#0 spins on the flag at 0.000010000s, and nothing scheduled can change it: it would spin for \
             ever. A test step or scenario stimulus still to come cannot reach it either"
        ),
        "{err}"
    );
}

#[test]
fn a_spin_runs_on_while_an_event_is_due_and_fails_once_none_is() {
    let flag = Cell::new(false);
    let sim = Sim::with_config(quick());
    // Something is scheduled (which does not set the flag): the spin may not end, but it
    // could, until that event has passed.
    sim.schedule_isr(SimTime::from_micros(200), Irq::new(1, 1), || {});
    let waited = sim.spawn("waiter", async { spin_on(&flag, 10_000_000) });
    sim.run_for(secs(1)).unwrap();
    let err = sim.join(waited).unwrap_err();
    assert!(
        err.to_string().contains("spins on the flag at 0.000200000s, and nothing scheduled can change it"),
        "{err}"
    );
}

#[test]
fn a_loop_that_reads_the_clock_too_ends_on_its_own_deadline_with_nothing_scheduled() {
    let sim = Sim::with_config(quick());
    let timed = sim.spawn("timeout", async {
        let deadline = Instant::now() + Duration::from_micros(70);
        let gave_up = (0..10_000_000).find(|_| {
            fwsim::spin_point(|| "the flag".into());
            Instant::now() >= deadline
        });
        (gave_up.is_some(), fwsim::now())
    });
    sim.run_for(secs(1)).unwrap();
    // Its last iteration's two reads each spent a tick: the spin point's reached 70 µs, the
    // clock's 71 µs.
    assert_eq!(sim.join(timed).unwrap(), (true, SimTime::from_micros(71)));
}

#[test]
fn reads_between_blocking_delays_are_a_polling_loop_not_a_spin() {
    let flag = Cell::new(false);
    let sim = Sim::with_config(quick());
    sim.schedule_isr(SimTime::from_micros(500), Irq::new(1, 1), || flag.set(true));
    let poller = sim.spawn("poller", async {
        let mut reads = 0;
        while !{
            fwsim::spin_point(|| "the flag".into());
            flag.get()
        } {
            reads += 1;
            embedded_hal::delay::DelayNs::delay_us(&mut fwsim::Delay, 10);
        }
        (reads, fwsim::now())
    });
    sim.run_for(ms(100)).unwrap();
    // 50 reads 10 µs apart, five times the threshold: no spin tick added to the loop's time.
    assert_eq!(sim.join(poller).unwrap(), (50, SimTime::from_micros(500)));
}
