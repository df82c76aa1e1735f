//! `Sim::busy_time`: the cost model's charges and blocking delays add up, idle time does not.

use fwsim::{CostModel, Sim, SimConfig, SimTime};

#[test]
fn poll_costs_wake_costs_and_blocking_delays_are_busy_time_sleeping_is_not() {
    let sim = Sim::with_config(SimConfig::new().cost(CostModel { per_poll_ns: 2_000, per_wake_ns: 500 }));
    sim.spawn("worker", async {
        // Poll 1 (2 µs), then 1 ms of blocking delay in poll 2, whose yield wakes itself
        // (2 µs + 0.5 µs), then poll 3 (2 µs) and a 10 ms sleep, then poll 4 (2 µs).
        fwsim::yield_now().await;
        fwsim::busy_wait(fwsim::ms(1));
        fwsim::yield_now().await;
        embassy_time::Timer::after_millis(10).await;
    });
    sim.busy_wait(fwsim::us(30));
    sim.run_until(SimTime::from_millis(100)).unwrap();
    let expected = 30_000 + 2_000 + 500 + (1_000_000 + 2_000 + 500) + 2_000 + 2_000;
    assert_eq!(sim.busy_time(), SimTime::from_nanos(expected));
    assert_eq!(sim.now(), SimTime::from_millis(100));
}

#[test]
fn without_a_cost_model_only_blocking_delays_are_busy() {
    let sim = Sim::new();
    sim.spawn("idle", async {
        embassy_time::Timer::after_millis(5).await;
        fwsim::busy_wait(fwsim::us(250));
    });
    sim.run_until(SimTime::from_millis(10)).unwrap();
    assert_eq!(sim.busy_time(), SimTime::from_micros(250));
}
