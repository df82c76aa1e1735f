//! Reusing a finished simulation's allocations for the next one.
//!
//! A fuzz campaign builds and tears down a simulation per execution, and most executions are
//! small: a few tasks, a dozen polls. Building a `Shared` from nothing then costs as much as
//! running it (every table and queue grows from empty, and is freed again at the end).
//! `recycle` turns a shut-down simulation into a fresh one in place: every collection is
//! emptied but keeps its capacity.
//!
//! A recycled simulation must be indistinguishable from a new one. The resets below
//! destructure every struct without `..`, so a field added later does not compile until it is
//! reset here too, and the tests below compare what a fresh and a recycled simulation let one
//! observe (trace hash, diagnostics, schedule, time) under five configurations.
//!
//! Only `fwsim::fuzz` recycles (through `sim::scope_reusing`): it keeps one spare simulation
//! per thread. A simulation something still holds (a join handle or handle that left the
//! scope) is never recycled.

use super::*;
use crate::explore::LentExplorer;

impl Shared {
    /// Makes this shut-down simulation a new one of `config`, under a new tag, so that a
    /// waker of the last run cannot reach the next; with `lent`, that explorer answers its
    /// choice points (see `Choices::lend`).
    pub(crate) fn recycle(&mut self, config: Rc<SimConfig>, lent: Option<Box<LentExplorer>>) {
        debug_assert!(self.torn_down.get(), "only a shut-down simulation is recycled");
        let Shared {
            tag,
            tags_end,
            inbox,
            core,
            isr_fns,
            isr_free,
            arena,
            blocks: _, // kept: the next run reuses them
            artifact_writers,
            torn_down,
            in_run,
            hosting,
            awaited,
            awaited_done,
            invariants,
            abort_links,
            config: old_config,
            has_cost,
            poll_limit,
            recent_from,
            polling,
            poll_clones,
            quiet_around,
        } = self;
        // Shutdown drained these; they keep their capacity.
        debug_assert!(isr_fns.get_mut().is_empty() && !arena.get_mut().has_drops());
        debug_assert!(core.get_mut().tasks.metas.iter().all(|t| t.future.is_none()));
        debug_assert!(artifact_writers.get_mut().is_empty());
        isr_fns.get_mut().clear();
        isr_free.get_mut().clear();
        arena.get_mut().reset();
        artifact_writers.get_mut().clear();
        registry::rekey(tag, tags_end, inbox);
        watch_if_asked(inbox, &config);
        core.get_mut().reset(&config, lent).unwrap_or_else(|e| panic!("fwsim: cannot create the trace file: {e}"));
        torn_down.set(false);
        in_run.set(false);
        hosting.set(0);
        awaited.set(None);
        awaited_done.set(false);
        invariants.clear();
        if !abort_links.get_mut().is_empty() {
            abort_links.get_mut().clear();
        }
        PollLimits { has_cost: *has_cost, poll_limit: *poll_limit, recent_from: *recent_from } =
            PollLimits::of(&config);
        polling.set(NOT_POLLING);
        poll_clones.set(0);
        quiet_around.set(false);
        *old_config = config;
        self.update_mode();
    }
}

impl Core {
    /// Empties every part, as `Core::new(cfg)` would build it.
    fn reset(&mut self, cfg: &SimConfig, lent: Option<Box<LentExplorer>>) -> std::io::Result<()> {
        let Core { tasks, executors, choices, clock, timers, irq, poll, findings, trace, mode } = self;
        trace.reset(&cfg.trace)?;
        tasks.reset();
        executors.keep_first_only();
        cfg.with_order_spec(|spec| executors.first().reset(spec));
        choices.reset(cfg, lent);
        let Clock { now, seq, events, due_hint, past_limit, instant_polls, busy } = clock;
        *now = cfg.start.as_nanos();
        *seq = 0;
        events.clear();
        *due_hint = u64::MAX;
        *past_limit = u64::MAX;
        *instant_polls = 0;
        *busy = 0;
        timers.reset(cfg.timer_queue);
        let Interrupts { stack, pending, armed } = irq;
        stack.clear();
        pending.clear();
        *armed = None;
        poll.reset();
        let Findings { diags, strict, strict_stop, stopped_by } = findings;
        diags.clear();
        *strict = cfg.strict;
        *strict_stop = None;
        // (Tested first: storing `None` drops the old value, a check and a call per recycle.)
        if stopped_by.is_some() {
            *stopped_by = None;
        }
        *mode = ModeKind::General;
        Ok(())
    }
}

impl TaskTable {
    #[inline]
    fn reset(&mut self) {
        let TaskTable { metas, free, next_serial, live, must_finish, names, joiners, errors } = self;
        metas.clear();
        free.clear();
        *next_serial = 0;
        *live = 0;
        *must_finish = 0;
        names.clear();
        // (Emptying an empty map still walks it.)
        if !joiners.is_empty() {
            joiners.clear();
        }
        if !errors.is_empty() {
            errors.clear();
        }
    }
}

impl Choices {
    /// Empties the choices; the configuration's explorer answers them, or `lent`.
    #[inline]
    fn reset(&mut self, cfg: &SimConfig, lent: Option<Box<LentExplorer>>) {
        let Choices { explorer: _, count, deviations, ids, anchor, last_arrival, yielded, record: _, explained } = self;
        *count = 0;
        deviations.clear();
        ids.clear();
        *anchor = Anchor { after: None, picks: 0, index: 0 };
        if !last_arrival.is_empty() {
            last_arrival.clear();
        }
        *yielded = None;
        if !explained.is_empty() {
            explained.clear();
        }
        self.answer_with(cfg, lent);
    }
}

impl Timers {
    #[inline]
    fn reset(&mut self, kind: TimerQueueKind) {
        let Timers { integrated, generic, foreign, expired, firing } = self;
        integrated.clear();
        // Shutdown emptied the generic queue and the foreign one; a generic queue is rebuilt
        // only for another kind or capacity.
        debug_assert!(generic.as_ref().is_none_or(GenericTimerQueue::is_empty) && foreign.is_empty());
        if generic.as_ref().map(GenericTimerQueue::capacity) != Timers::generic_capacity(kind) {
            rebuild(generic, kind);
        }
        expired.clear();
        *firing = false;
    }
}

/// Builds the generic timer queue `kind` asks for (once in a campaign: its executions share
/// one configuration).
#[cold]
#[inline(never)]
fn rebuild(generic: &mut Option<GenericTimerQueue>, kind: TimerQueueKind) {
    *generic = Timers::generic_queue(kind);
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use std::task::{Poll, Waker};

    use embassy_sync::blocking_mutex::raw::NoopRawMutex;
    use embassy_sync::signal::Signal;
    use embassy_time::{Duration, Timer};

    use crate::config::{Irq, SimConfig, TimerQueueKind};
    use crate::diag::Diagnostic;
    use crate::order::Order;
    use crate::policy::Policy;
    use crate::sim::{Sim, Spare, scope, scope_reusing};

    /// Everything a run lets one observe: timers, yields, an interrupt, a panic, an abort, a
    /// join, and a task left waiting forever; then the trace and the reports.
    fn program<'s>(sim: &'s Sim<'s>) -> String {
        let signal = &*sim.alloc(Signal::<NoopRawMutex, u32>::new());
        let waiter = sim.spawn("waiter", async move { signal.wait().await + 1 });
        sim.spawn("ticker", async move {
            for _ in 0..3 {
                Timer::after(Duration::from_micros(250)).await;
                crate::yield_now().await;
            }
        });
        sim.spawn("panicker", async move {
            crate::yield_now().await;
            panic!("planned");
        });
        let doomed = sim.spawn("doomed", async move { Timer::after(Duration::from_secs(9)).await });
        sim.spawn("forever", std::future::pending::<()>());
        sim.schedule_isr(crate::SimTime::from_micros(600), Irq::new(1, 3), move || signal.signal(41));
        sim.run_for(crate::ms(1)).unwrap();
        doomed.abort();
        let joined = sim.join(waiter).unwrap();
        let quiescent = sim.run_until_quiescent(crate::ms(5));
        format!(
            "joined {joined} at {} · {quiescent:?} · trace {:?}/{} · {:?} · {:?} · {} choice points · live {}",
            sim.now(),
            sim.trace_hash(),
            sim.trace_len(),
            sim.diagnostics(),
            sim.schedule(),
            sim.choice_points(),
            sim.live_tasks(),
        )
    }

    /// A different run, which leaves things behind: queued tasks, timers, a pending interrupt,
    /// an unread join error, arena values.
    fn messy<'s>(sim: &'s Sim<'s>) {
        for i in 0..9u64 {
            let h = sim.spawn("spinner", async move {
                loop {
                    Timer::after(Duration::from_micros(7 * i + 1)).await;
                    crate::yield_now().await;
                }
            });
            if i % 3 == 0 {
                h.must_finish();
            }
        }
        sim.spawn("fails", async { panic!("left unread") });
        let _ = sim.alloc(vec![1u8; 64]);
        sim.schedule_isr(crate::SimTime::from_millis(50), Irq::new(0, 9), || {});
        let _ = sim.run_for(crate::us(40));
    }

    fn reusing<R>(spare: &mut Spare, config: SimConfig, body: impl for<'s> FnOnce(&'s Sim<'s>) -> R) -> R {
        scope_reusing(spare, Rc::new(config), None, body)
    }

    fn configs() -> Vec<SimConfig> {
        vec![
            SimConfig::new(),
            SimConfig::new().order(Order::Fifo).policy(Policy::Random { seed: 5 }).seed(3),
            SimConfig::new().policy(Policy::MicroPython).quiet_panics(true),
            SimConfig::new().timer_queue(TimerQueueKind::Generic(16)).no_trace(),
            SimConfig::new().order(Order::Fifo).isr_jitter(crate::us(40), 4).policy(Policy::Pct {
                seed: 2,
                depth: 3,
                horizon: 50,
            }),
        ]
    }

    #[test]
    fn recycled_simulation_runs_like_a_new_one() {
        let quiet = || SimConfig::new().quiet_panics(true);
        let mut spare: Spare = None;
        // (Two configurations under Miri, which is slow, for the memory checks.)
        let n = if cfg!(miri) { 2 } else { configs().len() };
        for (i, config) in configs().into_iter().take(n).enumerate() {
            let fresh = scope(config.clone().quiet_panics(true), program);
            // Leave the spare dirty under another configuration first.
            reusing(&mut spare, configs()[(i + 1) % 5].clone().quiet_panics(true), messy);
            let before = spare.as_ref().map(Rc::as_ptr).expect("a spare is kept");
            let recycled = reusing(&mut spare, config.quiet_panics(true), program);
            assert_eq!(spare.as_ref().map(Rc::as_ptr), Some(before), "the same allocation was reused");
            assert_eq!(recycled, fresh, "configuration {i}");
        }
        // And the spare still builds a plain simulation.
        assert_eq!(reusing(&mut spare, quiet(), program), scope(quiet(), program));
    }

    /// A task that parks on its first poll, counting its polls and keeping its first waker.
    fn parked(sim: &Sim<'_>, polls: Rc<Cell<u32>>, kept: Option<Rc<RefCell<Option<Waker>>>>) {
        sim.spawn(
            "parked",
            std::future::poll_fn(move |cx| {
                polls.set(polls.get() + 1);
                if let Some(kept) = &kept {
                    kept.borrow_mut().get_or_insert_with(|| cx.waker().clone());
                }
                Poll::<()>::Pending
            }),
        );
    }

    /// The first recycle of a simulation takes a block of tags from the registry, the later
    /// ones the next tag of the block: in both, a stale waker reaches nothing of the next run.
    #[test]
    fn a_waker_of_an_earlier_run_cannot_wake_a_task_of_the_next() {
        let mut spare: Spare = None;
        for round in 0..3 {
            let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
            let polls: Rc<Cell<u32>> = Rc::default();
            let (k, p) = (kept.clone(), polls.clone());
            reusing(&mut spare, SimConfig::new(), move |sim| {
                parked(sim, p, Some(k));
                sim.run_until_stalled().unwrap();
            });
            assert_eq!(polls.get(), 1);
            // The next run's task has the same slot and generation as the kept waker's.
            let (stale, p) = (kept.borrow_mut().take().expect("kept by the first run"), polls.clone());
            let orphans = crate::orphan_wakes();
            reusing(&mut spare, SimConfig::new(), move |sim| {
                parked(sim, p, None);
                sim.run_until_stalled().unwrap();
                // From another thread, it would be reported as a cross-thread wake of the task.
                let from_afar = stale.clone();
                std::thread::spawn(move || from_afar.wake()).join().unwrap();
                stale.wake();
                sim.run_until_stalled().unwrap();
                // (The same-thread wake is reported as another simulation's, as it is after a
                // fresh simulation.)
                let crossed = sim.diagnostics().into_iter().filter(|d| matches!(d, Diagnostic::CrossThreadWake { .. }));
                assert_eq!(crossed.count(), 0, "round {round}: a wake of the earlier run reached this one");
            });
            assert!(spare.is_some(), "the simulation was recycled");
            assert_eq!(polls.get(), 2, "round {round}: the stale wake polled the new task again");
            assert!(crate::orphan_wakes() > orphans, "round {round}: the stale foreign wake was not counted");
        }
    }

    /// Across the end of a block of tags, every run has a tag of its own, and a wake of its
    /// own task from another thread still reaches it (as a report).
    #[test]
    #[cfg_attr(miri, ignore = "1,100 executions (35 s under Miri) of code the other recycle tests cover there")]
    fn runs_past_a_block_of_tags_keep_their_own_tags_and_inboxes() {
        let mut spare: Spare = None;
        let mut tags = std::collections::BTreeSet::new();
        for run in 0..1100 {
            reusing(&mut spare, SimConfig::new(), |sim| {
                assert!(tags.insert(sim.shared.tag), "run {run}: tag {} again", sim.shared.tag);
                if run % 100 == 0 || (1020..1030).contains(&run) {
                    let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
                    parked(sim, Rc::default(), Some(kept.clone()));
                    sim.run_until_stalled().unwrap();
                    let waker = kept.borrow_mut().take().expect("kept");
                    std::thread::spawn(move || waker.wake()).join().unwrap();
                    sim.run_until_stalled().unwrap();
                    let crossed =
                        sim.diagnostics().into_iter().filter(|d| matches!(d, Diagnostic::CrossThreadWake { .. }));
                    assert_eq!(crossed.count(), 1, "run {run}: its own foreign wake was not reported");
                }
            });
        }
    }

    #[test]
    fn a_simulation_still_held_is_not_recycled() {
        let mut spare: Spare = None;
        let escaped = reusing(&mut spare, SimConfig::new(), |sim| sim.spawn("t", async { 7 }));
        assert!(spare.is_none(), "a join handle outlived the scope");
        drop(escaped);
        reusing(&mut spare, SimConfig::new(), |sim| sim.run_until_stalled().unwrap());
        assert!(spare.is_some());
    }
}
