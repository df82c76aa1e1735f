//! Crosspoint arrays in virtual time: a scripted 4×3 keypad matrix.

use std::cell::Cell;
use std::convert::Infallible;

use embassy_time::Instant;
use fwsim::{Irq, IsrCheckedRawMutex, Policy, Sim, SimConfig, SimTime};
use fwsim_drivers::{Keyboard, SwArray, SwEvents};

const ROWS: usize = 4;
const COLS: usize = 3;
const KEY_IRQ: Irq = Irq::new(3, 41);

/// The matrix: which rows the driver pulls low, and which keys are held.
#[derive(Default)]
struct Matrix {
    rows_low: Cell<u8>,
    held: Cell<u128>,
}

struct Row<'a>(&'a Matrix, usize);
struct Col<'a>(&'a Matrix, usize);

impl embedded_hal::digital::ErrorType for Row<'_> {
    type Error = Infallible;
}
impl embedded_hal::digital::OutputPin for Row<'_> {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.0.rows_low.set(self.0.rows_low.get() | 1 << self.1);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.0.rows_low.set(self.0.rows_low.get() & !(1 << self.1));
        Ok(())
    }
}
impl embedded_hal::digital::ErrorType for Col<'_> {
    type Error = Infallible;
}
impl embedded_hal::digital::InputPin for Col<'_> {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        self.is_low().map(|l| !l)
    }
    fn is_low(&mut self) -> Result<bool, Infallible> {
        // A held key connects its row to its column; a row driven low pulls the column low.
        Ok((0..ROWS)
            .any(|r| self.0.rows_low.get() & (1 << r) != 0 && self.0.held.get() & (1 << (r * COLS + self.1)) != 0))
    }
}

fn pins(m: &Matrix) -> ([Row<'_>; ROWS], [Col<'_>; COLS]) {
    (std::array::from_fn(|r| Row(m, r)), std::array::from_fn(|c| Col(m, c)))
}

/// Holds key `code` from `down_ms` to `up_ms`.
fn press<'a>(sim: &Sim<'a>, m: &'a Matrix, code: u32, down_ms: u64, up_ms: u64) {
    sim.schedule_isr(SimTime::from_millis(down_ms), KEY_IRQ, move || m.held.set(m.held.get() | 1 << code));
    sim.schedule_isr(SimTime::from_millis(up_ms), KEY_IRQ, move || m.held.set(m.held.get() & !(1 << code)));
}

fn both(test: impl Fn(Policy)) {
    test(Policy::Embassy);
    test(Policy::MicroPython);
}

#[test]
fn keyboard_queues_new_presses_in_reading_order() {
    both(|policy| {
        let m = Matrix::default();
        let kp = Keyboard::<IsrCheckedRawMutex, 4>::new();
        let sim = Sim::with_config(SimConfig::new().policy(policy.clone()));
        let (rows, cols) = pins(&m);
        sim.spawn("keypad", kp.run(rows, cols));
        let mut reader = sim.spawn("reader", async {
            let cmap = b"123456789*0#";
            let mut got = Vec::new();
            for _ in 0..3 {
                let code = kp.next().await;
                got.push((cmap[code as usize] as char, Instant::now().as_millis()));
            }
            got
        });
        press(&sim, &m, 5, 10, 100); // row 1, col 2: '6'
        press(&sim, &m, 10, 30, 200); // '0', pressed during the debounce after '6'
        press(&sim, &m, 0, 300, 320); // '1'
        sim.run_for(fwsim::secs(1)).unwrap();
        // The first press is seen at the next 1 ms scan; the second only when the 50 ms
        // debounce after the first ends.
        assert_eq!(reader.try_take(), Some(Ok(vec![('6', 10), ('0', 60), ('1', 300)])), "{policy:?}");
        assert!(!kp.is_pressed(5));
    });
}

#[test]
fn keyboard_overwrites_the_oldest_code_when_nobody_reads() {
    let m = Matrix::default();
    let kp = Keyboard::<IsrCheckedRawMutex, 2>::new();
    let sim = Sim::new();
    let (rows, cols) = pins(&m);
    sim.spawn("keypad", kp.run(rows, cols));
    for (i, code) in [1, 2, 3].into_iter().enumerate() {
        press(&sim, &m, code, 10 + 100 * i as u64, 60 + 100 * i as u64);
    }
    sim.run_for(fwsim::secs(1)).unwrap();
    assert_eq!([kp.try_next(), kp.try_next(), kp.try_next()], [Some(2), Some(3), None]);
}

fn sw_array(config: SwEvents, script: &[(u32, u64, u64)]) -> Vec<(u8, u8, u64)> {
    let embassy = sw_array_under(Policy::Embassy, config, script);
    assert_eq!(sw_array_under(Policy::MicroPython, config, script), embassy, "the policies disagree");
    embassy
}

fn sw_array_under(policy: Policy, config: SwEvents, script: &[(u32, u64, u64)]) -> Vec<(u8, u8, u64)> {
    let m = Matrix::default();
    let sw = SwArray::<IsrCheckedRawMutex, 16>::new(config);
    let log = std::cell::RefCell::new(Vec::new());
    let sim = Sim::with_config(SimConfig::new().policy(policy));
    let (rows, cols) = pins(&m);
    sim.spawn("array", sw.run(rows, cols));
    sim.spawn("reader", async {
        loop {
            let (code, ev) = sw.next().await;
            log.borrow_mut().push((code, ev.0, Instant::now().as_millis()));
        }
    });
    for &(code, down, up) in script {
        press(&sim, &m, code, down, up);
    }
    sim.run_for(fwsim::secs(4)).unwrap();
    drop(sim);
    log.into_inner()
}

const CLOSE: u8 = 1;
const OPEN: u8 = 2;
const LONG: u8 = 4;
const DOUBLE: u8 = 8;

#[test]
fn sw_array_basic_mode_reports_edges() {
    let got = sw_array(SwEvents::CLOSE.or(SwEvents::OPEN), &[(7, 100, 300)]);
    assert_eq!(got, [(7, CLOSE, 100), (7, OPEN, 300)]);
    // Only what the configuration asks for.
    assert_eq!(sw_array(SwEvents::OPEN, &[(7, 100, 300)]), [(7, OPEN, 300)]);
}

#[test]
fn sw_array_suppressed_gestures_are_reported_once() {
    let all = SwEvents::CLOSE.or(SwEvents::OPEN).or(SwEvents::LONG).or(SwEvents::DOUBLE).or(SwEvents::SUPPRESS);
    // Short: known to be single when the 400 ms window has passed (first ms past it).
    assert_eq!(sw_array(all, &[(4, 100, 200)]), [(4, CLOSE, 501), (4, OPEN, 501)]);
    // Long: first ms past 1000 ms; OPEN at the release.
    assert_eq!(sw_array(all, &[(4, 100, 1500)]), [(4, LONG, 1101), (4, OPEN, 1500)]);
    // Double: at the second closure; OPEN at its release.
    assert_eq!(sw_array(all, &[(4, 100, 200), (4, 300, 350)]), [(4, DOUBLE, 300), (4, OPEN, 350)]);
}

#[test]
fn sw_array_without_suppress_reports_a_short_press_once() {
    // The toolkit reports CLOSE, OPEN and then CLOSE, OPEN again when the double-click window
    // of an unsuppressed short press ends.
    let timed = SwEvents::CLOSE.or(SwEvents::OPEN).or(SwEvents::LONG).or(SwEvents::DOUBLE);
    assert_eq!(sw_array(timed, &[(2, 100, 200)]), [(2, CLOSE, 100), (2, OPEN, 200)]);
    assert_eq!(sw_array(timed, &[(2, 100, 1500)]), [(2, CLOSE, 100), (2, LONG, 1101), (2, OPEN, 1500)]);
}

#[test]
fn keyboard_release_bounce_is_not_a_new_press_and_two_keys_in_one_scan_both_count() {
    // Regressions for the toolkit's 6422422 (no debounce after a release: release bounce read
    // as fresh presses) and its follow-up (only one new key per scan).
    let m = Matrix::default();
    let kp = Keyboard::<IsrCheckedRawMutex, 8>::new();
    let sim = Sim::new();
    let (rows, cols) = pins(&m);
    sim.spawn("keypad", kp.run(rows, cols));
    press(&sim, &m, 4, 10, 100);
    // Release bounce: the contact chatters for 3 ms after the release at 100 ms.
    for (i, at_us) in [100_400u64, 101_000, 101_700, 102_500].into_iter().enumerate() {
        let m = &m;
        let closed = i % 2 == 0;
        sim.schedule_isr(SimTime::from_micros(at_us), KEY_IRQ, move || {
            m.held.set(if closed { m.held.get() | 1 << 4 } else { m.held.get() & !(1 << 4) })
        });
    }
    // Two keys closing at the same instant.
    sim.schedule_isr(SimTime::from_millis(300), KEY_IRQ, || m.held.set(m.held.get() | 1 << 1 | 1 << 8));
    sim.run_for(fwsim::secs(1)).unwrap();
    let codes: Vec<u8> = std::iter::from_fn(|| kp.try_next()).collect();
    assert_eq!(codes, [4, 1, 8]);
}
