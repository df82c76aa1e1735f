//! Virtual time: start times near the wraps, busy time, delays, cost models, executors sharing the clock.

use super::*;

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
