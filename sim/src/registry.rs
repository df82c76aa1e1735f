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

impl Inbox {
    /// Back to `Inbox::default()`, in place (the caller holds the only other reference).
    fn empty(&self) {
        let Inbox { dirty, foreign_wakes, hung, hung_count, watch } = self;
        // Both lists are written before `dirty` is set, and emptied after it is cleared.
        if dirty.swap(false, Ordering::Relaxed) {
            foreign_wakes.lock().unwrap_or_else(|e| e.into_inner()).clear();
            hung.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
        hung_count.store(0, Ordering::Relaxed);
        let Watch { enabled, limit_ms, in_poll, poll_id, task, vt, lock_waits } = watch;
        enabled.store(false, Ordering::Relaxed);
        limit_ms.store(0, Ordering::Relaxed);
        in_poll.store(false, Ordering::Relaxed);
        poll_id.store(0, Ordering::Relaxed);
        task.store(0, Ordering::Relaxed);
        vt.store(0, Ordering::Relaxed);
        lock_waits.store(0, Ordering::Relaxed);
    }
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

/// The live simulations and the next tag to hand out.
struct Registry {
    /// Tags and inboxes. A list: it holds one entry per simulation alive (or kept for reuse)
    /// in the process, a handful per thread, and a fuzz loop re-tags an entry per execution.
    sims: Vec<(u32, Arc<Inbox>)>,
    /// The tag after the last one handed out.
    next: u32,
}

impl Registry {
    /// A tag no live simulation has: never 0 or `u32::MAX` (see `waker`). Tags count up and,
    /// after 4,294,967,294 simulations (under an hour of fuzzing on one core), start again at 1,
    /// skipping the tags still in use (a scan of the few live entries, under the lock the
    /// caller holds anyway).
    fn next_tag(&mut self) -> u32 {
        loop {
            let tag = self.next;
            self.next = if tag >= u32::MAX - 1 { 1 } else { tag + 1 };
            if tag != 0 && tag != u32::MAX && !self.sims.iter().any(|(t, _)| *t == tag) {
                return tag;
            }
        }
    }
}

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    static R: Mutex<Registry> = Mutex::new(Registry { sims: Vec::new(), next: 1 });
    R.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes `tag` the next tag handed out (or the next one no live simulation has): lets a test
/// reach the wrap of the tags without creating four billion simulations. Not for use outside
/// fwsim's tests.
#[doc(hidden)]
pub fn set_next_tag(tag: u32) {
    registry().next = tag;
}

/// Wakes aimed at simulations that no longer exist, from threads with no simulation.
static ORPHAN_WAKES: AtomicU64 = AtomicU64::new(0);

/// How many wakes hit a dropped simulation from a thread that had no simulation to report
/// them to.
pub fn orphan_wakes() -> u64 {
    ORPHAN_WAKES.load(Ordering::Relaxed)
}

/// Registers a new simulation and returns its tag, which no other live simulation has (see
/// `Registry::next_tag`).
pub(crate) fn register(inbox: Arc<Inbox>) -> u32 {
    let mut registry = registry();
    let tag = registry.next_tag();
    registry.sims.push((tag, inbox));
    tag
}

/// Re-registers a recycled simulation under a new tag, with an empty inbox.
pub(crate) fn rekey(old: u32, inbox: &mut Arc<Inbox>) -> u32 {
    let mut registry = registry();
    let tag = registry.next_tag();
    let sims = &mut registry.sims;
    match sims.iter_mut().find(|(t, _)| *t == old) {
        Some(entry) => {
            entry.0 = tag;
            // Under the lock nobody can reach the inbox by its old tag any more. If only the
            // registry and the simulation hold it, nothing can write to it while it is
            // emptied; a copy elsewhere (a foreign wake under way, the watchdog's sweep) may,
            // so the simulation takes a new inbox instead.
            if Arc::strong_count(inbox) == 2 {
                inbox.empty();
            } else {
                *inbox = Arc::new(Inbox::default());
                entry.1 = inbox.clone();
            }
        }
        None => {
            *inbox = Arc::new(Inbox::default());
            sims.push((tag, inbox.clone()));
        }
    }
    tag
}

pub(crate) fn unregister(tag: u32) {
    let sims = &mut registry().sims;
    if let Some(i) = sims.iter().position(|(t, _)| *t == tag) {
        sims.swap_remove(i);
    }
}

/// A wake of `(tag, slot, generation)` from a thread where that simulation is not current.
pub(crate) fn foreign_wake(tag: u32, slot: u32, generation: u32) {
    let inbox = registry().sims.iter().find(|(t, _)| *t == tag).map(|(_, i)| i.clone());
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
        let sims: Vec<(u32, Arc<Inbox>)> = registry().sims.iter().map(|(t, i)| (*t, i.clone())).collect();
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
