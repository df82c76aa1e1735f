//! The `Sim` API: running, joining, aborting, time, busy time, interrupts, policies, trace.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{Log, strs};
use embassy_time::{Duration, Instant, Timer};
use fwsim::trace::Kind;
use fwsim::{
    CostModel, Irq, JoinError, Order, Policy, Schedule, Sim, SimConfig, SimError, SimTime, WaitState, ms, secs,
};

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

#[test]
fn join_handle_returns_output_and_is_awaitable_from_tasks() {
    let sim = Sim::new();
    let child = sim.spawn("child", async {
        Timer::after(Duration::from_millis(3)).await;
        21
    });
    let parent = sim.spawn("parent", async move { child.await.unwrap() * 2 });
    assert_eq!(sim.join(parent).unwrap(), 42);
}

#[test]
fn abort_a_blocked_task_drops_its_future_without_polling_it() {
    struct DropFlag<'a>(&'a Cell<bool>);
    impl Drop for DropFlag<'_> {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Cell::new(false);
    let polls = Cell::new(0);
    let sim = Sim::new();
    let victim = sim.spawn("victim", async {
        let _flag = DropFlag(&dropped);
        loop {
            polls.set(polls.get() + 1);
            Timer::after(Duration::from_secs(10)).await;
        }
    });
    sim.run_for(ms(1)).unwrap();
    victim.abort();
    assert!(!dropped.get(), "abort is scheduled, not immediate");
    sim.run_until_stalled().unwrap();
    assert!(dropped.get());
    assert_eq!(polls.get(), 1, "the aborted task is dropped instead of polled");
    assert_eq!(sim.now(), SimTime::from_millis(1), "the 10 s sleep does not elapse");
    assert_eq!(sim.block_on(victim).unwrap(), Err(JoinError::Aborted));
}

#[test]
fn abort_is_scheduled_in_the_policys_order() {
    // Under Embassy the abort is a wake: pushed after the bystander's wake, so the victim is
    // dropped first (LIFO); under MicroPython it is queued behind the ready bystander.
    for (policy, expected) in
        [(Policy::Embassy, ["victim dropped", "bystander"]), (Policy::MicroPython, ["bystander", "victim dropped"])]
    {
        let got = common::logged(policy.clone(), |sim, log| {
            struct OnDrop<'a>(&'a Log);
            impl Drop for OnDrop<'_> {
                fn drop(&mut self) {
                    self.0.push("victim dropped");
                }
            }
            let victim = sim.spawn("victim", async move {
                let _d = OnDrop(log);
                std::future::pending::<()>().await
            });
            sim.run_until_stalled().unwrap();
            let bystander = sim.spawn("bystander", async move { log.push("bystander") });
            drop(bystander);
            victim.abort();
            sim.run_until_stalled().unwrap();
        });
        assert_eq!(got, strs(&expected), "{policy:?}");
    }
}

#[test]
fn a_slot_reused_after_an_abort_keeps_nothing_of_the_aborted_task() {
    // MicroPython: a task woken twice while queued keeps the place of the second wake for its
    // next self-wake. Aborted while queued, it never ends a poll; the task that reuses its slot
    // must yield to the tail, not back to that place.
    let got = common::logged(Policy::MicroPython, |sim, log| {
        let waker: &std::cell::RefCell<Option<std::task::Waker>> = sim.alloc(Default::default());
        let victim = sim.spawn(
            "victim",
            std::future::poll_fn(move |cx| {
                *waker.borrow_mut() = Some(cx.waker().clone());
                std::task::Poll::<()>::Pending
            }),
        );
        sim.run_until_stalled().unwrap();
        let w = waker.borrow_mut().take().unwrap();
        w.wake_by_ref(); // queued
        w.wake(); // coalesced: a held place
        victim.abort();
        drop(victim);
        sim.run_until_stalled().unwrap();
        drop(sim.spawn("reuser", async move {
            log.push("reuser");
            fwsim::yield_now().await;
            log.push("reuser again");
        }));
        drop(sim.spawn("other", async move { log.push("other") }));
        sim.run_until_stalled().unwrap();
    });
    assert_eq!(got, strs(&["reuser", "other", "reuser again"]));
}

#[test]
fn self_abort_takes_effect_when_the_poll_returns() {
    let after = Cell::new(0);
    let sim = Sim::new();
    let handle: Rc<Cell<Option<fwsim::JoinHandle<()>>>> = Rc::new(Cell::new(None));
    let h2 = handle.clone();
    let after_ref = &after;
    let t = sim.spawn("self", async move {
        let after = after_ref;
        let me = h2.take().unwrap();
        me.abort();
        after.set(1); // still runs: the poll continues to its next await
        h2.set(Some(me));
        fwsim::yield_now().await;
        after.set(2);
    });
    handle.set(Some(t));
    sim.run_until_stalled().unwrap();
    assert_eq!(after.get(), 1);
    let t = handle.take().unwrap();
    assert!(t.is_finished());
    assert_eq!(sim.block_on(t).unwrap(), Err(JoinError::Aborted));
}

#[test]
fn abort_of_a_finished_task_has_no_effect() {
    let sim = Sim::new();
    let t = sim.spawn("quick", async { 5 });
    sim.run_until_stalled().unwrap();
    t.abort();
    assert_eq!(sim.block_on(t).unwrap(), Ok(5));
}

#[test]
fn a_task_panic_is_caught_named_and_the_sim_goes_on() {
    let sim = Sim::new();
    let bad = sim.spawn("bad", async {
        Timer::after(Duration::from_millis(2)).await;
        panic!("sensor out of range");
    });
    let good = sim.spawn("good", async {
        Timer::after(Duration::from_millis(5)).await;
        "fine"
    });
    sim.run_for(ms(10)).unwrap();
    let diags = sim.take_diagnostics();
    assert_eq!(diags.len(), 1);
    assert!(
        matches!(&diags[0], fwsim::Diagnostic::TaskPanicked { task, at, message }
            if task == "bad#0" && *at == SimTime::from_millis(2) && message == "sensor out of range"),
        "{diags:?}"
    );
    assert_eq!(sim.block_on(bad).unwrap(), Err(JoinError::Panicked("sensor out of range".into())));
    assert_eq!(sim.block_on(good).unwrap(), Ok("fine"));
}

#[test]
fn block_on_reports_a_panicking_main() {
    let sim = Sim::new();
    let err = sim.block_on(async { panic!("boom") }).map(|_: ()| ()).unwrap_err();
    assert_eq!(err, SimError::MainPanicked("boom".into()));
}

#[test]
fn start_time_near_the_u32_microsecond_wrap() {
    let start = SimTime::from_micros((1u64 << 32) - 1_000);
    let seen = std::cell::RefCell::new(Vec::new());
    let sim = Sim::with_config(SimConfig::new().start(start));
    sim.spawn("wrap", async {
        for _ in 0..3 {
            seen.borrow_mut().push(Instant::now().as_micros() as u32);
            Timer::after(Duration::from_micros(600)).await;
        }
    });
    sim.run_for(ms(5)).unwrap();
    assert_eq!(*seen.borrow(), vec![u32::MAX - 999, u32::MAX - 399, 200], "a u32 µs counter wraps as on a board");
}

#[test]
fn start_time_near_the_micropython_ms_wrap() {
    let start = SimTime::from_millis((1 << 30) - 5);
    let woke = Cell::new(0u64);
    let sim = Sim::with_config(SimConfig::new().start(start).policy(Policy::MicroPython));
    sim.spawn("t", async {
        Timer::after(Duration::from_millis(10)).await;
        woke.set(Instant::now().as_millis());
    });
    sim.run_for(ms(20)).unwrap();
    assert_eq!(woke.get(), (1 << 30) + 5);
}

#[test]
#[should_panic(expected = "no simulation is current on this thread")]
fn a_timer_outside_any_simulation_panics_with_advice() {
    drop(Timer::after(Duration::from_millis(1)));
}

#[test]
fn enter_makes_a_simulation_current_for_code_outside_tasks() {
    let sim = Sim::with_config(SimConfig::new().start(SimTime::from_secs(7)));
    assert_eq!(sim.enter(|| Instant::now().as_secs()), 7);
}

#[test]
fn busy_time_delivers_events_at_their_own_times_without_polling_others() {
    let log = Log::default();
    let sim = Sim::new();
    sim.spawn("sleeper", async {
        Timer::after(Duration::from_millis(5)).await;
        log.at("sleeper");
    });
    sim.spawn("busy", async {
        Timer::after(Duration::from_millis(1)).await;
        log.at("busy starts");
        embedded_hal::delay::DelayNs::delay_us(&mut fwsim::Delay, 9_000);
        log.at("busy ends");
    });
    sim.schedule_isr(SimTime::from_millis(7), Irq::new(2, 3), || log.at("isr"));
    sim.run_for(ms(20)).unwrap();
    assert_eq!(log.take(), strs(&["busy starts@1", "isr@7", "busy ends@10", "sleeper@10"]));
    let fire = sim.trace_records().into_iter().find(|r| r.kind == Kind::TimerFire && r.task == 0).unwrap();
    assert_eq!(fire.at, 5_000_000, "the timer fired at its own time, inside the busy wait");
    let busy = sim.trace_records().into_iter().find(|r| r.kind == Kind::BusyWait).unwrap();
    assert_eq!((busy.at, busy.arg), (1_000_000, 10_000_000));
}

#[test]
fn delay_is_exact_to_the_nanosecond() {
    let sim = Sim::new();
    sim.spawn("d", async {
        embedded_hal::delay::DelayNs::delay_ns(&mut fwsim::Delay, 1_041_667);
        embedded_hal_02::blocking::delay::DelayUs::delay_us(&mut fwsim::Delay, 3u8);
    });
    sim.run_until_stalled().unwrap();
    assert_eq!(sim.now(), SimTime::from_nanos(1_044_667));
}

#[test]
fn spinning_on_instant_now_advances_the_clock() {
    let sim = Sim::new();
    sim.spawn("spin", async { embassy_time::block_for(Duration::from_millis(3)) });
    sim.run_until_stalled().unwrap();
    assert_eq!(sim.now(), SimTime::from_millis(3));
    assert!(sim.diagnostics().is_empty(), "spinning is a warning only in strict mode");

    let strict = Sim::with_config(SimConfig::new().strict(true));
    strict.spawn("spin", async { embassy_time::block_for(Duration::from_millis(3)) });
    let err = strict.run_until_stalled().unwrap_err();
    assert!(matches!(err, SimError::Strict(fwsim::Diagnostic::Spin { ref task, .. }) if task == "spin#0"), "{err}");
}

#[test]
fn cost_model_charges_busy_time_per_poll() {
    let sim = Sim::with_config(SimConfig::new().cost(CostModel { per_poll_ns: 2_000, per_wake_ns: 500 }));
    sim.spawn("a", async {
        fwsim::yield_now().await; // poll 1: one wake (itself)
    });
    sim.run_until_stalled().unwrap();
    assert_eq!(sim.now(), SimTime::from_nanos(2_500 + 2_000));
}

#[test]
fn executors_share_the_clock_and_the_lower_id_runs_first() {
    let log = Log::default();
    let sim = Sim::new();
    let high = fwsim::ExecutorId(0);
    let low = sim.add_executor(Order::Fifo);
    sim.spawn_on(low, "thread-mode", async {
        Timer::after(Duration::from_millis(1)).await;
        log.at("low");
    });
    sim.spawn_on(high, "irq-executor", async {
        Timer::after(Duration::from_millis(1)).await;
        log.at("high");
    });
    sim.run_for(ms(2)).unwrap();
    assert_eq!(log.take(), strs(&["high@1", "low@1"]));
}

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

#[test]
fn trace_streams_to_a_file_and_converts() {
    let dir = std::env::temp_dir().join(format!("fwsim-trace-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("run.fwtrace");
    let (hash, len) = {
        let trace = fwsim::trace::TraceConfig { file: Some(file.clone()), ..Default::default() };
        let sim = Sim::with_config(SimConfig::new().trace(trace));
        sim.spawn("blink", async {
            for i in 0..3 {
                Timer::after(Duration::from_millis(10)).await;
                fwsim::mark("led", i);
            }
        });
        sim.run_for(ms(50)).unwrap();
        sim.write_trace_json_lines(&dir.join("t.jsonl")).unwrap();
        sim.write_perfetto(&dir.join("t.json")).unwrap();
        (sim.trace_hash(), sim.trace_len())
    };
    let records = fwsim::trace::read_file(&file).unwrap();
    assert_eq!(records.len() as u64, len);
    assert!(hash.is_some());
    let names: fwsim::trace::Names =
        serde_json::from_slice(&std::fs::read(dir.join("run.fwtrace.names.json")).unwrap()).unwrap();
    let marks: Vec<_> = records
        .iter()
        .filter(|r| r.kind == Kind::Mark)
        .map(|r| (r.at, names.string(r.source as u64).to_owned(), r.arg))
        .collect();
    assert_eq!(
        marks,
        vec![(10_000_000, "led".into(), 0), (20_000_000, "led".into(), 1), (30_000_000, "led".into(), 2)]
    );
    let jsonl = std::fs::read_to_string(dir.join("t.jsonl")).unwrap();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["t_ns"].is_u64());
    }
    assert!(jsonl.contains(r#""task":"blink#0""#));
    let perfetto: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("t.json")).unwrap()).unwrap();
    assert!(perfetto["traceEvents"].as_array().unwrap().len() > 10);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tracing_off_records_nothing() {
    let sim = Sim::with_config(SimConfig::new().no_trace());
    sim.spawn("t", async {});
    sim.run_until_stalled().unwrap();
    assert_eq!((sim.trace_hash(), sim.trace_len()), (None, 0));
}

#[test]
fn logs_are_stamped_with_virtual_time_and_task() {
    let stamp = std::cell::RefCell::new(String::new());
    let sim = Sim::with_config(SimConfig::new().start(SimTime::from_millis(1500)));
    sim.spawn("logger", async { *stamp.borrow_mut() = fwsim::logging::stamp() });
    sim.run_until_stalled().unwrap();
    assert_eq!(*stamp.borrow(), "1.500000000s logger#0");
    assert_eq!(fwsim::logging::stamp(), "-");
}

/// Counts the spans named "poll" that a subscriber is asked to create.
struct SpanCounter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl tracing::Subscriber for SpanCounter {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if span.metadata().name() == "poll" {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn poll_spans_only_when_asked_for() {
    for (asked, expected) in [(false, 0), (true, 3)] {
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        tracing::subscriber::with_default(SpanCounter(count.clone()), || {
            let mut cfg = SimConfig::new();
            cfg.poll_spans = asked;
            let sim = Sim::with_config(cfg);
            sim.spawn("t", async {
                fwsim::yield_now().await;
                fwsim::yield_now().await;
            });
            sim.run_until_stalled().unwrap();
        });
        assert_eq!(count.load(std::sync::atomic::Ordering::Relaxed), expected, "poll_spans = {asked}");
    }
}

#[test]
fn abort_on_drop_forwards_an_abort_to_the_awaited_task_and_a_plain_handle_does_not() {
    for forward in [true, false] {
        let sim = Sim::new();
        let inner = sim.spawn("inner", async { Timer::after(Duration::from_secs(10)).await });
        let inner_id = inner.id();
        let outer = sim.spawn("outer", async move {
            if forward { inner.abort_on_drop().await.unwrap() } else { inner.await.unwrap() }
        });
        sim.run_for(ms(1)).unwrap();
        outer.abort();
        sim.run_for(ms(1)).unwrap();
        let waiting: Vec<String> = sim.wait_report().waiting.into_iter().map(|w| w.task).collect();
        if forward {
            assert_eq!(waiting, Vec::<String>::new(), "the abort reached {inner_id:?}");
        } else {
            assert_eq!(waiting, ["inner#0"], "a plain handle detaches: inner runs on");
        }
    }
    // Taken back out, the handle detaches again.
    let sim = Sim::new();
    let inner = sim.spawn("inner", async { Timer::after(Duration::from_secs(10)).await });
    drop(inner.abort_on_drop().into_inner());
    sim.run_for(ms(1)).unwrap();
    assert_eq!(sim.live_tasks(), 1);
}

#[test]
fn a_task_pool_refuses_a_spawn_when_full_and_frees_slots_as_tasks_end() {
    use fwsim::{SpawnError, TaskPool};
    let sim = Sim::new();
    let pool = TaskPool::new(2);
    let results = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let (p, r) = (pool.clone(), results.clone());
    sim.spawn("spawner", async move {
        for i in 0..4u64 {
            let spawned =
                p.spawn_here("worker", async move { Timer::after(Duration::from_millis(10 * (i + 1))).await });
            r.borrow_mut().push((fwsim::now().as_millis(), spawned.map(drop)));
        }
        Timer::after(Duration::from_millis(15)).await;
        let again = p.spawn_here("worker", async {});
        r.borrow_mut().push((fwsim::now().as_millis(), again.map(drop)));
    });
    sim.run_for(ms(1)).unwrap();
    assert_eq!(pool.busy(), 2);
    let aborted = pool.spawn(&sim, "extra", async {});
    assert_eq!(aborted.unwrap_err(), SpawnError::Busy);
    sim.run_for(ms(100)).unwrap();
    assert_eq!(
        *results.borrow(),
        [(0, Ok(())), (0, Ok(())), (0, Err(SpawnError::Busy)), (0, Err(SpawnError::Busy)), (15, Ok(()))]
    );
    assert_eq!(pool.busy(), 0);
    // An aborted task gives its slot back too.
    let h = pool.spawn(&sim, "long", async { Timer::after(Duration::from_secs(5)).await }).unwrap();
    h.abort();
    sim.run_for(ms(1)).unwrap();
    assert_eq!(pool.busy(), 0);
}
