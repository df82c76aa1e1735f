//! The trace: every scheduling event of a run, as fixed-size binary records.
//!
//! Every spawn, poll, wake (and who woke whom), timer, busy wait, interrupt, abort, completion,
//! panic and user mark becomes one 32-byte [`Record`] stamped with virtual time. Records are:
//!
//! * **hashed incrementally** — [`Sim::trace_hash`](crate::Sim::trace_hash) is the
//!   determinism fingerprint: same program, same config, same seed → same hash;
//! * kept in a **ring** of the last [`TraceConfig::ring`] records, for failure reports;
//! * optionally kept **in full** (for [`fwsim::test`](fn@crate::test)'s self-check, which prints
//!   the first record where two runs differ) or **streamed to a file**
//!   ([`TraceConfig::file`]) with bounded memory.
//!
//! JSON lines ([`write_json_lines`]) and Chrome/Perfetto JSON ([`write_perfetto`], opens in
//! ui.perfetto.dev) are conversions of the records, never a second source of truth.
//!
//! ```
//! use fwsim::{Sim, trace::{TaskRef, Kind}};
//! let sim = Sim::new();
//! sim.spawn("hello", async {});
//! sim.run_until_stalled().unwrap();
//! let kinds: Vec<Kind> = sim.trace_records().iter().map(|r| r.kind).collect();
//! assert_eq!(kinds, [Kind::Spawn, Kind::PollBegin, Kind::PollEnd, Kind::Complete]);
//! ```

mod export;
mod recorder;

use std::fmt;
use std::path::PathBuf;

pub use export::{read_file, write_json_lines, write_perfetto};
pub(crate) use recorder::Recorder;

use serde::{Deserialize, Serialize};

/// What a [`Record`] says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
#[non_exhaustive]
pub enum Kind {
    /// `task` was spawned by `source`; `arg` is its name id.
    Spawn = 1,
    /// `task`'s poll begins.
    PollBegin = 2,
    /// `task`'s poll ends; `arg` is 1 if it completed.
    PollEnd = 3,
    /// `task` was woken by `source` and queued.
    Wake = 4,
    /// `task` was woken by `source` while already queued: coalesced.
    WakeCoalesced = 5,
    /// `task` asked for a timer at `arg` ticks.
    TimerSet = 6,
    /// `task`'s timer at `arg` ticks fired.
    TimerFire = 7,
    /// `task`'s poll spent busy time from `at` to `arg` ns (blocking delay or spin).
    BusyWait = 8,
    /// `task` was aborted by `source`.
    Abort = 9,
    /// `task` completed; `arg` is 1 if it was aborted (its future dropped unfinished).
    Complete = 10,
    /// `task` panicked.
    Panic = 11,
    /// A user mark: label id in `source`, value in `arg`, made by `task`.
    Mark = 12,
    /// An interrupt handler ran: `source` is the interrupt, `arg` its priority.
    Interrupt = 13,
    /// A choice point answered off the default: choice `arg`, alternative `task`, `source`
    /// options (numbers, not tasks: the JSON lines name them `choice`, `alternative` and
    /// `options`, and Perfetto shows them on a track of their own).
    Deviation = 14,
    /// A diagnostic was recorded (index `arg` in [`Sim::diagnostics`](crate::Sim::diagnostics)).
    Diagnostic = 15,
}

impl Kind {
    fn from_u8(v: u8) -> Option<Kind> {
        use Kind::*;
        Some(match v {
            1 => Spawn,
            2 => PollBegin,
            3 => PollEnd,
            4 => Wake,
            5 => WakeCoalesced,
            6 => TimerSet,
            7 => TimerFire,
            8 => BusyWait,
            9 => Abort,
            10 => Complete,
            11 => Panic,
            12 => Mark,
            13 => Interrupt,
            14 => Deviation,
            15 => Diagnostic,
            _ => return None,
        })
    }
}

/// Who did something: a task (by spawn serial), the time driver's alarm, an interrupt, or code
/// outside any task (the test body).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TaskRef {
    /// A task, by its spawn serial number (0, 1, 2… in spawn order).
    Task(u32),
    /// The time driver's alarm.
    Timer,
    /// An interrupt handler, by IRQ number.
    Interrupt(u16),
    /// Code outside the simulation's tasks (the test body, `Sim` methods).
    Outside,
}

const OUTSIDE: u32 = u32::MAX;
const TIMER: u32 = u32::MAX - 1;
const IRQ_FLAG: u32 = 0x8000_0000;

impl TaskRef {
    pub(crate) fn encode(self) -> u32 {
        match self {
            TaskRef::Task(s) => s,
            TaskRef::Timer => TIMER,
            TaskRef::Interrupt(n) => IRQ_FLAG | n as u32,
            TaskRef::Outside => OUTSIDE,
        }
    }
    pub(crate) fn decode(v: u32) -> TaskRef {
        match v {
            OUTSIDE => TaskRef::Outside,
            TIMER => TaskRef::Timer,
            v if v & IRQ_FLAG != 0 => TaskRef::Interrupt((v & 0xFFFF) as u16),
            v => TaskRef::Task(v),
        }
    }
}

/// One trace event: 32 bytes, no pointers, hashable and streamable as is.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record {
    /// Virtual time, ns.
    pub at: u64,
    /// Kind-specific argument (see [`Kind`]).
    pub arg: u64,
    /// The task the event is about (spawn serial), or an encoded [`TaskRef`].
    pub task: u32,
    /// Who caused it (an encoded [`TaskRef`]), or a kind-specific value.
    pub source: u32,
    /// What happened.
    pub kind: Kind,
}

impl Record {
    /// The task this record is about.
    pub fn task_ref(&self) -> TaskRef {
        TaskRef::decode(self.task)
    }
    /// Who caused it.
    pub fn source_ref(&self) -> TaskRef {
        TaskRef::decode(self.source)
    }

    /// The little-endian 32-byte encoding used in trace files.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[0..8].copy_from_slice(&self.at.to_le_bytes());
        b[8..16].copy_from_slice(&self.arg.to_le_bytes());
        b[16..20].copy_from_slice(&self.task.to_le_bytes());
        b[20..24].copy_from_slice(&self.source.to_le_bytes());
        b[24] = self.kind as u8;
        b
    }

    /// Decodes [`to_bytes`](Self::to_bytes); `None` for an unknown kind.
    pub fn from_bytes(b: &[u8; 32]) -> Option<Record> {
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        Some(Record {
            at: u64_at(0),
            arg: u64_at(8),
            task: u32_at(16),
            source: u32_at(20),
            kind: Kind::from_u8(b[24])?,
        })
    }

    #[inline]
    fn hash_into(&self, h: u64) -> u64 {
        // FxHash-style word folding: cheap, stable across platforms and versions.
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = (h.rotate_left(5) ^ self.at).wrapping_mul(K);
        h = (h.rotate_left(5) ^ self.arg).wrapping_mul(K);
        h = (h.rotate_left(5) ^ ((self.task as u64) << 32 | self.source as u64)).wrapping_mul(K);
        (h.rotate_left(5) ^ self.kind as u64).wrapping_mul(K)
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?} task={:?} source={:?} arg={}",
            crate::SimTime(self.at),
            self.kind,
            self.task_ref(),
            self.source_ref(),
            self.arg
        )
    }
}

/// How much of the trace a simulation keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceConfig {
    /// Record at all. Off, nothing is recorded and [`Sim::trace_hash`](crate::Sim::trace_hash)
    /// is `None` (the benchmarks' "tracing off").
    pub enabled: bool,
    /// How many of the latest records to keep in memory for reports.
    pub ring: usize,
    /// Keep every record in memory (the self-check in [`fwsim::test`](fn@crate::test) uses it).
    pub keep_all: bool,
    /// Stream every record to this file (32-byte records, see [`Record::to_bytes`]); the names
    /// are written beside it as `<file>.names.json` when the simulation is dropped.
    pub file: Option<PathBuf>,
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig { enabled: true, ring: 4096, keep_all: false, file: None }
    }
}

/// The names that records refer to by number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    /// Interned strings (task names and mark labels); records hold indices into it.
    pub strings: Vec<String>,
    /// For each task serial, the index of its name in `strings`.
    pub task_names: Vec<u32>,
    /// Interrupt sources given a name ([`isr::name`](crate::isr::name)): IRQ number → index
    /// of the name in `strings`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub irqs: std::collections::BTreeMap<u16, u32>,
}

impl Names {
    /// The name of task `serial`, or `"?"`.
    pub fn task(&self, serial: u32) -> &str {
        self.task_names.get(serial as usize).and_then(|&i| self.strings.get(i as usize)).map_or("?", String::as_str)
    }

    /// A readable label for a [`TaskRef`].
    pub fn describe(&self, r: TaskRef) -> String {
        match r {
            TaskRef::Task(s) => format!("{}#{}", self.task(s), s),
            TaskRef::Timer => "timer".into(),
            TaskRef::Interrupt(n) => match self.irq(n) {
                Some(name) => format!("irq{n} ({name})"),
                None => format!("irq{n}"),
            },
            TaskRef::Outside => "outside".into(),
        }
    }

    /// The name given to interrupt source `number`, if any.
    pub fn irq(&self, number: u16) -> Option<&str> {
        self.irqs.get(&number).map(|&id| self.string(id as u64))
    }

    /// The interned string `id`.
    pub fn string(&self, id: u64) -> &str {
        self.strings.get(id as usize).map_or("?", String::as_str)
    }

    /// The [`mark`](crate::mark) that `record` holds, with its names; `None` for a record of
    /// another kind.
    pub fn mark(&self, record: &Record) -> Option<Mark> {
        (record.kind == Kind::Mark).then(|| Mark {
            at: crate::SimTime(record.at),
            by: self.describe(record.task_ref()),
            label: self.string(record.source as u64).to_owned(),
            value: record.arg,
        })
    }
}

/// A [`mark`](crate::mark) as the trace recorded it ([`Sim::marks`](crate::Sim::marks),
/// [`Names::mark`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// When it was made.
    pub at: crate::SimTime,
    /// Who made it: a task (`blink#0`), an interrupt handler (`irq7`) or code outside the
    /// simulation's tasks (`outside`).
    pub by: String,
    /// Its label.
    pub label: String,
    /// Its value.
    pub value: u64,
}
