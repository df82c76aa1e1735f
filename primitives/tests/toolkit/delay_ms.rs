//! DelayMs.

use super::*;

/// Runs a DelayMs of 100 ms with `script` driving it; returns the expiry log.
fn delay_log(
    script: impl for<'s> Fn(&'s DelayMs<M>) -> std::pin::Pin<Box<dyn Future<Output = ()> + 's>> + Sync,
) -> Vec<String> {
    let out = std::sync::Mutex::new(None);
    both(|sim| {
        let log = &*sim.alloc(Log::default());
        let delay: &DelayMs<M> = sim.alloc(DelayMs::new(Duration::from_millis(100)));
        sim.spawn("delay", delay.run(move || log.at(format!("fired, running={}", delay.running()))));
        sim.spawn("waiter", async move {
            delay.wait().await;
            log.at("event");
        });
        sim.spawn("script", script(delay));
        sim.run_for(fwsim::secs(1)).unwrap();
        out.lock().unwrap().get_or_insert(log.lines());
    });
    out.into_inner().unwrap().unwrap()
}

use std::future::Future;

#[test]
fn delay_ms_refuses_a_trigger_after_its_run_future_is_dropped() {
    // The toolkit raises RuntimeError after deinit(); the port returned () and "ran" for ever.
    fwsim::test(|sim| {
        let delay = &*sim.alloc(DelayMs::<M>::new(Duration::from_millis(10)));
        let fired = &*sim.alloc(Cell::new(0));
        let runner = sim.spawn("delay", delay.run(move || fired.set(fired.get() + 1)));
        delay.trigger().unwrap();
        sim.run_for(fwsim::ms(20)).unwrap();
        assert_eq!(fired.get(), 1);
        delay.trigger().unwrap();
        runner.abort(); // deinit while counting down
        sim.run_for(fwsim::ms(1)).unwrap();
        assert!(!delay.running(), "a deinitialised delay is not running");
        assert_eq!(delay.trigger(), Err(fwsim_primitives::Deinitialised));
        sim.run_for(fwsim::ms(20)).unwrap();
        assert_eq!(fired.get(), 1, "nothing fires after deinit");
        // Dropped before it was ever polled: the same.
        let unpolled = &*sim.alloc(DelayMs::<M>::new(Duration::from_millis(10)));
        drop(unpolled.run(|| {}));
        assert_eq!(unpolled.trigger_for(Duration::from_millis(1)), Err(fwsim_primitives::Deinitialised));
    });
}

#[test]
fn delay_ms_retrigger_lengthens() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(60).await;
            d.trigger().unwrap();
        })
    });
    assert_eq!(log, strs(&["fired, running=false@160", "event@160"]));
}

#[test]
fn delay_ms_a_shorter_trigger_shortens() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(10).await;
            d.trigger_for(Duration::from_millis(20)).unwrap();
        })
    });
    assert_eq!(log, strs(&["fired, running=false@30", "event@30"]));
}

#[test]
fn delay_ms_stop_cancels_and_a_later_trigger_still_works() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(50).await;
            d.stop();
            assert!(!d.running());
            Timer::after_millis(200).await;
            d.trigger().unwrap();
        })
    });
    assert_eq!(log, strs(&["fired, running=false@350", "event@350"]));
}

#[test]
fn delay_ms_trigger_then_stop_in_one_step_never_fires() {
    // Regression for PRIMITIVES.md §5.2 L1: in the toolkit this fires 100 ms later and, in
    // the read-with-timeout pattern, cancels the caller after a complete read.
    let log = delay_log(|d| {
        Box::pin(async move {
            Timer::after_millis(5).await;
            d.trigger().unwrap();
            d.stop();
        })
    });
    assert_eq!(log, Vec::<String>::new());
}

#[test]
fn delay_ms_fires_each_time_it_is_triggered() {
    let log = delay_log(|d| {
        Box::pin(async move {
            d.trigger().unwrap();
            Timer::after_millis(150).await;
            d.trigger_for(Duration::from_millis(10)).unwrap();
        })
    });
    // The event stays set after the first expiry; the waiter already left.
    assert_eq!(log, strs(&["fired, running=false@100", "event@100", "fired, running=false@160"]));
}

#[test]
fn delay_ms_triggered_from_an_interrupt() {
    let delay = DelayMs::<CriticalSectionRawMutex>::new(Duration::from_millis(30));
    let fired = Cell::new(0);
    let sim = Sim::new();
    sim.spawn("delay", delay.run(|| fired.set(now_ms())));
    sim.schedule_isr(SimTime::from_millis(7), Irq::new(1, 4), || delay.trigger().unwrap());
    sim.run_for(fwsim::secs(1)).unwrap();
    assert!(sim.diagnostics().is_empty());
    assert_eq!(fired.get(), 37);
}

#[test]
fn delay_ms_across_the_32_bit_microsecond_wrap() {
    // Regression for the toolkit's 5eade0c: a deadline compared with `>` broke at the tick
    // wrap. Start 10 ms before 2^32 µs (and 2^30 ms) so the delay straddles both.
    for start_ms in [(1u64 << 32) / 1000 - 10, (1 << 30) - 10] {
        let delay = DelayMs::<M>::new(Duration::from_millis(100));
        let fired = Cell::new(0);
        let sim = Sim::with_config(SimConfig::new().start(SimTime::from_millis(start_ms)));
        sim.spawn("delay", delay.run(|| fired.set(now_ms())));
        sim.spawn("user", async {
            delay.trigger().unwrap();
        });
        sim.run_for(fwsim::secs(1)).unwrap();
        assert_eq!(fired.get(), start_ms + 100);
    }
}

#[test]
fn delay_ms_retriggered_a_thousand_times_keeps_one_timer() {
    // Regression for the toolkit's c273af4 and 9a1939c: stale timer coroutines piled up.
    both(|sim| {
        let delay: &DelayMs<M> = sim.alloc(DelayMs::new(Duration::from_millis(50)));
        let fired = &*sim.alloc(Cell::new(0u32));
        sim.spawn("delay", delay.run(move || fired.set(fired.get() + 1)));
        sim.spawn("user", async move {
            for i in 0..1000 {
                delay.trigger().unwrap();
                if i % 3 == 0 {
                    delay.stop();
                    delay.trigger().unwrap();
                }
                Timer::after_millis(1).await;
            }
        });
        let report = sim.run_until_quiescent(fwsim::secs(10)).unwrap();
        assert_eq!(fired.get(), 1, "fired once, 50 ms after the last trigger");
        assert_eq!(report.waiting.len(), 1, "only the runner is left: {report:?}");
    });
}
