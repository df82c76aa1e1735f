//! Encoder.

use super::*;

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
