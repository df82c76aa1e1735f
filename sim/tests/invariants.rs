//! Invariants (`Sim::invariant`, `fwsim::invariant`): checked after every poll and every batch
//! of interrupts and timers, never inside a poll, and found by the explorers.

use std::cell::Cell;
use std::rc::Rc;

use embassy_time::{Duration, Timer};
use fwsim::fuzz::{Fuzz, Strategy};
use fwsim::{Irq, Sim, SimConfig, SimError, SimTime};

/// Two tasks move 10 units between accounts, each in two steps with an await between (the
/// second starts a turn later): the total is off while one is halfway, though every run ends
/// with it right.
fn transfers<'s>(sim: &'s Sim<'s>, yield_midway: bool) -> &'s [Cell<i32>; 2] {
    let accounts = &*sim.alloc([Cell::new(50), Cell::new(50)]);
    for (name, from, to) in [("a-to-b", 0, 1), ("b-to-a", 1, 0)] {
        sim.spawn(name, async move {
            if yield_midway && from == 1 {
                fwsim::yield_now().await;
            }
            accounts[from].set(accounts[from].get() - 10);
            if yield_midway {
                fwsim::yield_now().await;
            }
            accounts[to].set(accounts[to].get() + 10);
        });
    }
    accounts
}

fn total(accounts: &[Cell<i32>; 2]) -> i32 {
    accounts[0].get() + accounts[1].get()
}

#[test]
fn a_break_that_heals_before_the_end_stops_the_run_at_the_step_that_made_it() {
    fwsim::scope(SimConfig::new(), |sim| {
        let accounts = transfers(sim, true);
        sim.invariant("money is conserved", || total(accounts) == 100);
        let err = sim.run_until_stalled().unwrap_err();
        let SimError::InvariantBroken { name, at, after } = &err else { panic!("{err}") };
        assert_eq!((name.as_str(), *at, after.as_str()), ("money is conserved", SimTime::ZERO, "a poll of a-to-b#0"));
        assert_eq!(total(accounts), 90, "stopped right after the breaking poll, before b-to-a ran");
        // Dropped once reported: the run goes on, and ends with the total right.
        sim.run_until_stalled().unwrap();
        assert_eq!(total(accounts), 100);
    });
}

#[test]
fn nothing_is_checked_inside_a_poll() {
    fwsim::scope(SimConfig::new(), |sim| {
        let accounts = transfers(sim, false);
        sim.invariant("money is conserved", || total(accounts) == 100);
        sim.run_until_stalled().unwrap();
    });
    // Not even while an interrupt runs in a poll's busy time.
    fwsim::scope(SimConfig::new(), |sim| {
        let level = &*sim.alloc(Cell::new(0u32));
        let interrupted = &*sim.alloc(Cell::new(false));
        sim.invariant("the level stays under 10", || level.get() < 10);
        sim.schedule_isr(SimTime::from_millis(1), Irq::new(1, 2), move || interrupted.set(true));
        sim.spawn("filler", async move {
            level.set(12);
            fwsim::busy_wait(fwsim::ms(2));
            level.set(0);
        });
        sim.run_for(fwsim::ms(5)).unwrap();
        assert!(interrupted.get());
    });
}

#[test]
fn an_interrupt_handler_that_breaks_it_is_named() {
    fwsim::scope(SimConfig::new(), |sim| {
        let level = &*sim.alloc(Cell::new(0u32));
        sim.invariant("the level stays under 10", || level.get() < 10);
        sim.schedule_isr(SimTime::from_millis(3), Irq::new(1, 2), move || level.set(12));
        let err = sim.run_for(fwsim::secs(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invariant `the level stays under 10` broken at 0.003000000s, after interrupts and timers"
        );
    });
}

#[test]
fn a_break_as_a_run_lands_on_its_end_is_reported_by_that_run() {
    for quiescent in [false, true] {
        fwsim::scope(SimConfig::new(), |sim| {
            let level = &*sim.alloc(Cell::new(0u32));
            sim.invariant("the level stays under 10", || level.get() < 10);
            // Due exactly where the run stops: the run's last step delivers it.
            sim.schedule_isr(SimTime::from_millis(5), Irq::new(1, 2), move || level.set(12));
            let err = if quiescent {
                sim.run_until_quiescent(fwsim::ms(5)).map(drop).unwrap_err()
            } else {
                sim.run_for(fwsim::ms(5)).unwrap_err()
            };
            assert!(matches!(err, SimError::InvariantBroken { at, .. } if at == SimTime::from_millis(5)), "{err}");
        });
    }
}

#[test]
fn a_check_may_declare_another_and_both_are_kept() {
    fwsim::scope(SimConfig::new(), |sim| {
        let ticks = &*sim.alloc(Cell::new(0u32));
        let declared = &*sim.alloc(Cell::new(false));
        sim.invariant("declares a second", move || {
            if !declared.replace(true) {
                fwsim::invariant("ticks stay under 3", move || true);
                sim.invariant("ticks stay under 2", move || ticks.get() < 2);
            }
            true
        });
        sim.spawn("ticker", async move {
            loop {
                ticks.set(ticks.get() + 1);
                Timer::after(Duration::from_millis(1)).await;
            }
        });
        let err = sim.run_for(fwsim::secs(1)).unwrap_err();
        assert!(err.to_string().starts_with("invariant `ticks stay under 2` broken at 0.001000000s"), "{err}");
    });
}

#[test]
fn random_exploration_finds_a_break_only_some_schedules_make_and_shrinks_it() {
    // Without the yield no schedule breaks it: every exploration passes.
    let passing = Fuzz::new(Strategy::Dfs { bound: 3 }).name("atomic-transfers").try_run(|sim| {
        let accounts = transfers(sim, false);
        sim.invariant("money is conserved", || total(accounts) == 100);
        sim.run_until_stalled().unwrap();
    });
    assert!(passing.expect("no break").exhausted);
    // With it, one transfer in flight is allowed; two at once take a schedule the FIFO order
    // does not make (b-to-a's first half before a-to-b's second).
    let failure = Fuzz::new(Strategy::Random)
        .name("two-in-flight")
        .iterations(1_000)
        .try_run(|sim| {
            let accounts = transfers(sim, true);
            sim.invariant("at most one transfer in flight", || total(accounts) >= 90);
            sim.run_until_stalled().unwrap();
        })
        .expect_err("both tasks halfway at once");
    let message = &failure.fault.message;
    assert_eq!(failure.fault.kind, "InvariantBroken", "{failure}");
    assert_eq!(message, "invariant `at most one transfer in flight` broken\n  after a poll of b-to-a#1");
    assert_eq!(failure.deviations, 1, "{failure}");
}

#[fwsim::test(explorer = "dfs", bound = 2)]
#[should_panic(expected = "InvariantBroken in the test body at virtual time 0.000000000s: invariant `money is \
                           conserved` broken\n    after a poll of mover#1")]
async fn the_ambient_form_works_from_a_test_body() {
    let accounts = Rc::new([Cell::new(50), Cell::new(50)]);
    let seen = accounts.clone();
    fwsim::invariant("money is conserved", move || seen[0].get() + seen[1].get() == 100);
    let mover = fwsim::spawn("mover", async move {
        accounts[0].set(40);
        fwsim::yield_now().await;
        accounts[1].set(60);
    });
    mover.await.unwrap();
}
