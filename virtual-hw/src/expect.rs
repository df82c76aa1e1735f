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

    /// The time of the first matching event **strictly after** `t` (and, with
    /// [`within`](Expect::within), no later than `t + d`, inclusive): the next event after one
    /// found before. For an event that may happen at `t` itself (an output set in the same
    /// poll as the input it answers), use [`at_or_after`](Expect::at_or_after).
    pub fn after(&self, t: SimTime) -> Result<SimTime, TimingError> {
        self.first(t, false)
    }

    /// The time of the first matching event **at or after** `t` (and, with
    /// [`within`](Expect::within), no later than `t + d`, inclusive).
    pub fn at_or_after(&self, t: SimTime) -> Result<SimTime, TimingError> {
        self.first(t, true)
    }

    /// The matching events on the signal, with their times.
    fn matching(&self) -> Result<Vec<SimTime>, TimingError> {
        let Some(id) = self.signals.find(&self.name) else {
            let names: Vec<&str> = self.signals.names.iter().map(|n| n.0.as_str()).collect();
            return Err(TimingError { message: format!("no signal called {}; the board has {names:?}", self.name) });
        };
        let mut previous = None;
        let mut found = Vec::new();
        for c in self.signals.changes.iter().filter(|c| c.signal == id) {
            if self.matches(c, previous) {
                found.push(c.at);
            }
            previous = Some(&c.value);
        }
        Ok(found)
    }

    fn first(&self, t: SimTime, inclusive: bool) -> Result<SimTime, TimingError> {
        let matching = self.matching()?;
        let in_window = |at: SimTime| {
            (at > t || (inclusive && at == t)) && self.within.is_none_or(|w| at.as_nanos() <= t.as_nanos() + w)
        };
        match matching.iter().copied().find(|&at| at > t || (inclusive && at == t)) {
            Some(at) if in_window(at) => Ok(at),
            _ => Err(self.failure(t, inclusive, &matching, "it did not")),
        }
    }

    /// Checks that no matching event happens in (`t`, `t + d`] (`d` from
    /// [`within`](Expect::within), else until the end of the record).
    pub fn not_after(&self, t: SimTime) -> Result<(), TimingError> {
        match self.after(t) {
            Ok(at) => {
                let matching = self.matching().unwrap_or_default();
                Err(self.failure(t, false, &matching, &format!("it did, at {at}")).negated())
            }
            Err(_) => Ok(()),
        }
    }

    /// What did happen on the signal, around the window: the nearest matching events before
    /// and after it, with their delays from `t`.
    fn what_happened(&self, t: SimTime, inclusive: bool, matching: &[SimTime]) -> String {
        let delay = |at: SimTime| {
            if at >= t {
                format!("{} after {t}", duration((at - t).as_nanos() as u64))
            } else {
                format!("{} before {t}", duration((t - at).as_nanos() as u64))
            }
        };
        let end = self.within.map(|w| SimTime(t.as_nanos().saturating_add(w)));
        let mut lines = Vec::new();
        if !inclusive && matching.contains(&t) {
            lines.push(format!("one did at exactly {t}, which `after` excludes (`at_or_after` includes it)"));
        }
        if let Some(&before) = matching.iter().rev().find(|&&at| at < t) {
            lines.push(format!("the last one before: {before} ({})", delay(before)));
        }
        let past_window = matching.iter().find(|&&at| end.is_some_and(|e| at > e) || (end.is_none() && at > t));
        match past_window {
            Some(&at) if end.is_some() => lines.push(format!("the first one after the window: {at} ({})", delay(at))),
            _ if matching.is_empty() => lines.push(format!("none at all in the record (it ends at {})", fwsim::now())),
            _ => {}
        }
        if lines.is_empty() {
            return String::new();
        }
        format!("\nWhat happened on {}: {}.", self.name, lines.join("; "))
    }

    fn failure(&self, t: SimTime, inclusive: bool, matching: &[SimTime], outcome: &str) -> TimingError {
        let window = self.within.map(|w| format!(" within {}", duration(w))).unwrap_or_default();
        let bound = if inclusive { "at or after" } else { "after" };
        let happened = self.what_happened(t, inclusive, matching);
        let mut message = format!(
            "expected {} to {}{window} {bound} {t}; {outcome}.{happened}\nEvents nearby:",
            self.name, self.wanted
        );
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
