//! Timing assertions on the signal record.
//!
//! ```
//! use embedded_hal::digital::OutputPin;
//! use embedded_hal_async::digital::Wait;
//! use fwsim::{SimTime, ms};
//! use fwsim_hw::{Board, Drive, Level, Pull};
//!
//! fwsim::test(|sim| {
//!     let board = Board::new();
//!     let mut key = board.input("KEY", Pull::Up);
//!     let mut led = board.output("LED", Drive::PushPull, Level::Low);
//!     board.button("B1", &key, Level::Low).press_at(SimTime::from_millis(100));
//!     sim.spawn("firmware", async move {
//!         key.wait_for_falling_edge().await.unwrap();
//!         embassy_time::Timer::after_millis(3).await; // "debounce"
//!         led.set_high().unwrap();
//!     });
//!     sim.run_for(ms(200)).unwrap();
//!     let press = board.expect("KEY").falls().after(SimTime::ZERO).unwrap();
//!     let lit = board.expect("LED").rises().within(ms(5)).after(press).unwrap();
//!     assert_eq!(lit, SimTime::from_millis(103));
//!     // A failure names what was expected and shows the events around it:
//!     let err = board.expect("LED").rises().within(ms(2)).after(press).unwrap_err();
//!     assert!(err.to_string().contains("expected LED to rise within 2 ms after 0.100000000s"));
//! });
//! ```

use std::fmt;

use fwsim::{IntoNanos, SimTime};

use crate::board::Board;
use crate::signal::{Change, Logic, Signals, Value};

#[derive(Clone, Debug)]
enum Wanted {
    Rise,
    Fall,
    Change,
    Text(String),
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wanted::Rise => f.write_str("rise"),
            Wanted::Fall => f.write_str("fall"),
            Wanted::Change => f.write_str("change"),
            Wanted::Text(t) => write!(f, "carry {t}"),
        }
    }
}

/// An expectation on one signal, built by [`Board::expect`].
pub struct Expect {
    signals: Signals,
    name: String,
    wanted: Wanted,
    within: Option<u64>,
}

/// An expectation that did not hold, with the events around it.
pub struct TimingError {
    message: String,
}

impl fmt::Display for TimingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for TimingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `unwrap()` shows the whole story.
        f.write_str(&self.message)
    }
}

impl std::error::Error for TimingError {}

impl Board {
    /// Starts an expectation on the signal called `name` (a pin, `UART.tx`, a bus…), over
    /// the record so far.
    pub fn expect(&self, name: &str) -> Expect {
        Expect { signals: self.signals(), name: name.to_string(), wanted: Wanted::Change, within: None }
    }
}

fn duration(ns: u64) -> String {
    match ns {
        n if n % 1_000_000_000 == 0 => format!("{} s", n / 1_000_000_000),
        n if n % 1_000_000 == 0 => format!("{} ms", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{} µs", n / 1_000),
        n => format!("{n} ns"),
    }
}

impl Expect {
    /// A wire going high.
    pub fn rises(mut self) -> Self {
        self.wanted = Wanted::Rise;
        self
    }

    /// A wire going low.
    pub fn falls(mut self) -> Self {
        self.wanted = Wanted::Fall;
        self
    }

    /// Any change (the default).
    pub fn changes(mut self) -> Self {
        self.wanted = Wanted::Change;
        self
    }

    /// A text signal taking the value `text` (e.g. a UART byte `0x41`).
    pub fn carries(mut self, text: &str) -> Self {
        self.wanted = Wanted::Text(text.to_string());
        self
    }

    /// No later than `d` after the reference time.
    pub fn within(mut self, d: impl IntoNanos) -> Self {
        self.within = Some(d.into_nanos());
        self
    }

    fn matches(&self, c: &Change, previous: Option<&Value>) -> bool {
        match (&self.wanted, &c.value) {
            (Wanted::Rise, Value::Logic(Logic::High)) => previous != Some(&Value::Logic(Logic::High)),
            (Wanted::Fall, Value::Logic(Logic::Low)) => previous != Some(&Value::Logic(Logic::Low)),
            (Wanted::Change, v) => previous != Some(v),
            (Wanted::Text(t), Value::Text(v)) => t == v,
            _ => false,
        }
    }

    /// The time of the first matching event strictly after `t` (and, with
    /// [`within`](Expect::within), no later than `t + d`).
    pub fn after(&self, t: SimTime) -> Result<SimTime, TimingError> {
        let Some(id) = self.signals.find(&self.name) else {
            let names: Vec<&str> = self.signals.names.iter().map(|n| n.0.as_str()).collect();
            return Err(TimingError { message: format!("no signal called {}; the board has {names:?}", self.name) });
        };
        let mut previous = None;
        for c in self.signals.changes.iter().filter(|c| c.signal == id) {
            if c.at > t && self.matches(c, previous) {
                if self.within.is_none_or(|w| c.at.as_nanos() <= t.as_nanos() + w) {
                    return Ok(c.at);
                }
                break;
            }
            previous = Some(&c.value);
        }
        Err(self.failure(t, "it did not"))
    }

    /// Checks that no matching event happens in (`t`, `t + d`] (`d` from
    /// [`within`](Expect::within), else until the end of the record).
    pub fn not_after(&self, t: SimTime) -> Result<(), TimingError> {
        match self.after(t) {
            Ok(at) => Err(self.failure(t, &format!("it did, at {at}")).negated()),
            Err(_) => Ok(()),
        }
    }

    fn failure(&self, t: SimTime, outcome: &str) -> TimingError {
        let window = self.within.map(|w| format!(" within {}", duration(w))).unwrap_or_default();
        let mut message =
            format!("expected {} to {}{window} after {t}; {outcome}.\nEvents nearby:", self.name, self.wanted);
        // Everything from a little before the reference to a little after the window.
        let span = self.within.unwrap_or(1_000_000).max(1_000_000);
        let (from, to) = (t.as_nanos().saturating_sub(span), t.as_nanos().saturating_add(2 * span));
        let nearby: Vec<&Change> =
            self.signals.changes.iter().filter(|c| (from..=to).contains(&c.at.as_nanos())).take(40).collect();
        if nearby.is_empty() {
            message.push_str(" none");
        }
        for c in nearby {
            let value = match &c.value {
                Value::Logic(l) => format!("{l:?}"),
                Value::Text(s) => s.clone(),
            };
            let mark = if self.signals.names[c.signal].0 == self.name { " <" } else { "" };
            message.push_str(&format!("\n  {}  {} = {value}{mark}", c.at, self.signals.names[c.signal].0));
        }
        TimingError { message }
    }
}

impl TimingError {
    fn negated(mut self) -> Self {
        self.message = self.message.replacen("expected ", "expected no event: ", 1);
        self
    }
}
