//! The input drivers in virtual time: edges placed on and between the 50 ms poll grid,
//! bouncing contacts, and the toolkit's bug regressions (#101, #115, L2).

use std::cell::{Cell, RefCell};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::Instant;
use fwsim::{Irq, IsrCheckedRawMutex, Policy, Sim, SimConfig, SimTime};
use fwsim_drivers::{ButtonEvent, EButton, Encoder, EncoderConfig, EncoderError, Pushbutton, PushbuttonConfig, Switch};
use fwsim_hw::{Board, Bounce, Button, Level, Pin, Pull};

const PIN_IRQ: Irq = Irq::new(3, 40);

/// A push button between an input and a rail on a simulated board (fwsim-hw): the pin is
/// pulled to the idle level, the contact closes it to the other; with `bounce`, every press
/// and release chatters for up to 5 ms (seeded by the simulation's seed).
fn key(sim: &Sim<'_>, rail: Level, bounce: bool) -> (Pin, Button) {
    sim.enter(|| {
        let board = Board::new();
        let pull = if rail == Level::Low { Pull::Up } else { Pull::Down };
        let pin = board.input("KEY", pull);
        let mut button = board.button("B1", &pin, rail);
        if bounce {
            button = button.with_bounce(Bounce { window: std::time::Duration::from_millis(5), max_pairs: 4 });
        }
        (pin, button)
    })
}

/// Closes (`closed`) or opens the contact at `at_us`.
fn edge(sim: &Sim<'_>, button: &Button, at_us: u64, closed: bool) {
    sim.enter(|| {
        let at = SimTime::from_micros(at_us);
        if closed { button.press_at(at) } else { button.release_at(at) }
    });
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

type Log = RefCell<Vec<(String, u64)>>;

fn record(log: &Log, what: impl std::fmt::Debug) {
    log.borrow_mut().push((format!("{what:?}"), Instant::now().as_millis()));
}

fn lines(log: &Log) -> Vec<(String, u64)> {
    log.borrow().clone()
}

fn ev(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(s, t)| (s.to_string(), *t)).collect()
}

// ---- Switch -------------------------------------------------------------------------------------

#[test]
fn switch_reports_at_the_poll_that_sees_the_change() {
    on_both_policies(switch_under);
}

fn switch_under(policy: Policy) {
    let sw = Switch::<IsrCheckedRawMutex>::new(true);
    let log = Log::default();
    let sim = Sim::with_config(SimConfig::new().policy(policy));
    let (pin, button) = key(&sim, Level::Low, false);
    sim.spawn("switch", sw.run(pin, |e| record(&log, e)));
    edge(&sim, &button, 120_000, true); // mid-interval: seen at 150
    edge(&sim, &button, 400_000, false); // on the grid: seen at 400
    sim.run_for(fwsim::secs(1)).unwrap();
    assert_eq!(lines(&log), ev(&[("Closed", 150), ("Opened", 400)]));
    assert!(sw.open.is_set() && sw.close.is_set() && !sw.is_closed());
    sw.clear();
    assert!(!sw.open.is_set() && !sw.close.is_set());
}

#[test]
fn a_change_made_before_the_switch_task_first_runs_is_a_change() {
    // The toolkit reads the contact in the constructor; the port read it at the task's first
    // poll, so a change in between went unseen (the toolkit's switch test: expected 0x0008,
    // got 0x0000 under embassy's order). Now `run` reads it when called.
    let got = on_both_policies(|policy| {
        let sw = Switch::<IsrCheckedRawMutex>::new(true);
        let log = Log::default();
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        let (pin, button) = key(&sim, Level::Low, false);
        let task = sw.run(pin, |e| record(&log, e));
        assert!(!sw.is_closed(), "read when run() was called");
        sim.enter(|| button.set(true)); // closed before the task first runs
        sim.spawn("switch", task);
        sim.run_for(fwsim::ms(100)).unwrap();
        lines(&log)
    });
    assert_eq!(got, ev(&[("Closed", 0)]));
}

#[test]
fn a_press_made_before_the_button_task_first_runs_is_a_press() {
    let got = on_both_policies(|policy| {
        let pb = Pushbutton::<IsrCheckedRawMutex>::new(PushbuttonConfig::new());
        let eb = EButton::<IsrCheckedRawMutex>::new(PushbuttonConfig::new());
        let log = Log::default();
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        let (pin, button) = key(&sim, Level::Low, false);
        let (pin2, button2) = key(&sim, Level::Low, false);
        let tasks = (pb.run(pin, |e| record(&log, ("pb", e))), eb.run(pin2, |e| record(&log, ("eb", e))));
        assert!(!pb.is_pressed() && !eb.is_pressed());
        sim.enter(|| {
            button.set(true);
            button2.set(true);
        });
        sim.spawn("pushbutton", tasks.0);
        sim.spawn("ebutton", tasks.1);
        sim.run_for(fwsim::ms(100)).unwrap();
        let mut l = lines(&log);
        l.sort();
        l
    });
    assert_eq!(got, ev(&[("(\"eb\", Press)", 0), ("(\"pb\", Press)", 0)]));
}

#[test]
fn a_bouncing_switch_reports_one_change_each_way() {
    for seed in 0..40 {
        let sw = Switch::<IsrCheckedRawMutex>::new(true);
        let log = Log::default();
        let sim = Sim::with_config(SimConfig::new().seed(seed));
        let (pin, button) = key(&sim, Level::Low, true);
        sim.spawn("switch", sw.run(pin, |e| record(&log, e)));
        edge(&sim, &button, 147_000, true); // chatters across the 150 ms poll
        edge(&sim, &button, 598_000, false);
        sim.run_for(fwsim::secs(1)).unwrap();
        let l = lines(&log);
        assert_eq!(l.len(), 2, "seed {seed}: {l:?}");
        assert!(l[0].0 == "Closed" && [150, 200].contains(&l[0].1), "seed {seed}: {l:?}");
        assert!(l[1].0 == "Opened" && [600, 650].contains(&l[1].1), "seed {seed}: {l:?}");
    }
}

#[test]
fn dropping_the_runner_stops_the_switch() {
    // Regression for PRIMITIVES.md §5.2 L2: ESwitch.deinit() raised and the poller ran on.
    let sw = Switch::<IsrCheckedRawMutex>::new(true);
    let sim = Sim::new();
    let (pin, button) = key(&sim, Level::Low, false);
    let runner = sim.spawn("switch", sw.run(pin, |_| {}));
    sim.run_for(fwsim::ms(100)).unwrap();
    runner.abort();
    edge(&sim, &button, 200_000, true);
    let report = sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert!(report.waiting.is_empty(), "no poller left: {report:?}");
    assert!(!sw.close.is_set());
}

// ---- Pushbutton ------------------------------------------------------------------------------------

/// Runs a pushbutton (active low, pull-up) with `config` over the scripted `(ms, level)`
/// edges; returns its events.
fn button(config: PushbuttonConfig, edges: &[(u64, bool)], bounce: bool) -> Vec<(String, u64)> {
    on_both_policies(|policy| button_under(policy, config, edges, bounce))
}

/// Runs `run` under the embassy and MicroPython policies; the outcome must not depend on it.
fn on_both_policies<T: PartialEq + std::fmt::Debug>(run: impl Fn(Policy) -> T) -> T {
    let embassy = run(Policy::Embassy);
    assert_eq!(run(Policy::MicroPython), embassy, "the policies disagree");
    embassy
}

fn button_under(policy: Policy, config: PushbuttonConfig, edges: &[(u64, bool)], bounce: bool) -> Vec<(String, u64)> {
    button_seeded(policy, 0, config, edges, bounce)
}

fn button_seeded(
    policy: Policy,
    seed: u64,
    config: PushbuttonConfig,
    edges: &[(u64, bool)],
    bounce: bool,
) -> Vec<(String, u64)> {
    let pb = Pushbutton::<IsrCheckedRawMutex>::new(config);
    let log = Log::default();
    let sim = Sim::with_config(SimConfig::new().policy(policy).seed(seed));
    let (pin, button) = key(&sim, Level::Low, bounce);
    sim.spawn("button", pb.run(pin, |e| record(&log, e)));
    for &(at, closed) in edges {
        edge(&sim, &button, at * 1000, closed);
    }
    sim.run_for(fwsim::secs(5)).unwrap();
    assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    lines(&log)
}

const PRESS: bool = true;
const RELEASE: bool = false;

#[test]
fn a_short_press_on_the_grid() {
    let got = button(PushbuttonConfig::new(), &[(100, PRESS), (300, RELEASE)], false);
    assert_eq!(got, ev(&[("Press", 100), ("Release", 300)]));
}

#[test]
fn a_long_press_fires_long_press_ms_after_the_poll_that_saw_it() {
    // The edge at 120 ms is seen by the 150 ms poll: long at 1150, 1030 ms after the edge.
    let got = button(PushbuttonConfig::new(), &[(120, PRESS), (2000, RELEASE)], false);
    assert_eq!(got, ev(&[("Press", 150), ("Long", 1150), ("Release", 2000)]));
    // On the grid: exactly 1000 ms after the edge.
    let got = button(PushbuttonConfig::new(), &[(100, PRESS), (2000, RELEASE)], false);
    assert_eq!(got, ev(&[("Press", 100), ("Long", 1100), ("Release", 2000)]));
}

#[test]
fn a_double_click() {
    let got = button(PushbuttonConfig::new(), &[(100, PRESS), (200, RELEASE), (300, PRESS), (400, RELEASE)], false);
    assert_eq!(got, ev(&[("Press", 100), ("Release", 200), ("Press", 300), ("Double", 300), ("Release", 400)]));
}

#[test]
fn a_short_click_then_a_long_press_is_a_double_not_a_long() {
    // Regression for the toolkit's issue #101 (0270af5): both double and long fired.
    let got = button(PushbuttonConfig::new(), &[(100, PRESS), (200, RELEASE), (300, PRESS), (2000, RELEASE)], false);
    assert_eq!(got, ev(&[("Press", 100), ("Release", 200), ("Press", 300), ("Double", 300), ("Release", 2000)]));
}

#[test]
fn suppress_delays_a_single_release_and_drops_it_after_long_or_double() {
    let c = PushbuttonConfig::new().suppress(true);
    assert_eq!(button(c, &[(100, PRESS), (200, RELEASE)], false), ev(&[("Press", 100), ("Release", 500)]));
    assert_eq!(button(c, &[(100, PRESS), (1500, RELEASE)], false), ev(&[("Press", 100), ("Long", 1100)]));
    assert_eq!(
        button(c, &[(100, PRESS), (200, RELEASE), (300, PRESS), (400, RELEASE)], false),
        ev(&[("Press", 100), ("Press", 300), ("Double", 300)])
    );
}

#[test]
fn suppress_without_a_release_event_is_quiet() {
    // Regression for the toolkit's #115 (36503b3): AttributeError in the double-click timeout.
    let c = PushbuttonConfig::new().suppress(true).events(true, false, true, true);
    assert_eq!(button(c, &[(100, PRESS), (200, RELEASE)], false), ev(&[("Press", 100)]));
}

#[test]
fn suppress_without_a_long_press_still_releases_after_the_window() {
    // Regression for the toolkit's a685b5a: wrong release/suppress behaviour when no long
    // press function was given.
    let c = PushbuttonConfig::new().suppress(true).events(true, true, false, true);
    assert_eq!(button(c, &[(100, PRESS), (200, RELEASE)], false), ev(&[("Press", 100), ("Release", 500)]));
    assert_eq!(button(c, &[(100, PRESS), (1500, RELEASE)], false), ev(&[("Press", 100), ("Release", 1500)]));
}

#[test]
fn without_long_or_double_a_suppressed_release_is_immediate() {
    let c = PushbuttonConfig::new().suppress(true).events(true, true, false, false);
    assert_eq!(button(c, &[(100, PRESS), (1500, RELEASE)], false), ev(&[("Press", 100), ("Release", 1500)]));
}

#[test]
fn a_bouncing_button_gives_one_press_and_one_release() {
    for seed in 0..20 {
        for policy in [Policy::Embassy, Policy::MicroPython] {
            let got = button_seeded(policy, seed, PushbuttonConfig::new(), &[(98, PRESS), (598, RELEASE)], true);
            let kinds: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
            assert_eq!(kinds, ["Press", "Release"], "seed {seed}: {got:?}");
            assert!([100, 150].contains(&got[0].1) && [600, 650].contains(&got[1].1), "seed {seed}: {got:?}");
        }
    }
}

#[test]
fn sense_names_the_idle_level() {
    // Active high (pull-down), started while held: with sense given, the held button is pressed.
    let pb = Pushbutton::<IsrCheckedRawMutex>::new(PushbuttonConfig::new().sense(false));
    let log = Log::default();
    let sim = Sim::new();
    let (pin, button) = key(&sim, Level::High, false);
    sim.enter(|| button.set(true)); // held at start
    sim.spawn("button", pb.run(pin, |e| record(&log, e)));
    edge(&sim, &button, 300_000, false);
    sim.run_for(fwsim::secs(2)).unwrap();
    assert_eq!(lines(&log), ev(&[("Release", 300)]), "already pressed at start: only the release");
    assert!(!pb.is_pressed() && pb.release.is_set());
}

// ---- EButton ----------------------------------------------------------------------------------------

fn ebutton(suppress: bool, edges: &[(u64, bool)]) -> Vec<(String, u64)> {
    on_both_policies(|policy| ebutton_under(policy, suppress, edges))
}

fn ebutton_under(policy: Policy, suppress: bool, edges: &[(u64, bool)]) -> Vec<(String, u64)> {
    let b = EButton::<IsrCheckedRawMutex>::new(PushbuttonConfig::new().suppress(suppress));
    let log = Log::default();
    let sim = Sim::with_config(SimConfig::new().policy(policy));
    let (pin, button) = key(&sim, Level::Low, false);
    sim.spawn("ebutton", b.run(pin, |e: ButtonEvent| record(&log, e)));
    for &(at, closed) in edges {
        edge(&sim, &button, at * 1000, closed);
    }
    sim.run_for(fwsim::secs(5)).unwrap();
    lines(&log)
}

#[test]
fn ebutton_without_suppress() {
    assert_eq!(ebutton(false, &[(100, PRESS), (300, RELEASE)]), ev(&[("Press", 100), ("Release", 300)]));
    assert_eq!(
        ebutton(false, &[(100, PRESS), (1500, RELEASE)]),
        ev(&[("Press", 100), ("Long", 1100), ("Release", 1500)])
    );
}

#[test]
fn ebutton_with_suppress_reports_each_gesture_with_its_release() {
    // As the toolkit's event_test: short → press+release after the window; double →
    // double+release; long → long+release.
    assert_eq!(ebutton(true, &[(100, PRESS), (200, RELEASE)]), ev(&[("Press", 500), ("Release", 500)]));
    assert_eq!(
        ebutton(true, &[(100, PRESS), (200, RELEASE), (300, PRESS), (400, RELEASE)]),
        ev(&[("Double", 300), ("Release", 400)])
    );
    assert_eq!(ebutton(true, &[(100, PRESS), (1500, RELEASE)]), ev(&[("Long", 1100), ("Release", 1500)]));
}

// ---- Encoder ----------------------------------------------------------------------------------------

/// Turns the knob `edges` quadrature edges (negative: backwards), one every `gap_us`, from
/// `at_ms`. Tracks the pin levels in `pins`.
fn turn<'a>(
    sim: &Sim<'a>,
    enc: &'a Encoder<CriticalSectionRawMutex>,
    pins: &'a Cell<(bool, bool)>,
    at_ms: u64,
    edges: i32,
    gap_us: u64,
) {
    // Forward from (x, y): x changes when x == y, else y changes.
    for i in 0..edges.unsigned_abs() as u64 {
        sim.schedule_isr(SimTime::from_micros(at_ms * 1000 + i * gap_us), PIN_IRQ, move || {
            let (x, y) = pins.get();
            let x_moves = (x == y) == (edges > 0);
            if x_moves {
                pins.set((!x, y));
                enc.on_x_edge(!x, y);
            } else {
                pins.set((x, !y));
                enc.on_y_edge(x, !y);
            }
        });
    }
}

fn encoder_run(config: EncoderConfig, script: &[(u64, i32)]) -> (Vec<(i32, i32, u64)>, i32) {
    on_both_policies(|policy| encoder_under(policy, config, script))
}

fn encoder_under(policy: Policy, config: EncoderConfig, script: &[(u64, i32)]) -> (Vec<(i32, i32, u64)>, i32) {
    let pins = Cell::new((false, false));
    let enc = Encoder::<CriticalSectionRawMutex>::new(config, false, false).unwrap();
    let calls = RefCell::new(Vec::new());
    let sim = Sim::with_config(SimConfig::new().policy(policy));
    sim.spawn("encoder", enc.run(|v, d| calls.borrow_mut().push((v, d, Instant::now().as_millis()))));
    for &(at, edges) in script {
        turn(&sim, &enc, &pins, at, edges, 1000);
    }
    sim.run_for(fwsim::secs(3)).unwrap();
    assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    drop(sim);
    (calls.into_inner(), enc.value())
}

#[test]
fn encoder_clamps_a_burst_at_the_limit() {
    // Observed on the host: a +30 burst while at 98 with vmax 100 gives `100 2`.
    let c = EncoderConfig { initial: 98, max: Some(100), ..EncoderConfig::new() };
    let (calls, value) = encoder_run(c, &[(10, 30)]);
    assert_eq!(calls, [(100, 2, 110)], "sampled once, 100 ms after the first edge");
    assert_eq!(value, 100);
}

#[test]
fn encoder_divides_rounding_half_to_even_and_wraps() {
    let c = EncoderConfig { div: 4, modulo: Some(10), initial: 8, ..EncoderConfig::new() };
    // +8 edges = 2 detents: 8 → 10 → wraps to 0; then -6 edges: count 40 → 34, 34/4 = 8.5 → 8
    // (ties to even), one detent back: 0 - 2 → wraps to 8.
    let (calls, value) = encoder_run(c, &[(10, 8), (500, -6)]);
    assert_eq!(calls, [(0, -8, 110), (8, 8, 600)]);
    assert_eq!(value, 8);
}

#[test]
fn encoder_ignores_motion_undone_before_the_sample() {
    let (calls, value) = encoder_run(EncoderConfig::new(), &[(10, 3), (20, -3)]);
    assert_eq!(calls, []);
    assert_eq!(value, 0);
}

#[test]
fn encoder_changed_is_an_async_stream_of_values() {
    let pins = Cell::new((false, false));
    let enc = Encoder::<CriticalSectionRawMutex>::new(EncoderConfig::new(), false, false).unwrap();
    let sim = Sim::new();
    sim.spawn("encoder", enc.run(|_, _| {}));
    let mut reader = sim.spawn("reader", async {
        let mut seen = Vec::new();
        for _ in 0..2 {
            seen.push(enc.changed().await);
        }
        seen
    });
    turn(&sim, &enc, &pins, 10, 2, 1000);
    turn(&sim, &enc, &pins, 300, 5, 1000);
    sim.run_for(fwsim::secs(1)).unwrap();
    assert_eq!(reader.try_take(), Some(Ok(vec![2, 7])));
}

#[test]
fn encoder_rejects_an_initial_value_outside_its_limits() {
    let c = EncoderConfig { initial: 5, max: Some(3), ..EncoderConfig::new() };
    assert_eq!(Encoder::<CriticalSectionRawMutex>::new(c, false, false).err(), Some(EncoderError::InitialOutOfRange));
    let c = EncoderConfig { div: 0, ..EncoderConfig::new() };
    assert_eq!(Encoder::<CriticalSectionRawMutex>::new(c, false, false).err(), Some(EncoderError::BadDivisor));
}

// ---- AADC -------------------------------------------------------------------------------------------

struct Pot<'a>(&'a Cell<u16>);
impl fwsim_drivers::ReadU16 for Pot<'_> {
    fn read_u16(&mut self) -> u16 {
        self.0.get()
    }
}

#[test]
fn aadc_waits_out_of_and_into_a_band() {
    use fwsim_drivers::{Aadc, Band};
    for policy in [Policy::Embassy, Policy::MicroPython] {
        let level = leak(Cell::new(30_000u16));
        let aadc = Aadc::new(Pot(level));
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        let mut waiter = sim.spawn("waiter", async {
            let mut seen = Vec::new();
            // Relative: ±1000 around 30000; the drift to 30900 stays inside.
            seen.push((aadc.wait(Band::Around(1000)).await, Instant::now().as_millis()));
            // Absolute band, inverted sense: wait until back inside 29000..=30000.
            aadc.sense(false);
            seen.push((aadc.wait(Band::Between(29_000, 30_000)).await, Instant::now().as_millis()));
            // The same band, normal sense: inclusive edges are inside.
            aadc.sense(true);
            seen.push((aadc.wait(Band::Same).await, Instant::now().as_millis()));
            seen
        });
        for (at, v) in [(3, 30_900), (7, 31_001), (12, 29_000), (20, 30_000), (25, 28_999)] {
            sim.schedule_isr(SimTime::from_millis(at), PIN_IRQ, move || level.set(v));
        }
        sim.run_for(fwsim::ms(50)).unwrap();
        assert_eq!(waiter.try_take(), Some(Ok(vec![(31_001, 7), (29_000, 12), (28_999, 25)])));
        assert_eq!(aadc.read_u16(true), 28_999);
    }
}
