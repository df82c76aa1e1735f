//! Pushbutton; EButton.

use super::*;

/// Runs a pushbutton (active low, pull-up) with `config` over the scripted `(ms, level)`
/// edges; returns its events.
fn button(config: PushbuttonConfig, edges: &[(u64, bool)], bounce: bool) -> Vec<(String, u64)> {
    on_both_policies(|policy| button_under(policy, config, edges, bounce))
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
