//! The signal record: every net level, decoded UART byte and bus transaction, stamped with
//! virtual time, and its export to VCD.
//!
//! A [`Board`](crate::Board) records as it runs; [`Board::signals`](crate::Board::signals)
//! returns a copy and [`Board::write_vcd`](crate::Board::write_vcd) writes the record as a
//! Value Change Dump: one 1-bit wire per GPIO net (with `z` for a floating net and `x` for
//! contention) and one string variable per UART direction and I2C bus carrying the decoded
//! bytes and transactions. GTKWave and Surfer show all of it. PulseView (sigrok's VCD input)
//! reads the 1-bit wires only and drops the string variables, so there the decodes are
//! missing: open the file in GTKWave or Surfer for them.
//!
//! Every change is also a [`fwsim::mark`] in the simulation's trace (label = signal name), so
//! the trace hash that `fwsim::test` compares between its two runs covers the hardware too.

use std::io;

use fwsim::SimTime;

/// A 4-state logic level, as a waveform viewer shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Logic {
    /// Driven or pulled low.
    Low,
    /// Driven or pulled high.
    High,
    /// Nothing drives the net and no pull holds it: it floats.
    Floating,
    /// Drivers fight: one drives high while another drives low.
    Contention,
}

impl Logic {
    fn vcd(self) -> vcd::Value {
        match self {
            Logic::Low => vcd::Value::V0,
            Logic::High => vcd::Value::V1,
            Logic::Floating => vcd::Value::Z,
            Logic::Contention => vcd::Value::X,
        }
    }
}

/// What kind of value a signal carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalKind {
    /// A GPIO net.
    Wire,
    /// Decoded traffic: UART bytes, I2C transactions.
    Text,
}

/// A recorded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A wire's level.
    Logic(Logic),
    /// A decoded event, e.g. `0x41` or `W 0x40 [E3]`.
    Text(String),
}

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// When.
    pub at: SimTime,
    /// Which signal: an index into [`Signals::names`].
    pub signal: usize,
    /// The new value.
    pub value: Value,
}

/// A copy of a board's signal record.
#[derive(Clone, Debug, Default)]
pub struct Signals {
    /// Signal names and kinds, by index.
    pub names: Vec<(String, SignalKind)>,
    /// Every change, in time order (the latest ones when a limit is set; see
    /// [`Board::set_signal_limit`](crate::Board::set_signal_limit)).
    pub changes: Vec<Change>,
    /// How many of the earliest changes were dropped to keep within the limit.
    pub dropped: u64,
}

impl Signals {
    /// The index of the signal called `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|(n, _)| n == name)
    }

    /// The changes of the signal called `name`, in time order (empty if there is none).
    pub fn of<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Change> + 'a {
        let id = self.find(name);
        self.changes.iter().filter(move |c| Some(c.signal) == id)
    }

    /// The times at which wire `name` went to `level`.
    pub fn edges_to(&self, name: &str, level: Logic) -> Vec<SimTime> {
        self.of(name).filter(|c| c.value == Value::Logic(level)).map(|c| c.at).collect()
    }

    /// Writes the record as VCD with a 1 ns timescale.
    pub fn write_vcd(&self, out: impl io::Write) -> io::Result<()> {
        let mut w = vcd::Writer::new(out);
        w.timescale(1, vcd::TimescaleUnit::NS)?;
        w.add_module("board")?;
        let mut ids = Vec::with_capacity(self.names.len());
        for (name, kind) in &self.names {
            let reference = vcd_reference(name);
            ids.push(match kind {
                SignalKind::Wire => w.add_wire(1, &reference)?,
                SignalKind::Text => w.add_var(vcd::VarType::String, 1, &reference, None)?,
            });
        }
        w.upscope()?;
        if self.dropped > 0 {
            w.comment(&format!("the {} earliest changes were dropped (signal record limit)", self.dropped))?;
        }
        w.enddefinitions()?;
        let mut last = None;
        for c in &self.changes {
            if last != Some(c.at) {
                w.timestamp(c.at.as_nanos())?;
                last = Some(c.at);
            }
            match &c.value {
                Value::Logic(l) => w.change_scalar(ids[c.signal], l.vcd())?,
                // VCD strings end at whitespace: keep the text one token.
                Value::Text(t) => w.change_string(ids[c.signal], &t.replace(' ', "_"))?,
            }
        }
        w.flush()
    }
}

/// A VCD reference is one token: spaces and `$` would end it.
fn vcd_reference(name: &str) -> String {
    name.chars().map(|c| if c.is_whitespace() || c == '$' { '_' } else { c }).collect()
}

/// The live record inside a board.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) signals: Signals,
    /// Keep at most about this many changes (`None`: all).
    pub(crate) limit: Option<usize>,
}

impl Recorder {
    /// A new signal called `name`.
    ///
    /// # Panics
    /// When the board has one of that name already: `expect`, `signals().of` and the VCD find
    /// signals by name, and would find only the first.
    #[track_caller]
    pub(crate) fn add(&mut self, name: &str, kind: SignalKind) -> usize {
        self.ensure_new(name);
        self.signals.names.push((name.to_string(), kind));
        self.signals.names.len() - 1
    }

    /// Panics, as [`add`](Self::add) would, when the board has a signal called `name`.
    #[track_caller]
    pub(crate) fn ensure_new(&self, name: &str) {
        if self.signals.find(name).is_some() {
            panic!(
                "fwsim-hw: the board already has a signal called `{name}`; give each pin, bus, UART and \
                 PWM channel a name of its own (`expect`, `signals()` and the VCD find signals by name)"
            );
        }
    }

    pub(crate) fn record(&mut self, signal: usize, value: Value) {
        let at = fwsim::now();
        let mark = match &value {
            Value::Logic(l) => *l as u64,
            // FNV-1a, so the trace hash covers the text itself.
            Value::Text(t) => {
                t.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
            }
        };
        fwsim::mark(&self.signals.names[signal].0, mark);
        self.signals.changes.push(Change { at, signal, value });
        if let Some(limit) = self.limit {
            // Drop in batches of a quarter of the limit, so that each change costs O(1).
            let len = self.signals.changes.len();
            if len > limit + limit / 4 {
                let excess = len - limit;
                self.signals.changes.drain(..excess);
                self.signals.dropped += excess as u64;
            }
        }
    }
}
