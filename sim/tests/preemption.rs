//! Interrupts landing inside a poll, at its critical-section exits
//! (`SimConfig::isr_preemption`): what only they find, and that the default order is kept.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use fwsim::fuzz::{Fuzz, Strategy};
use fwsim::{Irq, Order, Sim, SimConfig, SimTime};

/// A flag whose wait checks and registers in two critical sections: an interrupt that sets it
/// between the two finds no waker to wake, and the waiter sleeps forever.
struct SplitFlag {
    state: Mutex<CriticalSectionRawMutex, RefCell<(bool, Option<Waker>)>>,
}

impl SplitFlag {
    fn new() -> Self {
        SplitFlag { state: Mutex::new(RefCell::new((false, None))) }
    }

    fn set(&self) {
        let waker = self.state.lock(|s| {
            let mut s = s.borrow_mut();
            s.0 = true;
            s.1.take()
        });
        if let Some(w) = waker {
            w.wake();
        }
    }

    async fn wait(&self) {
        poll_fn(|cx| {
            if self.state.lock(|s| std::mem::take(&mut s.borrow_mut().0)) {
                return Poll::Ready(());
            }
            // The gap: an interrupt landing here sets the flag unseen.
            self.state.lock(|s| s.borrow_mut().1 = Some(cx.waker().clone()));
            Poll::Pending
        })
        .await
    }

    /// `wait`, after a critical section of its own that an interrupt can land after harmlessly
    /// (the check that follows sees the flag): to break it, the interrupt must pass that exit.
    async fn wait_after_a_section(&self) {
        poll_fn(|cx| {
            self.state.lock(|_| ());
            if self.state.lock(|s| std::mem::take(&mut s.borrow_mut().0)) {
                return Poll::Ready(());
            }
            self.state.lock(|s| s.borrow_mut().1 = Some(cx.waker().clone()));
            Poll::Pending
        })
        .await
    }

    /// The right way, as `fwsim_primitives::ThreadSafeFlag` does it: one critical section.
    async fn wait_in_one_section(&self) {
        poll_fn(|cx| {
            self.state.lock(|s| {
                let mut s = s.borrow_mut();
                if std::mem::take(&mut s.0) {
                    return Poll::Ready(());
                }
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            })
        })
        .await
    }
}

/// A waiter that must finish and an interrupt due as it starts.
fn split_flag<'s>(sim: &'s Sim<'s>) {
    let flag = &*sim.alloc(SplitFlag::new());
    sim.spawn("waiter", async move { flag.wait().await }).must_finish();
    sim.schedule_isr(SimTime::ZERO, Irq::new(1, 4), move || flag.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
}

/// The same with a wait that checks and registers in one section.
fn one_section_flag<'s>(sim: &'s Sim<'s>) {
    let flag = &*sim.alloc(SplitFlag::new());
    sim.spawn("waiter", async move { flag.wait_in_one_section().await }).must_finish();
    sim.schedule_isr(SimTime::ZERO, Irq::new(1, 4), move || flag.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
}

fn preempting() -> SimConfig {
    SimConfig::new().isr_preemption(true)
}

fn realizable_dfs(name: &str, bound: u32, config: SimConfig) -> Fuzz {
    Fuzz::new(Strategy::Dfs { bound }).name(name).config(config).order(Order::Embassy).realizable()
}

#[test]
fn only_preemption_points_find_an_interrupt_between_two_critical_sections() {
    let between_polls = realizable_dfs("split-flag-between-polls", 3, SimConfig::new());
    let report = between_polls.try_run(split_flag).expect("between polls the interrupt never splits the wait");
    assert!(report.exhausted);
    let failure = realizable_dfs("split-flag-preempted", 1, preempting())
        .try_run(split_flag)
        .expect_err("an interrupt at the first section's exit is found");
    assert_eq!(failure.deviations, 1, "moving the interrupt into the poll is the one deviation: {failure}");
    assert_eq!(failure.explained.len(), 1, "{failure}");
    assert!(failure.explained[0].contains(" arrives while the tasks due at this instant are polled"), "{failure}");
    assert!(failure.fault.message.contains("waiter"), "the waiter deadlocks: {failure}");
}

#[test]
fn a_primitive_that_checks_and_registers_in_one_section_passes_every_landing() {
    for order in [Order::Embassy, Order::MicroPython, Order::Fifo] {
        let campaign = |name: &str, bound| {
            Fuzz::new(Strategy::Dfs { bound }).name(name).config(preempting()).order(order).realizable()
        };
        let report = campaign("one-section", 3).try_run(one_section_flag).expect("no lost wake");
        assert!(report.exhausted);
        // Before the poll, at its one exit, or after it: three schedules.
        assert_eq!(report.executions, 3, "{order:?}");
        let failure = campaign("split-flag", 1).try_run(split_flag).expect_err("found");
        assert_eq!(failure.deviations, 1, "{order:?}");
    }
}

#[test]
fn without_an_explorer_interrupts_still_run_between_polls() {
    fwsim::scope(preempting(), split_flag);
}

#[test]
fn random_and_pct_find_it_and_the_replay_fails_the_same_way() {
    for strategy in [Strategy::Random, Strategy::Pct { depth: 2 }] {
        let campaign = Fuzz::new(strategy).name("split-flag-random").config(preempting()).iterations(200);
        let failure = campaign.try_run(split_flag).expect_err("found");
        let file = fwsim::fuzz::ReplayFile::read(failure.replay_file.as_ref().unwrap()).unwrap();
        let replayed = campaign.replay(&file, split_flag).expect_err("the replay fails too");
        assert_eq!(replayed.fault.kind, failure.fault.kind);
    }
}

#[test]
fn an_interrupt_moved_into_a_poll_that_never_comes_runs_before_time_moves() {
    // A waiter that is aborted before its poll: the interrupt moved into that poll still runs,
    // at its own instant.
    let ran_at = std::sync::Mutex::new(Vec::new());
    let campaign = Fuzz::new(Strategy::Dfs { bound: 2 }).name("moved-into-aborted").config(preempting());
    let report = campaign
        .try_run(|sim| {
            let at = &*sim.alloc(Cell::new(None));
            let victim = sim.spawn("victim", async {});
            sim.schedule_isr(SimTime::ZERO, Irq::new(1, 4), move || at.set(Some(embassy_time::Instant::now())));
            // Something later, for time to move to.
            sim.schedule_isr(SimTime::from_millis(5), Irq::new(1, 5), || {});
            victim.abort();
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
            ran_at.lock().unwrap().push(at.get());
        })
        .expect("passes");
    assert!(report.exhausted);
    let ran_at = ran_at.into_inner().unwrap();
    assert!(!ran_at.is_empty());
    assert!(ran_at.iter().all(|t| *t == Some(embassy_time::Instant::from_ticks(0))), "{ran_at:?}");
}

#[test]
fn an_interrupt_moved_into_a_poll_still_runs_when_the_run_stops_first() {
    let campaign = Fuzz::new(Strategy::Dfs { bound: 1 }).name("moved-then-stopped").config(preempting());
    let report = campaign
        .try_run(|sim| {
            let ran = &*sim.alloc(Cell::new(false));
            let _waiter = sim.spawn("idle", async {});
            sim.schedule_isr(SimTime::ZERO, Irq::new(1, 4), move || ran.set(true));
            // Holds from its second check on: right after the interrupts are delivered, before
            // any poll.
            let checks = Cell::new(0);
            let stopped = sim.run_until_true(|| {
                checks.set(checks.get() + 1);
                checks.get() > 1
            });
            assert!(stopped.unwrap());
            assert!(ran.get(), "the interrupt ran before the run returned");
        })
        .expect("passes");
    assert_eq!(report.executions, 2, "before the poll, or moved into it");
}

#[test]
fn an_interrupt_moved_into_a_poll_lands_before_its_busy_time() {
    use embedded_hal::delay::DelayNs;
    let campaign = Fuzz::new(Strategy::Dfs { bound: 1 }).name("moved-then-busy").config(preempting());
    let report = campaign
        .try_run(|sim| {
            let at = &*sim.alloc(Cell::new(None));
            sim.spawn("busy", async { fwsim::Delay.delay_ms(3) });
            sim.schedule_isr(SimTime::ZERO, Irq::new(1, 4), move || at.set(Some(embassy_time::Instant::now())));
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
            assert_eq!(at.get(), Some(embassy_time::Instant::from_ticks(0)), "it arrived as the poll began");
        })
        .expect("passes");
    assert_eq!(report.executions, 2);
}

/// The waiter polls second at the interrupt's instant: the interrupt must pass over the first
/// task's poll to land in the waiter's gap.
fn split_flag_second<'s>(sim: &'s Sim<'s>) {
    let flag = &*sim.alloc(SplitFlag::new());
    sim.spawn("first", async {});
    sim.spawn("waiter", async move { flag.wait().await }).must_finish();
    sim.schedule_isr(SimTime::ZERO, Irq::new(1, 4), move || flag.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
}

#[test]
fn an_interrupt_moved_into_the_polls_may_land_in_any_of_them() {
    let fifo = |name: &str, bound| {
        Fuzz::new(Strategy::Dfs { bound }).name(name).config(preempting()).order(Order::Fifo).realizable()
    };
    // Moved in, it lands by default where the first poll ends: before the waiter runs.
    let one = fifo("split-second-bound-1", 1).try_run(split_flag_second).expect("one deviation is not enough");
    assert!(one.exhausted);
    let failure = fifo("split-second-bound-2", 2).try_run(split_flag_second).expect_err("found");
    assert_eq!(failure.deviations, 2, "moved in, then carried past the first poll: {failure}");
}

/// The race from a `#[fwsim::test]` body: a waiter task and an interrupt due as it starts.
async fn waiter_and_interrupt(split: bool) {
    let flag = Rc::new(SplitFlag::new());
    let setter = flag.clone();
    let waiter =
        fwsim::spawn("waiter", async move { if split { flag.wait().await } else { flag.wait_in_one_section().await } });
    fwsim::isr::schedule(fwsim::now(), Irq::new(1, 4), move || setter.set());
    waiter.await.unwrap();
}

#[fwsim::test(explorer = "dfs", bound = 1, realizable, isr_preemption)]
#[should_panic(expected = "1 deviation(s) from the Embassy order, the fewest possible")]
async fn the_test_attribute_explores_interrupts_landing_inside_polls() {
    waiter_and_interrupt(true).await
}

#[fwsim::test(explorer = "dfs", bound = 3, realizable, isr_jitter = "2ms", jitter_steps = 3, isr_preemption)]
async fn the_test_attribute_passes_a_one_section_wait_at_every_landing_and_arrival() {
    waiter_and_interrupt(false).await
}

/// An interrupt due at 1 ms that a task expects to have run by 2 ms.
async fn expect_interrupt_by_2ms() {
    let arrived = Rc::new(Cell::new(false));
    let set = arrived.clone();
    fwsim::isr::schedule(SimTime::from_millis(1), Irq::new(1, 4), move || set.set(true));
    embassy_time::Timer::after_millis(2).await;
    assert!(arrived.get(), "the interrupt came more than 1 ms late");
}

#[fwsim::test(explorer = "dfs", bound = 1, realizable, isr_jitter = embassy_time::Duration::from_millis(2), jitter_steps = 3)]
#[should_panic(expected = "the interrupt came more than 1 ms late")]
async fn the_test_attribute_explores_late_interrupts() {
    expect_interrupt_by_2ms().await
}

#[fwsim::test(explorer = "dfs", bound = 1, realizable, isr_jitter = "500us", jitter_steps = 3)]
async fn the_test_attribute_keeps_interrupts_within_the_jitter_bound() {
    expect_interrupt_by_2ms().await
}

/// `split_flag` with the gap after the wait's second critical-section exit.
fn gap_at_second_exit<'s>(sim: &'s Sim<'s>) {
    let flag = &*sim.alloc(SplitFlag::new());
    sim.spawn("waiter", async move { flag.wait_after_a_section().await }).must_finish();
    sim.schedule_isr(SimTime::ZERO, Irq::new(1, 4), move || flag.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
}

/// An interrupt that must pass one critical-section exit to reach the gap takes two
/// deviations, and the report says what each did: moved into the poll, then landing later
/// than the first exit.
#[test]
fn a_landing_past_an_exit_takes_a_deviation_the_report_explains() {
    assert!(realizable_dfs("second-exit-b1", 1, preempting()).try_run(gap_at_second_exit).is_ok());
    let failure = realizable_dfs("second-exit-b2", 2, preempting()).try_run(gap_at_second_exit).expect_err("found");
    assert_eq!(failure.deviations, 2, "{failure}");
    let expected = [
        "at 0.000000000s: irq4 arrives while the tasks due at this instant are polled, not before them",
        "at 0.000000000s: irq4, moved into the polls, lands later than this critical-section end",
    ];
    assert_eq!(failure.explained, expected, "{failure}");
    assert!(failure.to_string().contains(&format!("\n    {}\n", expected[1])), "{failure}");
}
