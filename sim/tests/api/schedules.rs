//! Recorded, replayed and shrunk schedules.

use super::*;

fn racy_program(sim: &Sim<'_>) {
    for i in 0..4u64 {
        sim.spawn("worker", async move {
            for _ in 0..3 {
                fwsim::yield_now().await;
                Timer::after(Duration::from_micros(i)).await;
            }
        });
    }
}

#[test]
fn random_and_pct_record_schedules_that_replay_bit_for_bit() {
    for policy in [Policy::Random { seed: 11 }, Policy::Pct { seed: 5, depth: 3, horizon: 1_000 }] {
        let sim = Sim::with_config(SimConfig::new().policy(policy.clone()));
        racy_program(&sim);
        sim.run_for(ms(1)).unwrap();
        let schedule = sim.schedule();
        assert!(!schedule.deviations.is_empty(), "{policy:?} deviated somewhere");
        assert!(sim.choice_points() >= schedule.deviations.len() as u64);
        let hash = sim.trace_hash();

        let replay = Sim::with_config(SimConfig::new().policy(Policy::Replay(schedule.clone())));
        racy_program(&replay);
        replay.run_for(ms(1)).unwrap();
        assert_eq!(replay.trace_hash(), hash, "{policy:?}: replay reproduces the trace");
        assert!(replay.diagnostics().is_empty());

        // A schedule survives a round trip through JSON.
        let json = serde_json::to_string(&schedule).unwrap();
        assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), schedule);
    }
}

#[test]
fn default_policies_record_no_deviations() {
    let sim = Sim::new();
    racy_program(&sim);
    sim.run_for(ms(1)).unwrap();
    assert!(sim.choice_points() > 0);
    assert!(sim.schedule().deviations.is_empty());
}

#[test]
fn replay_of_a_schedule_that_does_not_fit_diverges() {
    let bogus = Schedule { order: Order::Fifo, deviations: vec![fwsim::Deviation::at(0, 3, 9)] };
    let sim = Sim::with_config(SimConfig::new().policy(Policy::Replay(bogus)));
    racy_program(&sim);
    sim.run_for(ms(1)).unwrap();
    let d = sim.take_diagnostics();
    assert!(
        matches!(
            d.as_slice(),
            [fwsim::Diagnostic::ReplayDiverged { choice: 0, expected_options: 9, found_options: 4, .. }]
        ),
        "{d:?}"
    );
}

#[test]
fn shrinking_a_schedule_yields_smaller_valid_schedules() {
    let sim = Sim::with_config(SimConfig::new().policy(Policy::Random { seed: 3 }));
    racy_program(&sim);
    sim.run_for(ms(1)).unwrap();
    let schedule = sim.schedule();
    for smaller in schedule.shrink_candidates() {
        assert!(smaller.deviations.len() < schedule.deviations.len() || smaller != schedule);
        let replay = Sim::with_config(SimConfig::new().policy(Policy::Replay(smaller)));
        racy_program(&replay);
        replay.run_for(ms(1)).unwrap();
        // Removing a deviation may shift later option counts; the replay either fits or says so.
        for d in replay.diagnostics() {
            assert!(matches!(d, fwsim::Diagnostic::ReplayDiverged { .. }), "{d}");
        }
    }
}

/// What a failure report says about how its simulation scheduled: no explorer is named where
/// there is none.
#[test]
fn scheduling_is_said_in_words() {
    use std::sync::{Arc, Mutex};
    assert_eq!(SimConfig::new().scheduling(), "Embassy");
    assert_eq!(SimConfig::new().policy(Policy::Random { seed: 3 }).scheduling(), "Random { seed: 3 }");
    assert_eq!(SimConfig::new().order(Order::Embassy).scheduling(), "order Embassy");
    assert_eq!(
        SimConfig::new().policy(Policy::Random { seed: 3 }).order(Order::MicroPython).scheduling(),
        "order MicroPython with Random { seed: 3 }'s explorer"
    );
    let shared = Arc::new(Mutex::new(fwsim::explore::Random::new(3)));
    assert_eq!(SimConfig::new().order(Order::Fifo).explorer(shared).scheduling(), "order Fifo with a shared explorer");
}
