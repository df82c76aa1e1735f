//! The wall-clock watchdog: a thread that times every watched simulation's poll under way,
//! reports one that runs past its limit ([`SimConfig::watchdog`](crate::SimConfig)), and
//! tells a harness which polls have been running for how long ([`long_polls`]).
//!
//! It is the one wall-clock component, by design: it only reports, and nothing it sees feeds
//! a schedule. A poll that never returns (a loop with no `.await` that reads nothing the
//! simulator sees) cannot be taken back on its own thread; the watchdog names it, and a
//! harness such as `fwsim run` can end the process once it has been running for too long.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crate::SimTime;
use crate::registry::{self, Inbox};

/// The state the watchdog samples, written by the simulation at each poll.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    pub(crate) enabled: AtomicBool,
    pub(crate) limit_ms: AtomicU64,
    pub(crate) in_poll: AtomicBool,
    pub(crate) poll_id: AtomicU64,
    /// The polled task's serial.
    pub(crate) task: AtomicU32,
    /// Its slot, written by traced runs only (which alone keep [`TaskNames`]).
    pub(crate) slot: AtomicU32,
    pub(crate) vt: AtomicU64,
    /// Odd while the poll waits for the process-wide critical section (`cs`): that wait is
    /// another simulation's doing, so the watchdog does not count it and restarts its timing
    /// after it.
    pub(crate) lock_waits: AtomicU64,
}

/// Task names by slot, for the watchdog's reports: kept by traced runs only (a fuzz
/// campaign's executions do not pay for them), for run `run`.
#[derive(Debug, Default)]
pub(crate) struct TaskNames {
    run: u32,
    by_slot: Vec<Cow<'static, str>>,
}

impl TaskNames {
    /// Task `slot` of run `run` is called `name` from now on.
    pub(crate) fn set(&mut self, run: u32, slot: u32, name: Cow<'static, str>) {
        if self.run != run {
            self.run = run;
            self.by_slot.clear();
        }
        let slot = slot as usize;
        if self.by_slot.len() <= slot {
            self.by_slot.resize(slot + 1, Cow::Borrowed(""));
        }
        self.by_slot[slot] = name;
    }

    /// Task `serial` in `slot`, `name#serial` as the simulation's reports write it, or
    /// `#serial` when the name is not kept.
    fn label(&self, run: u32, serial: u32, slot: u32) -> String {
        let name = if self.run == run { self.by_slot.get(slot as usize).map_or("", |n| n.as_ref()) } else { "" };
        format!("{name}#{serial}")
    }
}

/// A task's poll under way, as the watchdog saw it at its last round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongPoll {
    /// The thread its simulation runs on.
    pub thread: ThreadId,
    /// The task, `name#serial` (`#serial` when the run is not traced).
    pub task: String,
    /// The virtual time at which the poll began (a poll that spends busy time moves the
    /// clock on; this is where it stood when the poll started).
    pub at: SimTime,
    /// How long it has run, in wall time.
    pub wall: Duration,
}

/// The polls under way, on any thread, that have run for `min` of wall time or more, as the
/// watchdog saw them at its last round (it makes one every 10 ms). Only simulations with a
/// watchdog ([`SimConfig::watchdog`](crate::SimConfig), on by default) are timed, and a wait
/// for the process-wide critical section does not count.
///
/// A harness that runs simulations on worker threads uses it to give up on one whose poll
/// will not return. The thread cannot be stopped; the process can end.
pub fn long_polls(min: Duration) -> Vec<LongPoll> {
    let seen = seen();
    let mut polls = Vec::new();
    for (start, thread, inbox) in registry::live() {
        let Some(&(interval, since, _)) = seen.get(&start) else { continue };
        let wall = since.elapsed();
        if wall < min || current_interval(&inbox) != Some(interval) {
            continue;
        }
        let w = &inbox.watch;
        let (serial, slot) = (w.task.load(Ordering::Relaxed), w.slot.load(Ordering::Relaxed));
        let task = inbox.names.lock().unwrap_or_else(|e| e.into_inner()).label(interval.0, serial, slot);
        polls.push(LongPoll { thread, task, at: SimTime(w.vt.load(Ordering::Relaxed)), wall });
    }
    polls
}

/// Rounds the watchdog has made over the live simulations.
static SWEEPS: AtomicU64 = AtomicU64::new(0);

/// How many rounds the watchdog thread has made (one every 10 ms of wall time while it runs).
/// For tests that must outlast the watchdog's limit without reading the wall clock.
#[doc(hidden)]
pub fn watchdog_sweeps() -> u64 {
    SWEEPS.load(Ordering::Acquire)
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

/// What names the interval being timed: run tag, poll id, lock waits.
type Interval = (u32, u64, u64);

/// Per simulation (named by the start of its tags): the interval being timed, when it began,
/// whether it has been reported.
type Seen = BTreeMap<u32, (Interval, Instant, bool)>;

fn seen() -> MutexGuard<'static, Seen> {
    static SEEN: Mutex<Seen> = Mutex::new(BTreeMap::new());
    SEEN.lock().unwrap_or_else(|e| e.into_inner())
}

/// The interval a watched simulation's poll is in, if it is in one that counts.
fn current_interval(inbox: &Inbox) -> Option<Interval> {
    let w = &inbox.watch;
    let lock_waits = w.lock_waits.load(Ordering::Acquire);
    if !w.enabled.load(Ordering::Relaxed) || !w.in_poll.load(Ordering::Acquire) || lock_waits % 2 == 1 {
        return None;
    }
    // Read after `in_poll`: the run of that poll, or a later one (whose id is timed apart, so
    // a former run's poll id cannot look like this run's poll hanging).
    Some((inbox.run.tag(), w.poll_id.load(Ordering::Acquire), lock_waits))
}

fn watchdog_loop() {
    loop {
        std::thread::sleep(Duration::from_millis(10));
        let sims = registry::live();
        let mut seen = seen();
        seen.retain(|t, _| sims.iter().any(|(s, _, _)| s == t));
        for (start, _, inbox) in sims {
            let Some(id) = current_interval(&inbox) else {
                seen.remove(&start);
                continue;
            };
            let entry = seen.entry(start).or_insert((id, Instant::now(), false));
            if entry.0 != id {
                *entry = (id, Instant::now(), false);
                continue;
            }
            let ran = entry.1.elapsed();
            if !entry.2 && ran.as_millis() as u64 >= inbox.watch.limit_ms.load(Ordering::Relaxed) {
                entry.2 = true;
                report(&inbox, id.0, ran);
            }
        }
        drop(seen);
        SWEEPS.fetch_add(1, Ordering::Release);
    }
}

/// Reports a poll of run `run` hung after `ran` of wall time: on stderr now, and to its
/// simulation for its next drain.
fn report(inbox: &Inbox, run: u32, ran: Duration) {
    let w = &inbox.watch;
    let (serial, slot, vt) =
        (w.task.load(Ordering::Relaxed), w.slot.load(Ordering::Relaxed), w.vt.load(Ordering::Relaxed));
    let label = inbox.names.lock().unwrap_or_else(|e| e.into_inner()).label(run, serial, slot);
    eprintln!(
        "fwsim watchdog: one poll of task {label} (virtual time {}) has run for {} ms of wall time; nothing else \
         in its simulation runs until it returns (a loop with no `.await`, or a blocking call?)",
        SimTime(vt),
        ran.as_millis()
    );
    // Listed before it is counted: a poll that sees the count and returns finds the report at
    // the next drain. A run begun meanwhile keeps a count of zero, and its drain drops the
    // report of the former run's poll.
    inbox.hung.lock().unwrap_or_else(|e| e.into_inner()).push((run, serial, vt, ran.as_millis() as u64));
    inbox.dirty.store(true, Ordering::Release);
    inbox.run.count_for(run);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_is_named_only_for_the_run_that_named_it() {
        let mut names = TaskNames::default();
        names.set(7, 2, "blink".into());
        assert_eq!(names.label(7, 5, 2), "blink#5");
        assert_eq!(names.label(8, 5, 2), "#5", "another run's names are not this one's");
        assert_eq!(names.label(7, 6, 1), "#6", "a slot never named");
        names.set(8, 0, "ui".into());
        assert_eq!(names.label(7, 5, 2), "#5", "a new run forgets the former run's names");
        assert_eq!(names.label(8, 8, 0), "ui#8");
    }
}
