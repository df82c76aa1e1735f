//! The trace: every scheduling event of a run, as fixed-size binary records.
//!
//! Every spawn, poll, wake (and who woke whom), timer, busy wait, interrupt, abort, completion,
//! panic and user mark becomes one 32-byte [`Record`] stamped with virtual time. Records are:
//!
//! * **hashed incrementally** — [`Sim::trace_hash`](crate::Sim::trace_hash) is the
//!   determinism fingerprint: same program, same config, same seed → same hash;
//! * kept in a **ring** of the last [`TraceConfig::ring`] records, for failure reports;
//! * optionally kept **in full** (for [`fwsim::test`](crate::test)'s self-check, which prints
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

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What a [`Record`] says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
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
    /// options.
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
    /// Keep every record in memory (the self-check in [`fwsim::test`](crate::test) uses it).
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
            TaskRef::Interrupt(n) => format!("irq{n}"),
            TaskRef::Outside => "outside".into(),
        }
    }

    /// The interned string `id`.
    pub fn string(&self, id: u64) -> &str {
        self.strings.get(id as usize).map_or("?", String::as_str)
    }
}

/// The recorder inside a simulation.
pub(crate) struct Recorder {
    pub(crate) enabled: bool,
    hash: u64,
    count: u64,
    ring: Vec<Record>,
    ring_cap: usize,
    ring_head: usize,
    all: Option<Vec<Record>>,
    file: Option<BufWriter<File>>,
    file_path: Option<PathBuf>,
    pub(crate) names: Names,
    interned: std::collections::BTreeMap<String, u32>,
    /// Task names are mostly string literals: remember them by address so a spawn costs no
    /// string comparison.
    interned_static: std::collections::BTreeMap<(usize, usize), u32>,
}

impl Recorder {
    pub(crate) fn new(cfg: &TraceConfig) -> io::Result<Self> {
        let file = match (&cfg.file, cfg.enabled) {
            (Some(p), true) => Some(BufWriter::new(File::create(p)?)),
            _ => None,
        };
        Ok(Recorder {
            enabled: cfg.enabled,
            hash: 0xcbf2_9ce4_8422_2325,
            count: 0,
            ring: Vec::with_capacity(if cfg.enabled { cfg.ring.min(1 << 16) } else { 0 }),
            ring_cap: cfg.ring,
            ring_head: 0,
            all: cfg.keep_all.then(Vec::new),
            file,
            file_path: cfg.file.clone(),
            names: Names::default(),
            interned: Default::default(),
            interned_static: Default::default(),
        })
    }

    #[inline]
    pub(crate) fn record(&mut self, r: Record) {
        if !self.enabled {
            return;
        }
        self.hash = r.hash_into(self.hash);
        self.count += 1;
        if self.ring_cap > 0 {
            if self.ring.len() < self.ring_cap {
                self.ring.push(r);
            } else {
                self.ring[self.ring_head] = r;
                // A compare, not `%`: the capacity is a runtime value, so `%` is a 64-bit
                // division on every record, one of the slowest instructions there is.
                self.ring_head += 1;
                if self.ring_head == self.ring_cap {
                    self.ring_head = 0;
                }
            }
        }
        if let Some(all) = &mut self.all {
            all.push(r);
        }
        if let Some(f) = &mut self.file {
            // A full disk must not change the simulation: drop the file, keep running.
            if f.write_all(&r.to_bytes()).is_err() {
                self.file = None;
            }
        }
    }

    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.interned.get(s) {
            return id;
        }
        let id = self.names.strings.len() as u32;
        self.names.strings.push(s.to_owned());
        self.interned.insert(s.to_owned(), id);
        id
    }

    #[allow(clippy::ptr_arg)] // whether the name is Borrowed ('static) or Owned is the point
    pub(crate) fn name_task(&mut self, serial: u32, name: &std::borrow::Cow<'static, str>) -> u32 {
        let id = match name {
            std::borrow::Cow::Borrowed(s) => {
                let key = (s.as_ptr() as usize, s.len());
                match self.interned_static.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = self.intern(s);
                        self.interned_static.insert(key, id);
                        id
                    }
                }
            }
            std::borrow::Cow::Owned(s) => self.intern(s),
        };
        let i = serial as usize;
        if self.names.task_names.len() <= i {
            self.names.task_names.resize(i + 1, 0);
        }
        self.names.task_names[i] = id;
        id
    }

    pub(crate) fn hash(&self) -> Option<u64> {
        self.enabled.then_some(self.hash ^ self.count)
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn recent(&self) -> Vec<Record> {
        let mut v = Vec::with_capacity(self.ring.len());
        v.extend_from_slice(&self.ring[self.ring_head..]);
        v.extend_from_slice(&self.ring[..self.ring_head]);
        v
    }

    pub(crate) fn all(&self) -> Option<&[Record]> {
        self.all.as_deref()
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if let Some(f) = &mut self.file {
            f.flush()?;
        }
        if let Some(p) = &self.file_path
            && self.enabled
        {
            let mut names_path = p.clone().into_os_string();
            names_path.push(".names.json");
            std::fs::write(names_path, serde_json::to_vec(&self.names).map_err(io::Error::other)?)?;
        }
        Ok(())
    }
}

/// Reads a trace file written with [`TraceConfig::file`].
pub fn read_file(path: &std::path::Path) -> io::Result<Vec<Record>> {
    let bytes = std::fs::read(path)?;
    if bytes.len() % 32 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {} bytes is not a whole number of 32-byte records", path.display(), bytes.len()),
        ));
    }
    bytes
        .chunks_exact(32)
        .enumerate()
        .map(|(i, c)| {
            Record::from_bytes(c.try_into().expect("32 bytes")).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: record {i} has an unknown kind", path.display()),
                )
            })
        })
        .collect()
}

/// One JSON object per record, names resolved:
/// `{"t_ns":1000,"kind":"Wake","task":"blink#1","source":"timer","arg":0}`.
pub fn write_json_lines(records: &[Record], names: &Names, mut out: impl Write) -> io::Result<()> {
    for r in records {
        let task = match r.kind {
            Kind::Interrupt => names.describe(r.source_ref()),
            _ => names.describe(r.task_ref()),
        };
        let line = serde_json::json!({
            "t_ns": r.at,
            "kind": format!("{:?}", r.kind),
            "task": task,
            "source": match r.kind {
                Kind::Mark => names.string(r.source as u64).to_owned(),
                Kind::Deviation => r.source.to_string(),
                _ => names.describe(r.source_ref()),
            },
            "arg": r.arg,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing): one track per task,
/// polls as slices, wakes as flow arrows, busy waits, interrupts and marks as instants.
pub fn write_perfetto(records: &[Record], names: &Names, mut out: impl Write) -> io::Result<()> {
    let mut events = Vec::new();
    let tid = |r: TaskRef| -> u64 {
        match r {
            TaskRef::Task(s) => s as u64 + 10,
            TaskRef::Timer => 1,
            TaskRef::Interrupt(_) => 2,
            TaskRef::Outside => 3,
        }
    };
    let us = |ns: u64| ns as f64 / 1000.0;
    let mut seen_tasks = std::collections::BTreeSet::new();
    for (i, r) in records.iter().enumerate() {
        let task = r.task_ref();
        if let TaskRef::Task(s) = task
            && seen_tasks.insert(s)
        {
            events.push(serde_json::json!({"ph":"M","name":"thread_name","pid":1,"tid":tid(task),
                "args":{"name": names.describe(task)}}));
        }
        match r.kind {
            Kind::PollBegin => {
                events.push(serde_json::json!({"ph":"B","name":"poll","pid":1,"tid":tid(task),"ts":us(r.at)}))
            }
            Kind::PollEnd => events.push(serde_json::json!({"ph":"E","pid":1,"tid":tid(task),"ts":us(r.at),
                "args":{"completed": r.arg == 1}})),
            Kind::BusyWait => events.push(serde_json::json!({"ph":"X","name":"busy","pid":1,"tid":tid(task),
                "ts":us(r.at),"dur":us(r.arg.saturating_sub(r.at))})),
            Kind::Wake => {
                let src = r.source_ref();
                events.push(serde_json::json!({"ph":"s","id":i,"name":"wake","cat":"wake","pid":1,"tid":tid(src),"ts":us(r.at)}));
                events.push(serde_json::json!({"ph":"f","bp":"e","id":i,"name":"wake","cat":"wake","pid":1,"tid":tid(task),"ts":us(r.at)}));
            }
            Kind::Mark => events.push(serde_json::json!({"ph":"i","s":"t","name":names.string(r.source as u64),
                "pid":1,"tid":tid(task),"ts":us(r.at),"args":{"value":r.arg}})),
            Kind::Interrupt => events.push(serde_json::json!({"ph":"i","s":"p","name":names.describe(r.source_ref()),
                "pid":1,"tid":2,"ts":us(r.at)})),
            _ => events.push(serde_json::json!({"ph":"i","s":"t","name":format!("{:?}", r.kind),
                "pid":1,"tid":tid(task),"ts":us(r.at),"args":{"source":names.describe(r.source_ref()),"arg":r.arg}})),
        }
    }
    serde_json::to_writer(&mut out, &serde_json::json!({"traceEvents": events, "displayTimeUnit": "ns"}))?;
    out.flush()
}
