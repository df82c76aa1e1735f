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
    /// Odd while the poll waits for the process-wide critical section (`cs`): that wait is
    /// another simulation's doing, so the watchdog does not count it and restarts its timing
    /// after it.
    pub(crate) lock_waits: AtomicU64,
}

/// Rounds the watchdog has made over the live simulations.
static SWEEPS: AtomicU64 = AtomicU64::new(0);

/// How many rounds the watchdog thread has made (one every 10 ms of wall time while it runs).
/// For tests that must outlast the watchdog's limit without reading the wall clock.
#[doc(hidden)]
pub fn watchdog_sweeps() -> u64 {
    SWEEPS.load(Ordering::Acquire)
}

fn registry() -> &'static Mutex<BTreeMap<u32, Arc<Inbox>>> {
    static R: OnceLock<Mutex<BTreeMap<u32, Arc<Inbox>>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// Wakes aimed at simulations that no longer exist, from threads with no simulation.
static ORPHAN_WAKES: AtomicU64 = AtomicU64::new(0);

/// How many wakes hit a dropped simulation from a thread that had no simulation to report
/// them to.
pub fn orphan_wakes() -> u64 {
    ORPHAN_WAKES.load(Ordering::Relaxed)
}

/// Registers a new simulation and returns its tag: never 0, never `u32::MAX`, and never
/// reused within the process, so that a waker that outlives its simulation cannot reach a
/// later one (see `waker`).
pub(crate) fn register(inbox: Arc<Inbox>) -> u32 {
    let tag = next_tag();
    registry().lock().unwrap_or_else(|e| e.into_inner()).insert(tag, inbox);
    tag
}

/// Re-registers a recycled simulation: its old tag goes, its inbox is emptied (or replaced,
/// if the watchdog still holds it), and it gets a new tag, under one lock.
pub(crate) fn rekey(old: u32, inbox: &mut Arc<Inbox>) -> u32 {
    let tag = next_tag();
    let mut sims = registry().lock().unwrap_or_else(|e| e.into_inner());
    sims.remove(&old);
    match Arc::get_mut(inbox) {
        Some(fresh) => *fresh = Inbox::default(),
        None => *inbox = Arc::new(Inbox::default()),
    }
    sims.insert(tag, inbox.clone());
    tag
}

fn next_tag() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| (t < u32::MAX - 1).then_some(t + 1)).unwrap_or_else(
        |_| {
            panic!(
                "fwsim: 4,294,967,294 simulations in one process; waker tags would repeat. \
                 Split long campaigns across processes (fwsim fuzz --jobs, --shard)."
            )
        },
    )
}

pub(crate) fn unregister(tag: u32) {
    registry().lock().unwrap_or_else(|e| e.into_inner()).remove(&tag);
}

/// A wake of `(tag, slot, generation)` from a thread where that simulation is not current.
pub(crate) fn foreign_wake(tag: u32, slot: u32, generation: u32) {
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
    // Under Miri a poll runs thousands of times slower than natively and wall time means
    // nothing; a thread that never ends would also fail every Miri test at exit.
    if cfg!(miri) {
        return;
    }
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        std::thread::Builder::new()
            .name("fwsim-watchdog".into())
            .spawn(watchdog_loop)
            .expect("spawn the fwsim watchdog thread");
    });
}

fn watchdog_loop() {
    // tag → (poll id, lock waits) of the interval being timed, when it began, reported yet.
    let mut seen: BTreeMap<u32, ((u64, u64), Instant, bool)> = BTreeMap::new();
    loop {
        // The watchdog is the one wall-clock component, by design: it reports polls that hang
        // in real time and never feeds the schedule.
        std::thread::sleep(Duration::from_millis(10));
        let sims: Vec<(u32, Arc<Inbox>)> =
            registry().lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(t, i)| (*t, i.clone())).collect();
        seen.retain(|t, _| sims.iter().any(|(s, _)| s == t));
        for (tag, inbox) in sims {
            let w = &inbox.watch;
            let lock_waits = w.lock_waits.load(Ordering::Acquire);
            if !w.enabled.load(Ordering::Relaxed) || !w.in_poll.load(Ordering::Acquire) || lock_waits % 2 == 1 {
                seen.remove(&tag);
                continue;
            }
            let id = (w.poll_id.load(Ordering::Acquire), lock_waits);
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
        SWEEPS.fetch_add(1, Ordering::Release);
    }
}
