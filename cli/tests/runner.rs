//! How steps behave in time: the firmware boots before the first step, waits end at the
//! instant their condition holds, serial waits consume what they match, and the two ways a
//! wait can fail are told apart.

mod support;

use embedded_hal_async::digital::Wait;
use embedded_io_async::Write;
use fwsim::Sim;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Level, Pull};
use fwsim_scenario::{App, Outcome, PartInfo, PartKind, Parts, Report, RunOptions};
use support::failure;

/// Counts falling edges of a key and prints `count=N`.
struct Counter;

impl App for Counter {
    fn name(&self) -> &str {
        "counter"
    }
    fn about(&self) -> &str {
        "counts presses"
    }
    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("key", PartKind::Button, "the key"), PartInfo::new("serial", PartKind::Serial, "the count")]
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let mut pin = board.input("KEY", Pull::Up);
        let key = board.button("B", &pin, Level::Low);
        let mut uart = board.uart("UART0", UartConfig::new(9600));
        let mut parts = Parts::new();
        parts.button("key", key).serial("serial", uart.peer());
        sim.spawn("counter", async move {
            for n in 1.. {
                pin.wait_for_falling_edge().await.unwrap();
                uart.write_all(format!("count={n}\r\n").as_bytes()).await.unwrap();
            }
        });
        parts
    }
}

/// A sensor of a quantity no shipped app has: prints `co2=N` every second.
struct Air;

impl App for Air {
    fn name(&self) -> &str {
        "air"
    }
    fn about(&self) -> &str {
        "logs CO2"
    }
    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("air", PartKind::Sensor(&["co2"]), "CO2 sensor"), PartInfo::new("log", PartKind::Serial, "")]
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let co2 = std::rc::Rc::new(std::cell::RefCell::new(fwsim_hw::Curve::constant(400.0)));
        let mut uart = board.uart("UART0", UartConfig::new(115_200));
        let mut parts = Parts::new();
        let setter = co2.clone();
        parts.sensor("air", move |_, curve| *setter.borrow_mut() = curve).serial("log", uart.peer());
        sim.spawn("air", async move {
            loop {
                let ppm = co2.borrow().at(fwsim::now());
                uart.write_all(format!("co2={ppm:.0}\r\n").as_bytes()).await.unwrap();
                embassy_time::Timer::after_secs(1).await;
            }
        });
        parts
    }
}

fn run(app: &dyn App, yaml: &str) -> Report {
    let apps: [&dyn App; 6] = [
        &Counter,
        &Air,
        &fwsim_cli::apps::Thermostat,
        &fwsim_cli::apps::ButtonLed,
        &fwsim_cli::apps::UartShell,
        &fwsim_cli::apps::EncoderMenu,
    ];
    let scenario = fwsim_scenario::parse("t.yaml".as_ref(), yaml, &apps, Some(app.name())).unwrap();
    fwsim_scenario::run(&scenario, app, &RunOptions::default())
}

#[test]
fn a_press_in_the_first_step_finds_the_firmware_waiting_for_it() {
    let r = run(
        &Counter,
        "steps:\n  - set-control: { part-id: key, control: pressed, value: 1 }\n  - wait-serial: { text: \"count=1\", within: 50ms }\n",
    );
    assert!(r.passed(), "{}", r.human(true));
}

#[test]
fn a_press_while_the_button_is_held_fails_with_advice() {
    let r = run(
        &Counter,
        "steps:\n  - press: { part-id: key, hold: 100ms }\n  - delay: 50ms\n  - press: { part-id: key }\n",
    );
    assert_eq!(
        failure(&r),
        "button `key` is still pressed (an earlier press holds it for its `hold`); expected it released: add a delay"
    );
    assert_eq!(r.failure().unwrap().step, Some(2));
}

#[test]
fn a_serial_wait_ends_at_the_stop_bit_of_the_last_byte_it_matched() {
    // "fwsim shell\r\n> ": 15 bytes at 115,200 baud 8N1, 10 bits each.
    let r = run(&fwsim_cli::apps::UartShell, "steps:\n  - wait-serial: \"fwsim shell\\r\\n> \"\n");
    assert!(r.passed(), "{}", r.human(true));
    assert_eq!(r.steps[0].end_ns, fwsim_hw::bit_time_ns(150, 115_200));
}

#[test]
fn serial_waits_consume_what_they_match() {
    let yaml = "steps:\n  - press: { part-id: key }\n  - wait-serial: \"count=\"\n  - wait-serial: { text: \"count=\", within: 1s }\n";
    let r = run(&Counter, yaml);
    assert_eq!(r.failure().unwrap().step, Some(2), "one `count=` on the line, two waits: {}", r.human(true));
    assert!(
        failure(&r)
            .starts_with("expected \"count=\" on `serial` within 1s; the port's unmatched output ends \"1\\r\\n\"")
    );
}

#[test]
fn a_closed_window_fails_and_the_scenario_timeout_times_out() {
    let window = run(&Counter, "steps:\n  - wait-serial: { text: \"count=1\", within: 2s }\n");
    assert!(matches!(window.outcome, Outcome::Failed(_)));
    assert_eq!(window.end_ns, 2_000_000_000);
    let timeout = run(&Counter, "timeout: 3s\nsteps:\n  - wait-serial: \"count=1\"\n");
    assert!(matches!(timeout.outcome, Outcome::TimedOut(_)));
    assert_eq!(timeout.end_ns, 3_000_000_000);
    assert!(failure(&timeout).starts_with("the scenario's timeout (3s) came while waiting for \"count=1\""));
    let delay = run(&Counter, "timeout: 3s\nsteps:\n  - delay: 5s\n");
    assert!(matches!(delay.outcome, Outcome::TimedOut(_)));
    assert_eq!(delay.end_ns, 3_000_000_000);
}

#[test]
fn expect_task_knows_running_finished_and_unknown_tasks() {
    let r = run(&Counter, "steps:\n  - expect-task: { name: counter, state: running }\n");
    assert!(r.passed(), "{}", r.human(true));
    let r = run(&Counter, "steps:\n  - expect-task: { name: counter, state: finished }\n");
    assert_eq!(failure(&r), "task `counter` is running, expected finished");
    let r = run(&Counter, "steps:\n  - expect-task: { name: countr, state: running }\n");
    assert_eq!(failure(&r), "no task named `countr` was spawned; tasks: counter");
}

#[test]
fn expect_pin_without_a_window_checks_the_level_now() {
    let r = run(&fwsim_cli::apps::UartShell, "steps:\n  - expect-pin: { part-id: led, value: high }\n");
    assert_eq!(failure(&r), "pin `led` is low, expected high");
    assert_eq!(r.end_ns, 0);
}

#[test]
fn a_sensor_curve_set_mid_run_counts_its_times_from_then() {
    let yaml = "parts:\n  bme280: { temperature: 21 }\nsteps:\n  - delay: 60s\n  - set-sensor: { part-id: bme280, quantity: temperature, value: [[0s, 21], [100s, 11]] }\n  - expect-pin: { part-id: heater, value: 1, within: 2min }\n";
    let r = run(&fwsim_cli::apps::Thermostat, yaml);
    assert!(r.passed(), "{}", r.human(true));
    // Below 19 °C (setpoint 19.5 minus 0.5) from 20 s after the step, at the first 5 s reading
    // after that: at 80 s or within one period of it.
    let heating_at = r.steps[2].end_ns as f64 / 1e9;
    assert!((80.0..=86.0).contains(&heating_at), "heating from {heating_at} s");
}

#[test]
fn a_stimulus_at_a_time_happens_then_and_a_past_time_is_refused() {
    let yaml = "steps:\n  - i2c-fault: { part-id: i2c0, fault: stuck-sda, duration: 3s, at: 9s }\n  - wait-serial: { text: \"E sensor\", within: 15s }\n";
    let r = run(&fwsim_cli::apps::Thermostat, yaml);
    assert!(r.passed(), "{}", r.human(true));
    assert_eq!(r.steps[0].end_ns, 0, "a stimulus does not wait for its time");
    let seen = r.steps[1].end_ns as f64 / 1e9;
    assert!((10.0..10.2).contains(&seen), "the reading at 10 s fails: {seen}");

    let late = run(&Counter, "steps:\n  - delay: 2s\n  - press: { part-id: key, at: 1s }\n");
    assert_eq!(
        failure(&late),
        "`at: 1s` is in the past (the scenario is at 2.000000000s); expected a time not before the step runs"
    );

    // A press runs to its time; one after the timeout would run past the scenario's end.
    let pressed = run(&Counter, "steps:\n  - press: { part-id: key, at: 1s }\n");
    assert_eq!(pressed.steps[0].end_ns, 1_000_000_000);
    for step in ["press: { part-id: key, at: 20h }", "write-serial: { text: x, at: 2min }"] {
        let r = run(&Counter, &format!("timeout: 1min\nsteps:\n  - {step}\n"));
        assert!(matches!(r.outcome, Outcome::TimedOut(_)), "{step}: {}", r.human(true));
        assert_eq!(r.end_ns, 60_000_000_000, "{step}: ends at the timeout");
        assert!(failure(&r).starts_with("the scenario's timeout (1min) came while waiting for the stimulus `at: "));
    }
}

#[test]
fn a_screenshot_may_wait_for_the_display_to_match() {
    let golden = support::root().join("scenarios/golden/thermostat-21c.png");
    let yaml = |within: &str| {
        format!("steps:\n  - take-screenshot: {{ part-id: oled, compare-with: {}{within} }}\n", golden.display())
    };
    let now = run(&fwsim_cli::apps::Thermostat, &yaml(""));
    assert!(failure(&now).starts_with("display `oled` differs from"), "blank at boot: {}", failure(&now));
    let waited = run(&fwsim_cli::apps::Thermostat, &yaml(", within: 1s"));
    assert!(waited.passed(), "{}", waited.human(true));
    let drawn = waited.steps[0].end_ns as f64 / 1e9;
    assert!(drawn > 0.0 && drawn < 0.5, "ends when the panel matches: {drawn}");
}

#[test]
fn long_waits_report_progress_without_changing_the_run() {
    use std::sync::{Arc, Mutex};
    let apps: [&dyn App; 1] = [&fwsim_cli::apps::Thermostat];
    let yaml = "steps:\n  - delay: 5min\n  - expect-pin: { part-id: heater, value: 1, within: 3min }\n";
    let scenario = fwsim_scenario::parse("t.yaml".as_ref(), yaml, &apps, Some("thermostat")).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let progress = fwsim_scenario::progress::Progress(Arc::new(move |t: fwsim::SimTime| {
        log.lock().unwrap().push(t.as_millis() / 1000)
    }));
    let with =
        fwsim_scenario::run(&scenario, apps[0], &RunOptions { progress: Some(progress), ..RunOptions::default() });
    let without = fwsim_scenario::run(&scenario, apps[0], &RunOptions::default());
    assert_eq!(*seen.lock().unwrap(), [60, 120, 180, 240, 300, 360, 420, 480]);
    assert_eq!(with.trace_hash, without.trace_hash);
    assert_eq!(with.outcome, without.outcome);
}

/// Panics in its first poll.
struct Crashes;

impl App for Crashes {
    fn name(&self) -> &str {
        "crashes"
    }
    fn about(&self) -> &str {
        "panics at once"
    }
    fn parts(&self) -> Vec<PartInfo> {
        Vec::new()
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, _board: &Board) -> Parts {
        sim.spawn("firmware", async { panic!("index out of bounds: the len is 3 but the index is 7") });
        Parts::new()
    }
}

#[test]
fn a_firmware_panic_fails_the_scenario_with_its_message() {
    let apps: [&dyn App; 1] = [&Crashes];
    let scenario = fwsim_scenario::parse("t.yaml".as_ref(), "steps:\n  - delay: 1s\n", &apps, Some("crashes")).unwrap();
    let r = fwsim_scenario::run(&scenario, &Crashes, &RunOptions::default());
    let message = failure(&r);
    assert!(message.starts_with("the firmware caused 1 error diagnostic: "), "{message}");
    assert!(message.contains("index out of bounds: the len is 3 but the index is 7"), "{message}");
}

/// Has a serial port, and panics before it says anything on it.
struct CrashesSilently;

impl App for CrashesSilently {
    fn name(&self) -> &str {
        "crashes-silently"
    }
    fn about(&self) -> &str {
        "panics before its greeting"
    }
    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("serial", PartKind::Serial, "the greeting it never sends")]
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let uart = board.uart("UART0", UartConfig::new(9600));
        let mut parts = Parts::new();
        parts.serial("serial", uart.peer());
        sim.spawn("firmware", async move {
            let _uart = uart;
            panic!("index out of bounds: the len is 3 but the index is 7")
        });
        parts
    }
}

#[test]
fn a_step_that_waits_in_vain_after_a_firmware_panic_names_the_panic() {
    let apps: [&dyn App; 1] = [&CrashesSilently];
    let yaml = "steps:\n  - wait-serial: { text: \"ready\", within: 10ms }\n";
    let scenario = fwsim_scenario::parse("t.yaml".as_ref(), yaml, &apps, Some("crashes-silently")).unwrap();
    let r = fwsim_scenario::run(&scenario, &CrashesSilently, &RunOptions::default());
    let message = failure(&r);
    assert!(message.starts_with("expected \"ready\""), "{message}");
    assert!(
        message
            .contains("; the firmware failed before that: 0.000000000s: task firmware#0 panicked: index out of bounds"),
        "{message}"
    );
}

/// A part parameter names any quantity the app's sensor has, not only the shipped apps' ones.
#[test]
fn a_part_parameter_sets_a_quantity_of_the_apps_own() {
    let r = run(
        &Air,
        "parts:\n  air:\n    co2: [[0s, 800], [10s, 1800]]\nsteps:\n  - wait-serial: \"co2=800\"\n  - wait-serial: \"co2=1300\"\n",
    );
    assert!(r.passed(), "{}", r.human(true));
    assert_eq!(r.end_ns, 5_000_000_000 + 694_444, "the reading of 5 s, and its 8 bytes on the wire at 115,200 baud");
}

/// A turn whose later detents would start after the scenario's end schedules none of them
/// (a period this long overflowed the clock's nanoseconds at the fourth detent).
#[test]
fn a_turn_stops_at_the_scenarios_end() {
    let r = run(
        &fwsim_cli::apps::EncoderMenu,
        "timeout: 1min\nsteps:\n  - turn: { part-id: knob, steps: 4, period: 2000000h }\n  - delay: 1s\n",
    );
    assert!(r.passed(), "{}", r.human(true));
}

/// Its wiring panics before the firmware is spawned, or it names parts it did not declare.
struct BadWiring {
    panics: bool,
}

impl App for BadWiring {
    fn name(&self) -> &str {
        "bad-wiring"
    }
    fn about(&self) -> &str {
        "a wiring bug"
    }
    fn parts(&self) -> Vec<PartInfo> {
        Vec::new()
    }
    fn start<'s>(&self, _sim: &'s Sim<'s>, board: &Board) -> Parts {
        board.input("KEY", Pull::Up);
        let mut parts = Parts::new();
        if self.panics {
            board.input("KEY", Pull::Up);
        } else {
            parts.pin("led", board.input("LED", Pull::None).probe());
        }
        parts
    }
}

/// A bug in an app's wiring fails its scenario with what went wrong, rather than ending the
/// whole run (and the other scenarios of a batch) with a panic.
#[test]
fn an_app_that_cannot_start_fails_its_scenario_and_nothing_else() {
    for (app, says) in [
        (
            BadWiring { panics: true },
            "the app `bad-wiring` panicked while it started, before the firmware ran: fwsim-hw: the board already has a signal called `KEY`;",
        ),
        (BadWiring { panics: false }, "the app `bad-wiring` is inconsistent: "),
    ] {
        let apps: [&dyn App; 1] = [&app];
        let scenario =
            fwsim_scenario::parse("t.yaml".as_ref(), "steps:\n  - delay: 1s\n", &apps, Some("bad-wiring")).unwrap();
        let r = fwsim_scenario::run(&scenario, &app, &RunOptions::default());
        assert!(failure(&r).starts_with(says), "{}", failure(&r));
        assert!(r.steps.is_empty(), "no step ran");
    }
}
