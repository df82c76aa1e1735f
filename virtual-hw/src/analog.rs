//! Analog inputs, PWM outputs, a real-time clock and a watchdog: the peripherals that
//! embedded-hal has no (or only a small) trait for.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use fwsim::{IntoNanos, Irq, SimTime};

use crate::board::Board;
use crate::curve::Curve;
use crate::signal::{SignalKind, Value};

/// An ADC channel whose input voltage follows a [`Curve`] (volts), read with `bits` of
/// resolution against `vref`, and scaled to 0–65535 as MicroPython's `read_u16`. (The
/// toolkit's `Aadc` in fwsim-drivers reads through its `ReadU16` trait: a one-line newtype in
/// your tests adapts it, as `drivers/tests/on_the_board.rs` shows; fwsim-hw imports no
/// firmware-side crate.)
///
/// ```
/// use fwsim_hw::{Curve, analog::AdcChannel};
///
/// fwsim::test(|_sim| {
///     let mut pot = fwsim_hw::Board::new().adc(Curve::constant(1.65), 3.3, 12);
///     assert_eq!(pot.read_raw(), 2048);
///     assert_eq!(pot.read_u16(), 32_768);
/// });
/// ```
pub struct AdcChannel {
    input: Curve,
    vref: f64,
    bits: u32,
}

impl AdcChannel {
    /// A channel reading `input` volts.
    fn new(input: Curve, vref: f64, bits: u32) -> Self {
        assert!((1..=16).contains(&bits), "fwsim-hw: an ADC has 1 to 16 bits");
        AdcChannel { input, vref, bits }
    }

    /// The conversion result now: round(v / vref × 2^bits), clamped to full scale.
    pub fn read_raw(&mut self) -> u16 {
        let full = (1u32 << self.bits) - 1;
        let v = self.input.at(fwsim::now()) / self.vref * (1u32 << self.bits) as f64;
        v.round().clamp(0.0, full as f64) as u16
    }
}

impl AdcChannel {
    /// The raw result left-aligned to 16 bits, as MicroPython scales it.
    pub fn read_u16(&mut self) -> u16 {
        self.read_raw() << (16 - self.bits)
    }
}

/// A PWM channel: `embedded_hal::pwm::SetDutyCycle` whose duty is on record (signal
/// `name`, as `duty/max`).
pub struct PwmChannel {
    board: Board,
    id: usize,
}

/// A PWM channel as the board keeps it.
pub(crate) struct PwmState {
    name: String,
    signal: usize,
    max: u16,
    duty: u16,
}

impl Board {
    /// A PWM channel with `max_duty` steps.
    #[track_caller]
    pub fn pwm(&self, name: &str, max_duty: u16) -> PwmChannel {
        let mut b = self.borrow();
        let signal = b.rec.add(name, SignalKind::Text);
        b.pwms.push(PwmState { name: name.to_string(), signal, max: max_duty, duty: 0 });
        PwmChannel { board: self.clone(), id: b.pwms.len() - 1 }
    }

    /// The PWM channel called `name`, back for firmware booting again after a reset (once the
    /// old firmware's tasks are gone, [`fwsim::Sim::abort_all`]): stopped, at duty 0, as a
    /// timer is after a reset. Panics, naming the board's PWM channels, if it has none called
    /// `name`.
    #[track_caller]
    pub fn reclaim_pwm(&self, name: &str) -> PwmChannel {
        let id = crate::board::index_named(self.borrow().pwms.iter().map(|p| p.name.as_str()), name, "PWM channel");
        let mut channel = PwmChannel { board: self.clone(), id };
        let _ = embedded_hal::pwm::SetDutyCycle::set_duty_cycle(&mut channel, 0);
        channel
    }
}

impl PwmChannel {
    /// The duty now, as a fraction.
    pub fn duty(&self) -> f64 {
        let b = self.board.inner.borrow();
        let p = &b.pwms[self.id];
        p.duty as f64 / p.max as f64
    }
}

impl embedded_hal::pwm::ErrorType for PwmChannel {
    type Error = core::convert::Infallible;
}

impl embedded_hal::pwm::SetDutyCycle for PwmChannel {
    fn max_duty_cycle(&self) -> u16 {
        self.board.inner.borrow().pwms[self.id].max
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), Self::Error> {
        let mut b = self.board.borrow();
        let b = &mut *b;
        let p = &mut b.pwms[self.id];
        assert!(duty <= p.max, "fwsim-hw: duty {duty} above the maximum {}", p.max);
        if p.duty != duty {
            p.duty = duty;
            b.rec.record(p.signal, Value::Text(format!("{duty}/{}", p.max)));
        }
        Ok(())
    }
}

/// A battery-backed real-time clock: local time in seconds since 1970 (what fwsim-drivers'
/// cron scheduler reads through its `WallClock` trait: adapt it with a newtype, as for
/// [`AdcChannel`]), set once and then running with virtual time, optionally drifting.
#[derive(Clone)]
pub struct Rtc {
    state: Rc<RefCell<(i128, SimTime, i64)>>,
}

impl Rtc {
    /// A clock reading `secs` now.
    fn new(secs: u64) -> Self {
        let rtc = Rtc { state: Rc::new(RefCell::new((0, SimTime::ZERO, 0))) };
        rtc.set(secs);
        rtc
    }

    /// Sets the clock to `secs` now.
    pub fn set(&self, secs: u64) {
        let mut s = self.state.borrow_mut();
        s.0 = secs as i128 * 1_000_000_000;
        s.1 = fwsim::now();
    }

    /// Makes the clock run `ppm` parts per million fast (negative: slow) from now on.
    pub fn drift_ppm(&self, ppm: i64) {
        let now = self.now_ns();
        let mut s = self.state.borrow_mut();
        s.0 = now;
        s.1 = fwsim::now();
        s.2 = ppm;
    }

    fn now_ns(&self) -> i128 {
        let (base, since, ppm) = *self.state.borrow();
        let elapsed = (fwsim::now().as_nanos() - since.as_nanos()) as i128;
        base + elapsed + elapsed * ppm as i128 / 1_000_000
    }
}

impl Rtc {
    /// The time in whole seconds since 1970.
    pub fn now_secs(&self) -> u64 {
        (self.now_ns() / 1_000_000_000).max(0) as u64
    }
}

/// An independent watchdog: once started, it must be fed within its timeout or it resets
/// the MCU. Firmware drives it through embedded-hal 0.2's portable
/// `watchdog::{WatchdogEnable, Watchdog}` traits (embedded-hal 1.0 has none); the test keeps
/// a clone. A missed feed is reported as a [`Hardware`](fwsim::Diagnostic::Hardware)
/// diagnostic `WatchdogReset`, counted, and stops the watchdog, as a reset does; it sets the
/// board's [reset cause](Board::reset_cause) and asks for the reset
/// ([`Board::take_reset_request`]), which the scenario runner carries out by booting the
/// firmware again. A test that drives the simulation itself sees the bite and what led to it,
/// and the firmware runs on unless the test resets it.
#[derive(Clone)]
pub struct Watchdog {
    state: Rc<RefCell<WatchdogState>>,
}

struct WatchdogState {
    /// Its interrupt (the bite).
    irq: Irq,
    /// The board it resets (weak: the board's power hooks hold the watchdog).
    board: Weak<RefCell<crate::board::Inner>>,
    name: String,
    timeout_ns: u64,
    deadline: Option<u64>,
    generation: u64,
    resets: u64,
}

impl Watchdog {
    /// A stopped watchdog of `board` that bites `timeout` after its last feed, on `irq`.
    fn new(board: &Board, name: &str, timeout: impl IntoNanos, irq: Irq) -> Self {
        Watchdog {
            state: Rc::new(RefCell::new(WatchdogState {
                irq,
                board: Rc::downgrade(&board.inner),
                name: name.to_string(),
                timeout_ns: timeout.into_nanos(),
                deadline: None,
                generation: 0,
                resets: 0,
            })),
        }
    }

    /// Starts it (as on hardware, it cannot be stopped again).
    pub fn start(&self) {
        self.feed();
    }

    /// Feeds it: the timeout starts over.
    pub fn feed(&self) {
        let deadline = {
            let mut s = self.state.borrow_mut();
            s.generation += 1;
            let d = fwsim::now().as_nanos() + s.timeout_ns;
            s.deadline = Some(d);
            d
        };
        let me = self.clone();
        let (generation, irq) = {
            let s = self.state.borrow();
            (s.generation, s.irq)
        };
        fwsim::isr::schedule(SimTime(deadline), irq, move || me.expire(generation));
    }

    fn expire(&self, generation: u64) {
        let (name, timeout, board) = {
            let mut s = self.state.borrow_mut();
            if s.generation != generation {
                return; // fed since
            }
            s.resets += 1;
            s.deadline = None;
            (s.name.clone(), s.timeout_ns, s.board.upgrade())
        };
        fwsim::diag::report_hardware(
            format!("watchdog {name}"),
            "WatchdogReset",
            format!("not fed for {timeout} ns: the MCU resets"),
        );
        if let Some(inner) = board {
            Board { inner }.request_reset(crate::ResetCause::Watchdog(name));
        }
    }

    /// Stops it (only a power cycle can: see [`Board::watchdog`]).
    fn stop(&self) {
        let mut s = self.state.borrow_mut();
        s.generation += 1;
        s.deadline = None;
    }

    /// Resets it caused so far.
    pub fn resets(&self) -> u64 {
        self.state.borrow().resets
    }
}

impl embedded_hal_02::watchdog::WatchdogEnable for Watchdog {
    type Time = core::time::Duration;

    /// Sets the timeout and starts the watchdog.
    fn start<T>(&mut self, period: T)
    where
        T: Into<core::time::Duration>,
    {
        let ns = IntoNanos::into_nanos(period.into());
        self.state.borrow_mut().timeout_ns = ns;
        Watchdog::start(self);
    }
}

impl embedded_hal_02::watchdog::Watchdog for Watchdog {
    fn feed(&mut self) {
        Watchdog::feed(self);
    }
}

impl Board {
    /// An ADC channel on this board whose input follows `input` volts (see [`AdcChannel`]).
    pub fn adc(&self, input: Curve, vref: f64, bits: u32) -> AdcChannel {
        AdcChannel::new(input, vref, bits)
    }

    /// The board's battery-backed real-time clock, reading `secs` now (see [`Rtc`]); a
    /// [power cycle](Board::power_cycle) does not stop it.
    pub fn rtc(&self, secs: u64) -> Rtc {
        Rtc::new(secs)
    }

    /// An independent watchdog on this board (see [`Watchdog`]) with its own interrupt; a
    /// [power cycle](Board::power_cycle) stops it, as a reset does.
    pub fn watchdog(&self, name: &str, timeout: impl IntoNanos) -> Watchdog {
        let irq = self.borrow().allocate_named_irq(0, name);
        let dog = Watchdog::new(self, name, timeout, irq);
        let kept = dog.clone();
        self.borrow().power_hooks.push(Rc::new(move || kept.stop()));
        dog
    }
}
