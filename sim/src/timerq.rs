//! Timer queues, exactly as embassy's time drivers keep them.
//!
//! A board's time driver owns the timer queue (embassy-time-queue-utils 0.3). Two layouts exist
//! and firmware can observe the difference, so fwsim models both:
//!
//! * [`IntegratedTimerQueue`] (the default, `embassy_time_queue_utils::Queue` on embassy-executor):
//!   **one item per task**. A task is queued at most once, with its earliest deadline: an
//!   earlier request updates the item *in place* (keeping its place in the list), a later one
//!   is ignored. Items leave the queue only when they expire, so a dropped `Timer` still wakes
//!   its task at the old deadline (a spurious wake). The list is head-inserted and walked from
//!   the head, so expired items are woken in **descending insertion order**.
//! * [`GenericTimerQueue`] (`generic-queue-N` features): a fixed-capacity vector of
//!   `(deadline, Waker)`, deduplicated with `Waker::will_wake`, expired with a `swap_remove`
//!   scan; on overflow the last element is popped and woken early.
//!
//! The integrated queue is stored as a slot per task plus a bucket of `(insertion sequence,
//! slot)` entries per deadline (a hash map), with a min-heap of the deadlines that have a
//! bucket, and lazy deletion (an entry whose slot moved or expired is dropped when its bucket
//! comes up). Firmware timers cluster on few instants (periods in whole milliseconds), so one
//! heap operation serves a whole instant: arming a timer is a hash lookup and a push, and
//! expiring `k` timers due at `d` distinct instants costs `O(d log d + k)` instead of
//! embassy's `O(n)` list walk, or a heap of timers' `O(k log n)` (that heap, used before,
//! spent about 230 instructions per expiry on W2; a B-tree of buckets about 100 per arming),
//! while producing the same wakes in the same order.
//! `tests/timer_queue_differential.rs` checks that claim against the
//! real `embassy_time_queue_utils` queues on random operation sequences.

use core::task::Waker;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for deadlines: one multiplication (Fibonacci hashing). The keys are tick counts,
/// not attacker-controlled, and the map is never iterated.
#[derive(Default)]
struct DeadlineHasher(u64);

impl Hasher for DeadlineHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    deadline: u64,
    insert_seq: u64,
    /// The sequence of the latest request that set or confirmed the deadline: MicroPython
    /// orders a timer wake by the push of the sleep being awaited, not by the first request of
    /// a slot that a dropped timer left queued.
    latest_seq: u64,
    /// The sequence of the last call that set or confirmed the deadline itself: a live timer
    /// renews it at every poll of its task, so an older one means the timer was dropped.
    renewed_seq: u64,
    /// The earliest request that came while an earlier deadline was queued (embassy ignores
    /// it): `(deadline, sequence)`. When the slot is re-armed for that deadline after the
    /// earlier one expired (a spurious wake, if a dropped timer left it), MicroPython's key
    /// is that request's: its sleep was pushed then.
    ignored: Option<(u64, u64)>,
    queued: bool,
}

/// An expired item: its slot, deadline, insertion sequence (embassy's wake order) and latest
/// request sequence (MicroPython's key order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expired {
    /// The task slot.
    pub slot: u32,
    /// The deadline, ticks.
    pub deadline: u64,
    /// When the item entered the queue.
    pub insert_seq: u64,
    /// When the deadline was last requested.
    pub latest_seq: u64,
    /// When the deadline was last asked for by a call (not inherited from an ignored one).
    pub renewed_seq: u64,
}

/// Bits of an entry's insertion sequence (sequences wrap after 2^40 insertions: hours of
/// events) and of its slot.
const SEQ_BITS: u32 = 40;
const SLOT_BITS: u32 = 24;

/// A bucket entry: `insertion sequence (40 bits) | slot (24 bits)`. It is live while its slot
/// is queued with the bucket's deadline and exactly that insertion sequence; an in-place
/// update or an expiry makes it stale.
fn entry(insert_seq: u64, slot: u32) -> u64 {
    debug_assert!(slot < 1 << SLOT_BITS);
    (insert_seq & ((1 << SEQ_BITS) - 1)) << SLOT_BITS | slot as u64
}

fn entry_slot(e: u64) -> u32 {
    (e as u32) & ((1 << SLOT_BITS) - 1)
}

fn entry_seq(e: u64) -> u64 {
    e >> SLOT_BITS
}

/// Embassy's integrated timer queue: one item per task, earliest deadline wins.
///
/// Slots are task indices chosen by the caller; insertion sequence numbers come from the
/// caller too (the simulator uses its global push sequence, so that the MicroPython policy can
/// order timer wakes against other wakes).
#[derive(Debug, Default)]
pub struct IntegratedTimerQueue {
    slots: Vec<Slot>,
    /// Deadline → entries, in insertion order. Looked up, never iterated (its order would not
    /// be deterministic): `deadlines` orders the buckets.
    buckets: HashMap<u64, Vec<u64>, BuildHasherDefault<DeadlineHasher>>,
    /// The deadlines that have a bucket, earliest first.
    deadlines: BinaryHeap<Reverse<u64>>,
    /// Emptied buckets, kept for reuse: an instant's bucket costs no allocation.
    spare: Vec<Vec<u64>>,
    /// Slots queued with the deadline `u64::MAX` ("never"); embassy drops them at the next walk.
    never: Vec<u32>,
}

impl IntegratedTimerQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the queue, keeping its allocations for the next simulation. (`#[inline]`: it
    /// runs once per recycled execution, and out of line it is a call whose prologue costs more
    /// than its usual work, four empty tables.)
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        // (Draining an empty map still walks its table.)
        if !self.buckets.is_empty() {
            for (_, mut bucket) in self.buckets.drain() {
                bucket.clear();
                self.spare.push(bucket);
            }
        }
        self.deadlines.clear();
        self.never.clear();
    }

    fn slot_mut(&mut self, slot: u32) -> &mut Slot {
        let i = slot as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, Slot::default());
        }
        &mut self.slots[i]
    }

    /// Tells the queue that `slot`'s task no longer awaits a wake at `at` (ticks): the slot
    /// stays queued (a wake it does not need is harmless, a lost one is not), but its expiry
    /// reports the deadline as not renewed, as a dropped timer's is. A later request for the
    /// same deadline renews it.
    pub fn withdraw(&mut self, slot: u32, at: u64) {
        if let Some(s) = self.slots.get_mut(slot as usize)
            && s.queued
            && s.deadline == at
        {
            s.renewed_seq = 0;
        }
    }

    /// Asks for `slot` to be woken at `at` (ticks); `seq` is the insertion sequence to use if
    /// the slot is not queued yet. Returns `true` when embassy's queue would return `true`
    /// ("recompute the alarm"): the item was inserted or moved earlier (or to the same time).
    pub fn schedule_wake(&mut self, slot: u32, at: u64, seq: u64) -> bool {
        let s = self.slot_mut(slot);
        if s.queued {
            if at > s.deadline {
                if s.ignored.is_none_or(|(d, _)| at < d) {
                    s.ignored = Some((at, seq));
                }
                return false;
            }
            let unchanged = at == s.deadline;
            s.deadline = at;
            s.latest_seq = seq;
            s.renewed_seq = seq;
            if unchanged {
                return true; // its entry is in that bucket already
            }
        } else {
            s.queued = true;
            s.deadline = at;
            s.insert_seq = seq;
            s.renewed_seq = seq;
            s.latest_seq = match s.ignored.take() {
                Some((d, earlier)) if d == at => earlier,
                _ => seq,
            };
        }
        let e = entry(s.insert_seq, slot);
        if at == u64::MAX {
            self.never.push(slot);
        } else {
            let (spare, deadlines) = (&mut self.spare, &mut self.deadlines);
            self.buckets
                .entry(at)
                .or_insert_with(|| {
                    deadlines.push(Reverse(at));
                    spare.pop().unwrap_or_default()
                })
                .push(e);
        }
        true
    }

    /// Removes `slot` from the queue without waking it (its task is gone).
    pub fn remove(&mut self, slot: u32) {
        if let Some(s) = self.slots.get_mut(slot as usize)
            && s.queued
        {
            s.queued = false;
        }
    }

    /// Whether `slot` currently holds a queued deadline, and which.
    pub fn deadline_of(&self, slot: u32) -> Option<u64> {
        self.slots.get(slot as usize).filter(|s| s.queued).map(|s| s.deadline)
    }

    fn is_live(&self, deadline: u64, e: u64) -> bool {
        let s = &self.slots[entry_slot(e) as usize];
        s.queued && s.deadline == deadline && s.insert_seq & ((1 << SEQ_BITS) - 1) == entry_seq(e)
    }

    /// Whether the queue holds no entry at all (live or stale): a cheap "nothing to expire".
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The earliest live deadline, discarding buckets that hold only stale entries.
    pub fn next_deadline(&mut self) -> Option<u64> {
        while let Some(&Reverse(deadline)) = self.deadlines.peek() {
            if self.buckets[&deadline].iter().any(|&e| self.is_live(deadline, e)) {
                return Some(deadline);
            }
            self.deadlines.pop();
            self.recycle(deadline);
        }
        None
    }

    fn recycle(&mut self, deadline: u64) {
        if let Some(mut bucket) = self.buckets.remove(&deadline) {
            bucket.clear();
            self.spare.push(bucket);
        }
    }

    /// Dequeues every item with `deadline <= now`, appending it to `expired` in the order
    /// embassy wakes them (descending insertion), drops "never" items, and returns the next
    /// alarm (`u64::MAX` when none).
    pub fn next_expiration(&mut self, now: u64, expired: &mut Vec<Expired>) -> u64 {
        let start = expired.len();
        while let Some(&Reverse(deadline)) = self.deadlines.peek() {
            if deadline > now {
                break;
            }
            self.deadlines.pop();
            let mut bucket = self.buckets.remove(&deadline).expect("a bucket per deadline");
            for &e in &bucket {
                if !self.is_live(deadline, e) {
                    continue;
                }
                let s = &mut self.slots[entry_slot(e) as usize];
                s.queued = false;
                expired.push(Expired {
                    slot: entry_slot(e),
                    deadline,
                    insert_seq: s.insert_seq,
                    latest_seq: s.latest_seq,
                    renewed_seq: s.renewed_seq,
                });
            }
            bucket.clear();
            self.spare.push(bucket);
        }
        let due = &mut expired[start..];
        // A bucket is usually in insertion order already (an entry arrives out of order only
        // when an in-place update moves an older item into it): reversing is then enough.
        if due.is_sorted_by_key(|e| e.insert_seq) {
            due.reverse();
        } else {
            due.sort_unstable_by_key(|e| Reverse(e.insert_seq));
        }
        for slot in std::mem::take(&mut self.never) {
            let s = &mut self.slots[slot as usize];
            if s.queued && s.deadline == u64::MAX {
                s.queued = false;
            }
        }
        self.next_deadline().unwrap_or(u64::MAX)
    }
}

/// Embassy's `generic-queue-N` timer queue, element for element.
#[derive(Debug)]
pub struct GenericTimerQueue {
    items: Vec<(u64, Waker)>,
    capacity: usize,
}

impl GenericTimerQueue {
    /// A queue holding at most `capacity` timers (`usize::MAX`: unbounded).
    pub fn new(capacity: usize) -> Self {
        GenericTimerQueue { items: Vec::new(), capacity }
    }

    /// Embassy's `ConstGenericQueue::schedule_wake`. Wakers evicted by an overflow are appended
    /// to `wake_now`; the caller wakes them once it holds no borrow.
    pub fn schedule_wake(&mut self, at: u64, waker: &Waker, wake_now: &mut Vec<Waker>) -> bool {
        self.reschedule(at, waker).unwrap_or_else(|| {
            self.insert(at, waker.clone(), wake_now);
            true
        })
    }

    /// `schedule_wake` with a clone the caller made (fwsim clones its own wakers with no borrow
    /// held, so that the clone is counted). Returns the answer, and the clone if the queue
    /// already held this waker and did not need it, for the caller to drop.
    pub fn schedule_wake_owned(&mut self, at: u64, waker: Waker, wake_now: &mut Vec<Waker>) -> (bool, Option<Waker>) {
        match self.reschedule(at, &waker) {
            Some(changed) => (changed, Some(waker)),
            None => {
                self.insert(at, waker, wake_now);
                (true, None)
            }
        }
    }

    /// A timer already held for this waker (by `Waker::will_wake`) moves earlier, never later:
    /// whether it moved, or `None` if none is held.
    fn reschedule(&mut self, at: u64, waker: &Waker) -> Option<bool> {
        let t = self.items.iter_mut().find(|t| t.1.will_wake(waker))?;
        let earlier = t.0 > at;
        if earlier {
            t.0 = at;
        }
        Some(earlier)
    }

    /// A new timer; a full queue first evicts its last ones into `wake_now` (woken early).
    fn insert(&mut self, at: u64, waker: Waker, wake_now: &mut Vec<Waker>) {
        while self.items.len() >= self.capacity {
            let (_, evicted) = self.items.pop().expect("capacity is at least 1");
            wake_now.push(evicted);
        }
        self.items.push((at, waker));
    }

    /// Embassy's `next_expiration`: removes the expired timers (in its `swap_remove` order) into
    /// `expired` and returns the next alarm (`u64::MAX` when none).
    pub fn next_expiration(&mut self, now: u64, expired: &mut Vec<Waker>) -> u64 {
        let mut next = u64::MAX;
        let mut i = 0;
        while i < self.items.len() {
            if self.items[i].0 <= now {
                expired.push(self.items.swap_remove(i).1);
            } else {
                next = next.min(self.items[i].0);
                i += 1;
            }
        }
        next
    }

    /// The earliest deadline held.
    pub fn next_deadline(&self) -> Option<u64> {
        self.items.iter().map(|t| t.0).min()
    }

    /// Whether any timer is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The most timers it holds (`usize::MAX`: unbounded).
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Drops every timer (simulation teardown).
    pub fn clear(&mut self) -> Vec<(u64, Waker)> {
        std::mem::take(&mut self.items)
    }
}
