//! Process-wide bookkeeping that must work from any thread: which simulations are alive (so a
//! wake from a foreign thread can be reported to its simulation instead of touching it), and
//! the wall-clock watchdog that reports a poll that never returns.
//!
//! Nothing here feeds the schedule: a simulation reads its inbox at well-defined points of its
//! own loop, and the watchdog only reports.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What other threads may tell a simulation.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    pub(crate) dirty: AtomicBool,
    /// Wakes refused because they came from another thread: (slot, generation).
    pub(crate) foreign_wakes: Mutex<Vec<(u32, u32)>>,
    /// Polls the watchdog found hung: (task serial, virtual ns, wall ms).
    pub(crate) hung: Mutex<Vec<(u32, u64, u64)>>,
    pub(crate) hung_count: AtomicUsize,
    pub(crate) watch: Watch,
}

/// The state the watchdog samples.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    pub(crate) enabled: AtomicBool,
    pub(crate) limit_ms: AtomicU64,
    pub(crate) in_poll: AtomicBool,
    pub(crate) poll_id: AtomicU64,
    pub(crate) task: AtomicU32,
    pub(crate) vt: AtomicU64,
}

fn registry() -> &'static Mutex<BTreeMap<u16, Arc<Inbox>>> {
    static R: OnceLock<Mutex<BTreeMap<u16, Arc<Inbox>>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// Wakes aimed at simulations that no longer exist, from threads with no simulation.
static ORPHAN_WAKES: AtomicU64 = AtomicU64::new(0);

/// How many wakes hit a dropped simulation from a thread that had no simulation to report
/// them to.
pub fn orphan_wakes() -> u64 {
    ORPHAN_WAKES.load(Ordering::Relaxed)
}

/// Registers a new simulation and returns its tag (unique among live simulations, never 0).
pub(crate) fn register(inbox: Arc<Inbox>) -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let mut r = registry().lock().unwrap_or_else(|e| e.into_inner());
    assert!(r.len() < u16::MAX as usize - 1, "fwsim: more than 65,534 simulations alive at once");
    loop {
        let tag = (NEXT.fetch_add(1, Ordering::Relaxed) % u16::MAX as u32) as u16;
        if tag != 0 && !r.contains_key(&tag) {
            r.insert(tag, inbox);
            return tag;
        }
    }
}

pub(crate) fn unregister(tag: u16) {
    registry().lock().unwrap_or_else(|e| e.into_inner()).remove(&tag);
}

/// A wake of `(tag, slot, generation)` from a thread where that simulation is not current.
pub(crate) fn foreign_wake(tag: u16, slot: u32, generation: u32) {
    let inbox = registry().lock().unwrap_or_else(|e| e.into_inner()).get(&tag).cloned();
    match inbox {
        Some(inbox) => {
            inbox.foreign_wakes.lock().unwrap_or_else(|e| e.into_inner()).push((slot, generation));
            inbox.dirty.store(true, Ordering::Release);
        }
        None => {
            ORPHAN_WAKES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Starts the watchdog thread once per process.
pub(crate) fn ensure_watchdog() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        std::thread::Builder::new()
            .name("fwsim-watchdog".into())
            .spawn(watchdog_loop)
            .expect("spawn the fwsim watchdog thread");
    });
}

fn watchdog_loop() {
    // (tag, poll id) → when the watchdog first saw that poll running.
    let mut seen: BTreeMap<u16, (u64, Instant, bool)> = BTreeMap::new();
    loop {
        // The watchdog is the one wall-clock component, by design: it reports polls that hang
        // in real time and never feeds the schedule.
        std::thread::sleep(Duration::from_millis(10));
        let sims: Vec<(u16, Arc<Inbox>)> =
            registry().lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(t, i)| (*t, i.clone())).collect();
        seen.retain(|t, _| sims.iter().any(|(s, _)| s == t));
        for (tag, inbox) in sims {
            let w = &inbox.watch;
            if !w.enabled.load(Ordering::Relaxed) || !w.in_poll.load(Ordering::Acquire) {
                seen.remove(&tag);
                continue;
            }
            let id = w.poll_id.load(Ordering::Acquire);
            let entry = seen.entry(tag).or_insert((id, Instant::now(), false));
            if entry.0 != id {
                *entry = (id, Instant::now(), false);
                continue;
            }
            let ran = entry.1.elapsed();
            if !entry.2 && ran.as_millis() as u64 >= w.limit_ms.load(Ordering::Relaxed) {
                entry.2 = true;
                let (task, vt) = (w.task.load(Ordering::Relaxed), w.vt.load(Ordering::Relaxed));
                eprintln!(
                    "fwsim watchdog: one poll of task #{task} (virtual time {}) has run for {} ms of wall time",
                    crate::SimTime(vt),
                    ran.as_millis()
                );
                inbox.hung.lock().unwrap_or_else(|e| e.into_inner()).push((task, vt, ran.as_millis() as u64));
                inbox.hung_count.fetch_add(1, Ordering::Release);
                inbox.dirty.store(true, Ordering::Release);
            }
        }
    }
}
