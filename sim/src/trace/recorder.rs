//! The recorder a simulation keeps: hash, ring, full copy or file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::{Names, Record, TraceConfig};

/// The trace hash before any record (FNV-1a's offset basis).
const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

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
            hash: HASH_SEED,
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

    /// Makes this a new recorder of `cfg`. A recorder that was off and stays off keeps its
    /// tables' allocations (a fuzz loop recycles a simulation per execution), and one with
    /// nothing to empty but its counters is reset inline.
    #[inline]
    pub(crate) fn reset(&mut self, cfg: &TraceConfig) -> io::Result<()> {
        if self.enabled || cfg.enabled || self.all.is_some() || cfg.keep_all {
            return self.rebuild(cfg);
        }
        // Every field named, so that a new one is not forgotten here.
        let Recorder {
            enabled: _,
            hash,
            count,
            ring,
            ring_cap,
            ring_head,
            all: _,
            file,
            file_path,
            names,
            interned,
            interned_static,
        } = self;
        debug_assert!(file.is_none(), "a recorder that is off writes no file");
        *hash = HASH_SEED;
        *count = 0;
        ring.clear();
        *ring_cap = cfg.ring;
        *ring_head = 0;
        let has_tables = file_path.is_some()
            || cfg.file.is_some()
            || !names.strings.is_empty()
            || !names.task_names.is_empty()
            || !names.irqs.is_empty()
            || !interned.is_empty()
            || !interned_static.is_empty();
        if has_tables {
            self.forget_tables(cfg);
        }
        Ok(())
    }

    /// [`reset`](Self::reset) of a recorder that was or will be on: a new one.
    #[inline(never)]
    fn rebuild(&mut self, cfg: &TraceConfig) -> io::Result<()> {
        *self = Recorder::new(cfg)?;
        Ok(())
    }

    /// [`reset`](Self::reset)'s part for a recorder that stays off but names tasks or a file:
    /// forgets them, keeping the tables' allocations.
    #[inline(never)]
    fn forget_tables(&mut self, cfg: &TraceConfig) {
        if self.file_path != cfg.file {
            self.file_path.clone_from(&cfg.file);
        }
        self.names.strings.clear();
        self.names.task_names.clear();
        self.names.irqs.clear();
        if !self.interned.is_empty() {
            self.interned.clear();
        }
        if !self.interned_static.is_empty() {
            self.interned_static.clear();
        }
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

    /// Names interrupt source `number` (only while recording: names serve the trace).
    pub(crate) fn name_irq(&mut self, number: u16, name: &str) {
        if self.enabled {
            let id = self.intern(name);
            self.names.irqs.insert(number, id);
        }
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

    /// Whether [`flush`](Self::flush) has anything to write.
    #[inline]
    pub(crate) fn has_output(&self) -> bool {
        self.file.is_some() || (self.enabled && self.file_path.is_some())
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
