//! MicroPython asyncio V3's task queue.

use std::collections::{BTreeMap, BTreeSet};

use super::{Cause, Order, OrderCx, RunOrder, Runnable, Wake};

/// Where a task enters the queue: the key (µs) and the push sequence, compared in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ReadyKey {
    key_us: u64,
    seq: u64,
}

/// MicroPython asyncio V3's order: one queue ordered by `(key, push sequence)`.
///
/// Keys are microseconds: "now" for a spawn or a wake, the deadline for a sleeper, so after a
/// blocking section tasks run in the order they became due, ties in push order. A timer wake's
/// key is the deadline with the sequence of the request for it (as each asyncio sleep pushes
/// its key when it is asked for). A task woken while already queued keeps its earlier entry;
/// the later wake's place is remembered, and if the task wakes itself during its next poll it
/// resumes there rather than at the tail (in asyncio that wake would have queued another task,
/// such as a `wait_for`'s awaitable, whose turn the self-wake stands for). Interrupt wakes, and
/// wakes a task makes through [`wake_from_io`](crate::wake_from_io) (a `ThreadSafeFlag` it
/// sets), join at the next loop step with key = now, in the order their tasks began to wait:
/// asyncio delivers both through its IO poll, which runs before each task is popped.
///
/// A timer that its task stopped awaiting (a `wait_for` that completed early drops its
/// sleep) is cancelled in asyncio, while embassy's timer queue keeps it until its deadline and
/// then wakes the task spuriously. Such a wake must not give the task a sleeper's early place
/// at the old deadline (a real wake at that instant would merge into it). A live timer is
/// asked for again at every poll of its task (fwsim-primitives' `wait_for` skips one poll, to
/// keep asyncio's key), so a timer wake whose deadline was last asked for before the task's
/// last two polls belongs to a dropped timer, and is queued as a plain wake, at the tail. A
/// timer that falls due while its own task is running (a busy section after a `wait_for`
/// completed early) cannot be a sleep that task awaits: its wake joins the queue when the
/// poll ends, with key = now, like an interrupt wake.
/// `CONFORMANCE.md` describes how all this is checked against the real interpreter.
///
/// Rows of the conformance table that have no Rust meaning: the exception handler and
/// "Task exception wasn't retrieved" (a Rust task returns a value or panics, and fwsim reports
/// a panic at once, with the task's name); `OverflowError` on `sleep_ms(2**29)` (embassy
/// durations are u64 ticks); tasks surviving `asyncio.run` (a [`Sim`](crate::Sim) keeps its
/// tasks between `run_*` calls, which is the same thing).
#[derive(Debug, Default)]
pub struct MicroPython {
    /// asyncio's pairing heap pops the minimum `(key, push sequence)`: an ordered set does too.
    queue: BTreeSet<(ReadyKey, Runnable)>,
    /// The place of a wake that came while the task was already queued (see the type docs).
    held: BTreeMap<Runnable, ReadyKey>,
    /// Interrupt wakes, which asyncio notices at its next loop step.
    deferred: Vec<Runnable>,
    /// Each task's last two polls (type [`Polls`]).
    polls: BTreeMap<Runnable, Polls>,
    /// The sequence number at the last `prepare`, for the task `take` hands out.
    prepared_at: u64,
    /// Polls handed out so far.
    poll_count: u64,
}

/// What the order remembers of a task's polls.
#[derive(Clone, Copy, Debug, Default)]
struct Polls {
    /// The sequence number when the earlier of its last two polls began: a timer last asked
    /// for before it is no longer awaited.
    earlier_start: u64,
    /// The sequence number when its latest poll began.
    latest_start: u64,
    /// The latest poll's number: a waiting task's latest poll is the one that began its wait.
    latest: u64,
}

impl MicroPython {
    fn now_key(cx: &mut OrderCx<'_>) -> ReadyKey {
        ReadyKey { key_us: cx.now / 1_000, seq: cx.next_seq() }
    }

    fn key_of(&self, task: Runnable, wake: Wake, cx: &mut OrderCx<'_>) -> ReadyKey {
        match wake.cause {
            // asyncio orders a sleeper by the sleep being awaited: its latest request…
            Cause::Timer { deadline, requested, renewed } if self.still_awaited(task, renewed) => {
                ReadyKey { key_us: deadline.as_nanos() / 1_000, seq: requested }
            }
            // …and a timer nobody awaits any more is only a spurious wake (type docs).
            _ => Self::now_key(cx),
        }
    }

    /// Whether a timer last asked for at `renewed` was asked for during one of the task's last
    /// two polls, or since (type docs).
    fn still_awaited(&self, task: Runnable, renewed: u64) -> bool {
        self.polls.get(&task).is_none_or(|p| renewed > p.earlier_start)
    }
}

impl RunOrder for MicroPython {
    fn push(&mut self, task: Runnable, wake: Wake, cx: &mut OrderCx<'_>) {
        let timer_while_running = wake.running && matches!(wake.cause, Cause::Timer { .. });
        if matches!(wake.cause, Cause::Interrupt | Cause::Io) || timer_while_running {
            return self.deferred.push(task);
        }
        // A self-wake resumes at the place of a wake coalesced while queued (type docs).
        let held = if wake.running { self.held.remove(&task) } else { None };
        let key = match held {
            Some(k) => k,
            None => self.key_of(task, wake, cx),
        };
        self.queue.insert((key, task));
    }

    fn wake_while_queued(&mut self, task: Runnable, wake: Wake, cx: &mut OrderCx<'_>) {
        // A timer nobody awaits is no wake at all in asyncio: it holds no place.
        let dropped_timer = matches!(wake.cause, Cause::Timer { renewed, .. } if !self.still_awaited(task, renewed));
        if !wake.running && !dropped_timer && !self.held.contains_key(&task) {
            let key = self.key_of(task, wake, cx);
            self.held.insert(task, key);
        }
    }

    fn prepare(&mut self, cx: &mut OrderCx<'_>) -> usize {
        // asyncio's IO poll reports ready streams in the order their tasks began to wait
        // (`select.poll` keeps registration order): a waiting task's latest poll is the one
        // that began the wait.
        let mut deferred = std::mem::take(&mut self.deferred);
        deferred.sort_by_key(|task| self.polls.get(task).map_or(0, |p| p.latest));
        for task in deferred {
            let key = Self::now_key(cx);
            self.queue.insert((key, task));
        }
        self.prepared_at = *cx.seq;
        self.queue.len()
    }

    fn candidate(&self, i: usize) -> Runnable {
        self.queue.iter().nth(i).expect("in range").1
    }

    fn take(&mut self, i: usize) -> Runnable {
        let item = if i == 0 {
            self.queue.pop_first()
        } else {
            let k = *self.queue.iter().nth(i).expect("in range");
            self.queue.take(&k)
        };
        let task = item.expect("in range").1;
        self.poll_count += 1;
        let p = self.polls.entry(task).or_default();
        *p = Polls { earlier_start: p.latest_start, latest_start: self.prepared_at, latest: self.poll_count };
        task
    }

    fn poll_ended(&mut self, task: Runnable) {
        if !self.held.is_empty() {
            self.held.remove(&task);
        }
    }

    fn finished(&mut self, task: Runnable) {
        // A task aborted while queued never ends a poll: its held place goes here, not to
        // whichever task gets the slot next.
        if !self.held.is_empty() {
            self.held.remove(&task);
        }
        self.polls.remove(&task);
    }

    fn built_in(&self) -> Option<Order> {
        Some(Order::MicroPython)
    }
}
