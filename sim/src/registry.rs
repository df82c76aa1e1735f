//! Process-wide bookkeeping that must work from any thread: which simulations are alive, on
//! which thread, so that a wake from a foreign thread can be reported to its simulation
//! instead of touching it, and the [watchdog](crate::watchdog) can time their polls.
//!
//! Nothing here feeds the schedule: a simulation reads its inbox at well-defined points of its
//! own loop, and the watchdog only reports.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use crate::watchdog::{TaskNames, Watch};

/// What other threads may tell a simulation.
///
/// Everything written here names the run it is for by its tag: a recycled simulation takes a
/// new tag without emptying its inbox (see [`rekey`]), and its drain drops what a former run
/// was sent.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    pub(crate) dirty: AtomicBool,
    /// Wakes refused because they came from another thread: (tag, slot, generation).
    pub(crate) foreign_wakes: Mutex<Vec<(u32, u32, u32)>>,
    /// Polls the watchdog found hung: (tag, task serial, virtual ns, wall ms).
    pub(crate) hung: Mutex<Vec<(u32, u32, u64, u64)>>,
    /// The current run's tag, and how many of its polls the watchdog reported hung.
    pub(crate) run: RunReports,
    pub(crate) watch: Watch,
    /// Task names, for the watchdog's reports (kept in traced runs only).
    pub(crate) names: Mutex<TaskNames>,
}

impl Inbox {
    /// Starts run `tag`: no poll under way, no watchdog until `watch_if_asked` arms it, no
    /// reports. (A poll id, task and time left from a former run are never read: the watchdog
    /// times a poll by its tag and id, and a poll writes the other two before it starts.)
    pub(crate) fn begin_run(&self, tag: u32) {
        let w = &self.watch;
        w.enabled.store(false, Ordering::Relaxed);
        w.limit_ms.store(0, Ordering::Relaxed);
        w.in_poll.store(false, Ordering::Relaxed);
        self.run.begin(tag);
    }
}

/// A run's tag (high half) and the count of its polls reported hung (low half), in one word:
/// the watchdog counts a report only if the word still names the run the report is about,
/// in one compare-and-swap, so a run that begins meanwhile starts from zero whatever the
/// timing.
#[derive(Debug, Default)]
pub(crate) struct RunReports(AtomicU64);

impl RunReports {
    fn begin(&self, tag: u32) {
        self.0.store((tag as u64) << 32, Ordering::Release);
    }

    /// The current run's tag.
    pub(crate) fn tag(&self) -> u32 {
        (self.0.load(Ordering::Acquire) >> 32) as u32
    }

    /// Counts one report for run `tag`, unless another run has begun.
    pub(crate) fn count_for(&self, tag: u32) {
        // (Refused when the word names another run: that run has nothing to count.)
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| ((word >> 32) as u32 == tag).then_some(word + 1));
    }

    /// The reports counted for run `tag`.
    pub(crate) fn hung_polls(&self, tag: u32) -> usize {
        let word = self.0.load(Ordering::Acquire);
        if (word >> 32) as u32 == tag { word as u32 as usize } else { 0 }
    }
}

/// How many tags a recycled simulation takes at a time: its next runs' tags are then its own
/// to hand out, with no lock (a fuzz campaign recycles one simulation per execution).
const TAG_BLOCK: u32 = 1024;

/// A live simulation's entry: the tags it may hand out (the current run's and those after
/// it), and its inbox.
struct Entry {
    tags: Range<u32>,
    /// The thread it runs on (a simulation never leaves the thread that made it).
    thread: ThreadId,
    inbox: Arc<Inbox>,
}

/// The live simulations and the next tag to hand out.
struct Registry {
    /// A list: it holds one entry per simulation alive (or kept for reuse) in the process, a
    /// handful per thread.
    sims: Vec<Entry>,
    /// The tag after the last one handed out.
    next: u32,
}

impl Registry {
    /// `len` consecutive tags that no live simulation may hand out, none of them 0 or
    /// `u32::MAX` (see `waker`). Tags count up and, after 4,294,967,294 (under an hour of
    /// fuzzing on one core), start again at 1, skipping the blocks still in use (a scan of the
    /// few live entries, under the lock the caller holds anyway).
    fn next_tags(&mut self, len: u32) -> Range<u32> {
        loop {
            let start = self.next;
            if start == 0 || start > u32::MAX - len {
                self.next = 1;
                continue;
            }
            let tags = start..start + len;
            match self.sims.iter().find(|e| e.tags.start < tags.end && tags.start < e.tags.end) {
                Some(live) => self.next = live.tags.end,
                None => {
                    self.next = tags.end;
                    return tags;
                }
            }
        }
    }

    fn entry_of(&mut self, tag: u32) -> Option<&mut Entry> {
        self.sims.iter_mut().find(|e| e.tags.contains(&tag))
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

/// Counts a wake that reached no live run: its simulation is gone, or has moved on to another
/// run (a recycled one's drain finds it).
pub(crate) fn count_orphan_wake() {
    ORPHAN_WAKES.fetch_add(1, Ordering::Relaxed);
}

/// Registers a new simulation and returns its tag, which no other live simulation has (see
/// `Registry::next_tags`); the tags it may hand out itself end at the second number.
pub(crate) fn register(inbox: Arc<Inbox>) -> (u32, u32) {
    let mut registry = registry();
    let tags = registry.next_tags(1);
    inbox.begin_run(tags.start);
    registry.sims.push(Entry { tags: tags.clone(), thread: std::thread::current().id(), inbox });
    (tags.start, tags.end)
}

/// Gives a recycled simulation its next run's tag, from the tags it holds (below `tags_end`),
/// or from a new block of them when it has none left: the old tag then reaches nothing of
/// the new run. Its inbox is not emptied: what was sent to a former run is dropped by the
/// drain, whenever it arrives.
#[inline]
pub(crate) fn rekey(tag: &mut u32, tags_end: &mut u32, inbox: &Inbox) {
    if tag.wrapping_add(1) < *tags_end {
        *tag += 1;
    } else {
        (*tag, *tags_end) = take_tag_block(*tag);
    }
    inbox.begin_run(*tag);
}

/// A new block of tags for the simulation that holds `tag`: (its first, its end).
#[cold]
#[inline(never)]
fn take_tag_block(tag: u32) -> (u32, u32) {
    let mut registry = registry();
    let tags = registry.next_tags(TAG_BLOCK);
    // (Only a live simulation is recycled, and only its drop unregisters it.)
    registry.entry_of(tag).expect("fwsim: a recycled simulation is registered").tags = tags.clone();
    (tags.start, tags.end)
}

pub(crate) fn unregister(tag: u32) {
    let sims = &mut registry().sims;
    if let Some(i) = sims.iter().position(|e| e.tags.contains(&tag)) {
        sims.swap_remove(i);
    }
}

/// A wake of `(tag, slot, generation)` from a thread where that simulation is not current.
pub(crate) fn foreign_wake(tag: u32, slot: u32, generation: u32) {
    let inbox = registry().entry_of(tag).map(|e| e.inbox.clone());
    match inbox {
        Some(inbox) => {
            inbox.foreign_wakes.lock().unwrap_or_else(|e| e.into_inner()).push((tag, slot, generation));
            inbox.dirty.store(true, Ordering::Release);
        }
        None => count_orphan_wake(),
    }
}

/// The live simulations: (the start of their tags, their thread, their inbox).
pub(crate) fn live() -> Vec<(u32, ThreadId, Arc<Inbox>)> {
    registry().sims.iter().map(|e| (e.tags.start, e.thread, e.inbox.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_live(next: u32, live: &[Range<u32>]) -> Registry {
        let thread = std::thread::current().id();
        let sims = live.iter().map(|tags| Entry { tags: tags.clone(), thread, inbox: Arc::default() }).collect();
        Registry { sims, next }
    }

    #[test]
    fn blocks_of_tags_skip_live_ones_and_wrap_before_the_reserved_tags() {
        let mut r = with_live(10, &[12..13, 14..1038]);
        assert_eq!(r.next_tags(1), 10..11);
        assert_eq!(r.next_tags(2), 1038..1040, "11..13 overlaps the live tag 12, 13..15 the live block");
        r.next = u32::MAX - 1;
        assert_eq!(r.next_tags(1), u32::MAX - 1..u32::MAX, "the last tag below u32::MAX");
        assert_eq!(r.next_tags(1), 1..2, "then 1 (never u32::MAX or 0)");
        r.next = u32::MAX - 1000;
        assert_eq!(
            r.next_tags(TAG_BLOCK),
            1038..1038 + TAG_BLOCK,
            "a block that would reach u32::MAX starts again at 1, past the live ones"
        );
        r.next = 0;
        assert_eq!(r.next_tags(2), 1..3, "never 0");
    }

    #[test]
    fn hung_polls_are_counted_for_the_run_they_hung_in_only() {
        let run = RunReports::default();
        run.begin(7);
        run.count_for(7);
        run.count_for(7);
        assert_eq!(run.hung_polls(7), 2);
        assert_eq!(run.hung_polls(8), 0, "another run's count is not this one's");
        run.begin(8);
        run.count_for(7);
        assert_eq!(run.hung_polls(8), 0, "a report of the former run counts nothing");
        run.count_for(8);
        assert_eq!(run.hung_polls(8), 1);
    }
}
