//! Realizable versus any-order exploration: which finds what.

mod common;

use std::cell::Cell;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, with_timeout};
use fwsim::fuzz::{Fuzz, Strategy};
use fwsim::{Irq, Order, Sim, SimConfig, SimTime};

/// Two workers, the second 2 turns late: see `common::lost_update`.
fn lost_update<'s>(sim: &'s Sim<'s>) {
    common::lost_update(sim, 2, 2);
}

#[test]
fn only_any_order_exploration_finds_a_bug_the_scheduler_cannot_produce() {
    let realizable =
        Fuzz::new(Strategy::Dfs { bound: 3 }).name("realizable-lost-update").order(Order::Embassy).realizable();
    let report = realizable.try_run(lost_update).expect("embassy's own order never loses the update");
    assert!(report.exhausted);
    assert_eq!(report.executions, 1, "no interrupts: the scheduler leaves nothing open");
    // Any order (FIFO, every runnable task a candidate) finds the interleaving that loses it.
    let any_order = Fuzz::new(Strategy::Dfs { bound: 3 }).name("any-order-lost-update");
    assert!(any_order.try_run(lost_update).is_err(), "another task order loses it");
}

/// A task waits 10 ms for a reply that an interrupt delivers at 9.5 ms: on time it arrives,
/// but with up to 1 ms of arrival jitter it can come after the timeout.
fn reply_in_time<'s>(sim: &'s Sim<'s>) {
    let reply = &*sim.alloc(Signal::<CriticalSectionRawMutex, u8>::new());
    let waiter = sim.spawn("waiter", async move { with_timeout(Duration::from_millis(10), reply.wait()).await });
    sim.schedule_isr(SimTime::from_micros(9_500), Irq::new(1, 5), move || reply.signal(42));
    sim.run_for(fwsim::ms(20)).unwrap();
    assert_eq!(sim.join(waiter).unwrap(), Ok(42), "the reply came after the timeout");
}

#[test]
fn realizable_exploration_finds_a_late_interrupt() {
    let jittery = SimConfig::new().isr_jitter(fwsim::ms(1), 5);
    // In the default timing it passes.
    let on_time =
        Fuzz::new(Strategy::Dfs { bound: 0 }).name("reply-on-time").config(jittery.clone()).order(Order::Embassy);
    assert!(on_time.realizable().try_run(reply_in_time).is_ok());
    // One late arrival breaks it, and realizable DFS finds it.
    let failure = Fuzz::new(Strategy::Dfs { bound: 1 })
        .name("reply-late")
        .config(jittery)
        .order(Order::Embassy)
        .realizable()
        .try_run(reply_in_time)
        .expect_err("a late reply is found");
    assert_eq!(failure.deviations, 1);
    assert!(failure.fault.message.contains("the reply came after the timeout"), "{failure}");
    // The report says which interrupt came late, and by how much.
    assert_eq!(failure.explained, ["at 0.000000000s: irq5, due at 0.009500000s, arrives 750µs late"], "{failure}");
    // Without jitter there is nothing to explore: the same campaign passes.
    let fixed = Fuzz::new(Strategy::Dfs { bound: 1 }).name("reply-fixed").order(Order::Embassy).realizable();
    assert!(fixed.try_run(reply_in_time).is_ok_and(|r| r.exhausted && r.executions == 1));
}

/// Two interrupts at the same instant: the sensor's (priority 2) stores a reading, the
/// logger's (priority 3) reads it. By priority the sensor runs first.
fn same_instant<'s>(sim: &'s Sim<'s>) {
    let reading = &*sim.alloc(Cell::new(0u32));
    let logged = &*sim.alloc(Cell::new(0u32));
    let at = SimTime::from_millis(1);
    sim.schedule_isr(at, Irq::new(2, 1), move || reading.set(7));
    sim.schedule_isr(at, Irq::new(3, 2), move || logged.set(reading.get()));
    sim.run_for(fwsim::ms(2)).unwrap();
    assert_eq!(logged.get(), 7, "the logger read before the sensor stored");
}

#[test]
fn realizable_exploration_reorders_interrupts_due_at_the_same_instant() {
    let failure = Fuzz::new(Strategy::Dfs { bound: 1 })
        .name("same-instant")
        .order(Order::Embassy)
        .realizable()
        .try_run(same_instant)
        .expect_err("the swapped order is found");
    assert_eq!(failure.deviations, 1);
    let swapped = "at 0.001000000s: irq2 was served before irq1, of 2 interrupt sources due together";
    assert_eq!(failure.explained, [swapped], "{failure}");
}

/// Two tasks sleep until the same instant: the producer stores a sample, the consumer reads
/// it. In the timer queue's own order the consumer's timer fires first, and embassy polls the
/// tasks woken together latest first: the producer runs first. On a board the two deadlines,
/// computed as each task ran, may put either timer first.
fn same_deadline<'s>(sim: &'s Sim<'s>) {
    let sample = &*sim.alloc(Cell::new(0u32));
    let read = sim.spawn("consumer", async move {
        embassy_time::Timer::after_millis(10).await;
        sample.get()
    });
    sim.spawn("producer", async move {
        embassy_time::Timer::after_millis(10).await;
        sample.set(7);
    });
    sim.run_for(fwsim::ms(20)).unwrap();
    assert_eq!(sim.join(read).unwrap(), 7, "the consumer read before the producer stored");
}

#[test]
fn realizable_exploration_reorders_timers_expiring_at_the_same_instant() {
    let fuzz = |name, bound| Fuzz::new(Strategy::Dfs { bound }).name(name).order(Order::Embassy).realizable();
    // Embassy's own order passes (the run order and the timer queue's order agree here).
    assert!(fuzz("same-deadline-own", 0).try_run(same_deadline).is_ok());
    // The other expiry order breaks it: one deviation, at a timer choice, not a task choice.
    let failure = fuzz("same-deadline", 1).try_run(same_deadline).expect_err("the other expiry order is found");
    assert_eq!(failure.deviations, 1);
    assert!(failure.schedule.deviations.iter().all(|d| d.task.is_none()), "{:?}", failure.schedule);
    assert!(failure.fault.message.contains("the consumer read before the producer stored"), "{failure}");
    let swapped = "at 0.010000000s: producer#1's timer fired before consumer#0's, of 2 expiring together";
    assert_eq!(failure.explained, [swapped], "{failure}");
}

#[test]
fn a_realizable_replay_file_says_so_and_replays() {
    let jittery = SimConfig::new().isr_jitter(fwsim::ms(1), 5);
    let campaign = Fuzz::new(Strategy::Random).name("reply-replay").config(jittery).order(Order::Embassy).realizable();
    let failure = campaign.try_run(reply_in_time).expect_err("found");
    let file = fwsim::fuzz::ReplayFile::read(failure.replay_file.as_ref().unwrap()).unwrap();
    assert!(file.realizable);
    assert!(file.schedule.deviations.iter().all(|d| d.task.is_none()), "only timing choices: {:?}", file.schedule);
    assert!(campaign.replay(&file, reply_in_time).is_err());
}
