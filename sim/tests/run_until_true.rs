//! `run_until_true` and `run_until_true_within`: where they stop.

use std::cell::Cell;

use fwsim::{Irq, SimConfig, SimTime};

#[test]
fn a_condition_made_true_by_an_interrupt_alone_stops_the_run_at_that_instant() {
    fwsim::scope(SimConfig::new(), |sim| {
        let flag = sim.alloc(Cell::new(false));
        let flag = &*flag;
        sim.schedule_isr(SimTime::from_millis(5), Irq::new(3, 1), || flag.set(true));
        // Something later keeps the simulation busy: the run must not jump past 5 ms.
        sim.spawn("late", async { embassy_time::Timer::after_millis(50).await });
        assert!(sim.run_until_true_within(fwsim::ms(10), || flag.get()).unwrap());
        assert_eq!(sim.now(), SimTime::from_millis(5));
    });
}

#[test]
fn the_limit_first_leaves_the_clock_on_the_limit() {
    fwsim::scope(SimConfig::new(), |sim| {
        sim.spawn("late", async { embassy_time::Timer::after_millis(50).await });
        assert!(!sim.run_until_true_within(fwsim::ms(10), || false).unwrap());
        assert_eq!(sim.now(), SimTime::from_millis(10));
        assert!(sim.run_until_true_within(fwsim::ms(100), || fwsim::now() >= SimTime::from_millis(50)).unwrap());
        assert_eq!(sim.now(), SimTime::from_millis(50));
    });
}

#[test]
fn run_until_true_sees_interrupt_made_conditions_too() {
    fwsim::scope(SimConfig::new(), |sim| {
        let flag = sim.alloc(Cell::new(false));
        let flag = &*flag;
        sim.schedule_isr(SimTime::from_millis(7), Irq::new(3, 1), || flag.set(true));
        sim.spawn("late", async { embassy_time::Timer::after_millis(50).await });
        assert!(sim.run_until_true(|| flag.get()).unwrap());
        assert_eq!(sim.now(), SimTime::from_millis(7));
    });
}
