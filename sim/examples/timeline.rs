//! Simulates a small embassy-time firmware — a heartbeat LED, a debounced button handled by an
//! interrupt, a sensor poller with a timeout — for one minute of virtual time, and prints its
//! timeline.
//!
//! ```text
//! cargo run -p fwsim --example timeline
//! ```
//!
//! The firmware below is plain `async fn`s over embassy-time and embassy-sync, exactly as it
//! would be written for a board; only `main` knows it runs in a simulation.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Instant, Ticker, Timer, with_timeout};
use fwsim::{Irq, Sim, SimConfig, SimTime};

/// Firmware: toggles the LED every 5 s, drift-free.
async fn heartbeat(led: &core::cell::Cell<bool>) {
    let mut ticker = Ticker::every(Duration::from_secs(5));
    loop {
        ticker.next().await;
        led.set(!led.get());
        fwsim::mark("led", led.get() as u64);
    }
}

/// Firmware: waits for button presses (signalled by the GPIO interrupt), debounces for 50 ms.
async fn button(pressed: &Signal<NoopRawMutex, Instant>) {
    loop {
        let at = pressed.wait().await;
        Timer::after(Duration::from_millis(50)).await;
        let latency = Instant::now() - at;
        fwsim::mark("press handled after ms", latency.as_millis());
    }
}

/// Firmware: asks a slow sensor for a value every 10 s, giving up after 2 s.
async fn sensor(reply: &Signal<NoopRawMutex, u32>) {
    loop {
        Timer::after(Duration::from_secs(10)).await;
        match with_timeout(Duration::from_secs(2), reply.wait()).await {
            Ok(v) => fwsim::mark("sensor value", v as u64),
            Err(_) => fwsim::mark("sensor timeout", 0),
        }
    }
}

fn main() {
    let led = core::cell::Cell::new(false);
    let pressed = Signal::<NoopRawMutex, Instant>::new();
    let reply = Signal::<NoopRawMutex, u32>::new();
    let sim = Sim::with_config(SimConfig::new().seed(1));

    sim.spawn("heartbeat", heartbeat(&led));
    sim.spawn("button", button(&pressed));
    sim.spawn("sensor", sensor(&reply));
    // The outside world: two button presses and a sensor that answers only once.
    const GPIO_IRQ: Irq = Irq::new(1, 13);
    for press_ms in [1_234, 7_000] {
        sim.schedule_isr(SimTime::from_millis(press_ms), GPIO_IRQ, || pressed.signal(Instant::now()));
    }
    sim.schedule_isr(SimTime::from_millis(10_700), Irq::new(1, 20), || reply.signal(42));

    sim.run_for(fwsim::secs(60)).expect("simulation error");

    println!("{:>14}  {:<12} event", "virtual time", "task");
    for m in sim.marks() {
        println!("{:>14}  {:<12} {} = {}", m.at.to_string(), m.by, m.label, m.value);
    }
    println!(
        "\n60 s of firmware time, LED {}: {} trace records, trace hash {:016x} (the same on every run)",
        if led.get() { "on" } else { "off" },
        sim.trace_len(),
        sim.trace_hash().expect("tracing is on")
    );
}
