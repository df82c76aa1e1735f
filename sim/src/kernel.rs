//! The simulation core: task table, run queues, timers, events, the run loop.
//!
//! Re-entrancy is the rule here: a poll can call back into the core (wakes, timers, busy time,
//! spawns, interrupts), so no `RefCell` borrow is ever held across a call into user code —
//! futures are taken out of their slot while polled, interrupt handlers out of theirs while run,
//! and `Waker`s that are not ours are woken only after the borrow is released.
//!
//! Speed: the common configuration (one embassy-order executor, the default chooser, no trace,
//! no cost model, no poll spans, not strict) is *lean* (`Core::lean`). The loop step is
//! monomorphised for it (`poll_one::<true>`) and wakes take `wake_lean`: no trace records, no
//! choice bookkeeping beyond counting, no MicroPython keys. `lean_path_matches_general_path` in
//! `tests/determinism.rs` runs generated programs both ways and compares what they observe.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};

use crate::config::{Irq, SimConfig, TimerQueueKind};
use crate::context::EnterGuard;
use crate::diag::{Diagnostic, SimError, TaskReport, WaitReport, WaitState};
use crate::policy::{Chooser, Deviation, EmbassyStack, Order, ReadyKey, RunQueue};
use crate::registry::{self, Inbox};
use crate::time::{ns_to_ticks, ticks_to_ns};
use crate::timerq::{Expired, GenericTimerQueue, IntegratedTimerQueue};
use crate::trace::{Kind, Record, Recorder, TaskRef};
use crate::waker;
use crate::{JoinError, SimTime};

/// A spawned future, type-erased, with room for its output.
pub(crate) trait ErasedTask {
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
    /// Moves the output into `*out`, which must be an `Option<F::Output>`.
    ///
    /// # Safety
    /// `out` must point to a valid `Option<Output>` of this task's output type.
    unsafe fn take_output(self: Pin<&mut Self>, out: *mut ());
}

pub(crate) enum TaskCell<F: Future> {
    Running(F),
    Done(Option<F::Output>),
}

impl<F: Future> ErasedTask for TaskCell<F> {
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the future is never moved out; it is dropped in place when replaced by Done.
        let this = unsafe { self.get_unchecked_mut() };
        let out = match this {
            TaskCell::Running(f) => match unsafe { Pin::new_unchecked(f) }.poll(cx) {
                Poll::Ready(v) => v,
                Poll::Pending => return Poll::Pending,
            },
            TaskCell::Done(_) => return Poll::Ready(()),
        };
        *this = TaskCell::Done(Some(out));
        Poll::Ready(())
    }

    unsafe fn take_output(self: Pin<&mut Self>, out: *mut ()) {
        // SAFETY: Done holds no pinned data; the caller guarantees the type of `out`.
        let this = unsafe { self.get_unchecked_mut() };
        if let TaskCell::Done(v) = this {
            unsafe { *(out as *mut Option<F::Output>) = v.take() };
        }
    }
}

pub(crate) type TaskBox = Pin<Box<dyn ErasedTask>>;
pub(crate) type IsrFn = Box<dyn FnOnce()>;

// Task flags.
const OCCUPIED: u8 = 1;
const QUEUED: u8 = 2;
const RUNNING: u8 = 4;
const DONE: u8 = 8;
const ABORT: u8 = 16;
const DETACHED: u8 = 32;
const TAKEN: u8 = 64;
const LOST: u8 = 128;

struct TaskMeta {
    generation: u32,
    serial: u32,
    flags: u8,
    exec: u8,
    /// Live clones of this task's waker (made on this thread), and clones made since its last
    /// poll began.
    clones: CloneCounts,
    /// The task's future, in its box in `Shared::futures`: cached so that a poll need not
    /// borrow that table. Set at spawn; the box stays put until the task is DONE (see
    /// `poll_one`), and a DONE task is never polled.
    future: Option<NonNull<dyn ErasedTask>>,
}

/// A task's waker clone counts, packed in one word: live clones (low half) and clones made
/// since the last poll began (high half). One word, always read and written whole: a clone's
/// increment of both must not load what a wake or a poll just stored as a half, which the CPU
/// cannot forward from its store buffer (a stall on every ping-pong round trip).
#[derive(Clone, Copy, Default)]
struct CloneCounts(u64);

impl CloneCounts {
    const SINCE_POLL: u64 = 1 << 32;
    #[inline(always)]
    fn live(self) -> u32 {
        self.0 as u32
    }
    #[inline(always)]
    fn since_poll(self) -> u32 {
        (self.0 >> 32) as u32
    }
    /// `n` clones were made.
    #[inline(always)]
    fn add(&mut self, n: u32) {
        self.0 = self.0.wrapping_add(n as u64 * (1 + Self::SINCE_POLL));
    }
    /// A clone was dropped or consumed by a wake.
    #[inline(always)]
    fn release(&mut self) {
        if self.live() > 0 {
            self.0 -= 1;
        }
    }
    #[inline(always)]
    fn poll_begins(&mut self) {
        self.0 &= u32::MAX as u64;
    }
}

impl TaskMeta {
    fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }
}

/// What the loop should do next.
enum Due {
    Alarm,
    Isr { irq: Irq, idx: u32 },
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct IsrEvent {
    at: u64,
    rank: u32,
    seq: u64,
    idx: u32,
    irq: Irq,
}

/// Everything mutable about a simulation except the futures and interrupt closures.
pub(crate) struct Core {
    pub(crate) now: u64,
    pub(crate) running: Option<u32>,
    seq: u64,
    tasks: Vec<TaskMeta>,
    free: Vec<u32>,
    next_serial: u32,
    live: usize,
    executors: Vec<RunQueue>,
    chooser: Chooser,
    choice_no: u64,
    deviations: Vec<Deviation>,
    choice_ids: Vec<u32>,
    timers: IntegratedTimerQueue,
    generic: Option<GenericTimerQueue>,
    /// Per-waker fallback for timers polled under foreign wakers.
    foreign: GenericTimerQueue,
    expired: Vec<Expired>,
    events: BinaryHeap<Reverse<IsrEvent>>,
    isr_stack: Vec<Irq>,
    timer_context: bool,
    /// MicroPython: interrupt wakes wait for the next loop step.
    deferred: Vec<u32>,
    /// MicroPython order, per task slot: the place of a wake that came while the task was
    /// already queued. If the task then wakes itself during its next poll, it goes back there
    /// rather than to the tail: in asyncio that wake would have queued another task (say, the
    /// awaitable of a `wait_for`) at that place, and the self-wake stands for that task's turn.
    /// (A side table: rare, and it keeps `TaskMeta` small.)
    held_keys: BTreeMap<u32, ReadyKey>,
    /// Task names, per slot: only labels read them (a table apart from `tasks`, whose
    /// entries stay small for the hot paths).
    names: Vec<Cow<'static, str>>,
    /// The waker of whoever awaits a task's join handle, per slot (a side table).
    joiners: BTreeMap<u32, Waker>,
    /// How finished tasks failed, per slot, until their join handle takes it (a side table:
    /// rare, and it keeps `TaskMeta` small).
    errors: BTreeMap<u32, JoinError>,
    /// Interrupts raised inside a critical section, run when it ends.
    pub(crate) pending_irqs: Vec<(Irq, u32)>,
    pub(crate) trace: Recorder,
    pub(crate) diags: Vec<Diagnostic>,
    strict: bool,
    strict_stop: Option<Diagnostic>,
    // Per-poll state.
    now_reads: u32,
    spin_from: Option<u64>,
    wakes_in_poll: u64,
    poll_id: u64,
    /// No event is due before this time (a lower bound, exact after each `next_due`): lets the
    /// loop skip the event check between polls.
    due_hint: u64,
    // Same-instant loop detection: polls since the clock last moved (`set_now` resets it),
    // and the last polls' tasks, recorded only when the count nears the limit.
    instant_polls: u64,
    recent: [u32; RECENT],
    recent_head: usize,
    /// The common configuration, for which the loop and wakes take their lean paths: one
    /// executor in embassy order, the default chooser, no trace, no poll spans, no cost
    /// model, not strict.
    lean: bool,
}

/// How many of the last polls a same-instant loop report names.
const RECENT: usize = 8;

/// A lean simulation's one run queue.
#[inline(always)]
fn lean_queue(executors: &mut [RunQueue]) -> &mut EmbassyStack {
    match &mut executors[0] {
        RunQueue::Embassy(q) => q,
        _ => unreachable!("fwsim: a lean simulation runs one embassy-order executor"),
    }
}

/// A simulation's state, shared by the `Sim`, its join handles and the thread-local pointer.
pub(crate) struct Shared {
    pub(crate) tag: u16,
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) core: RefCell<Core>,
    futures: RefCell<Vec<Option<TaskBox>>>,
    isr_fns: RefCell<Vec<Option<IsrFn>>>,
    isr_free: RefCell<Vec<u32>>,
    pub(crate) arena: RefCell<Vec<Box<dyn Erased>>>,
    pub(crate) torn_down: Cell<bool>,
    pub(crate) in_run: Cell<bool>,
    /// The slot `Stop::TaskDone` waits for, and whether it has finished.
    awaited: Cell<Option<u32>>,
    awaited_done: Cell<bool>,
    pub(crate) config: SimConfig,
    /// Derived from `config` once, for the per-poll path: whether polls cost time, and the
    /// same-instant poll limit.
    has_cost: bool,
    poll_limit: u64,
    /// From this many polls at one instant on, polls are remembered for the report.
    recent_from: u64,
    /// The waker word of the task being polled (`NOT_POLLING` between polls), and the clones
    /// of it made during the poll that its `TaskMeta` does not count yet. Most clones are a
    /// task registering its own waker while it runs: `waker::clone` then only bumps this
    /// count, with no borrow and no slot lookup. The count moves to the task when the poll
    /// ends, or earlier when a clone is dropped or woken by value (`settle_poll_clones`).
    pub(crate) polling: Cell<usize>,
    pub(crate) poll_clones: Cell<u32>,
}

/// `Shared::polling` between polls: no waker has this word (tags stop below `u16::MAX`).
pub(crate) const NOT_POLLING: usize = usize::MAX;

/// Anything, for the per-simulation arena.
pub(crate) trait Erased {}
impl<T: ?Sized> Erased for T {}

/// How a run loop ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RunEnd {
    Stalled,
    Quiescent,
    LimitReached,
    Stopped,
}

/// When to stop the loop early.
pub(crate) enum Stop<'a> {
    /// Only at the limit, or when nothing can happen.
    Never,
    /// When this condition holds (checked after every poll).
    When(&'a mut dyn FnMut() -> bool),
    /// When this task finishes (a flag set by `complete`: nothing to evaluate per poll).
    TaskDone(TaskKey),
}

/// What one step of the loop did. (Fieldless, so that the loop tests it with one compare.)
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Polled a task (or dropped an aborted one).
    Polled,
    /// Polled a task, and the same-instant poll limit is reached.
    PolledOverLimit,
    /// An event is due: deliver it before polling anything.
    EventsDue,
    /// Nothing is runnable and nothing is due.
    Idle,
}

/// How far the loop may go.
pub(crate) struct RunSpec<'a> {
    pub(crate) advance: bool,
    pub(crate) limit: Option<u64>,
    pub(crate) stop: Stop<'a>,
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

impl Core {
    fn new(cfg: &SimConfig) -> std::io::Result<Self> {
        let order = cfg.policy.order();
        Ok(Core {
            now: cfg.start.as_nanos(),
            seq: 0,
            tasks: Vec::new(),
            free: Vec::new(),
            next_serial: 0,
            live: 0,
            executors: vec![RunQueue::new(order)],
            chooser: Chooser::new(&cfg.policy, cfg.pct_horizon),
            choice_no: 0,
            deviations: Vec::new(),
            choice_ids: Vec::new(),
            timers: IntegratedTimerQueue::new(),
            generic: match cfg.timer_queue {
                TimerQueueKind::Integrated => None,
                TimerQueueKind::Generic(n) => Some(GenericTimerQueue::new(n.max(1))),
            },
            foreign: GenericTimerQueue::new(usize::MAX),
            expired: Vec::new(),
            events: BinaryHeap::new(),
            running: None,
            isr_stack: Vec::new(),
            timer_context: false,
            deferred: Vec::new(),
            held_keys: BTreeMap::new(),
            names: Vec::new(),
            joiners: BTreeMap::new(),
            errors: BTreeMap::new(),
            pending_irqs: Vec::new(),
            trace: Recorder::new(&cfg.trace)?,
            diags: Vec::new(),
            strict: cfg.strict,
            strict_stop: None,
            now_reads: 0,
            spin_from: None,
            wakes_in_poll: 0,
            poll_id: 0,
            due_hint: 0,
            instant_polls: 0,
            recent: [u32::MAX; RECENT],
            recent_head: 0,
            lean: false,
        })
    }

    /// Moves the clock (never backwards: callers check), which starts a new instant.
    #[inline]
    fn set_now(&mut self, t: u64) {
        self.now = t;
        self.instant_polls = 0;
    }

    #[inline]
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    #[inline]
    fn rec(&mut self, kind: Kind, task: u32, source: u32, arg: u64) {
        if self.trace.enabled {
            self.trace.record(Record { at: self.now, arg, task, source, kind });
        }
    }

    pub(crate) fn serial_of(&self, slot: u32) -> u32 {
        self.tasks[slot as usize].serial
    }

    pub(crate) fn running_label(&self) -> String {
        self.running.map_or_else(|| "-".to_owned(), |r| self.label(r))
    }

    pub(crate) fn label(&self, slot: u32) -> String {
        let t = &self.tasks[slot as usize];
        format!("{}#{}", self.names[slot as usize], t.serial)
    }

    /// Who is acting right now: an interrupt, the alarm, the running task, or the outside.
    #[inline]
    pub(crate) fn source(&self) -> TaskRef {
        if let Some(irq) = self.isr_stack.last() {
            TaskRef::Interrupt(irq.number)
        } else if self.timer_context {
            TaskRef::Timer
        } else if let Some(r) = self.running {
            TaskRef::Task(self.serial_of(r))
        } else {
            TaskRef::Outside
        }
    }

    fn source_label(&self) -> String {
        match self.source() {
            TaskRef::Task(_) => self.label(self.running.expect("running")),
            TaskRef::Timer => "the timer alarm".into(),
            TaskRef::Interrupt(n) => format!("interrupt {n}"),
            TaskRef::Outside => "code outside the tasks".into(),
        }
    }

    /// Records a diagnostic; in strict mode the first one also stops the run.
    pub(crate) fn report(&mut self, d: Diagnostic) {
        let idx = self.diags.len() as u64;
        let source = self.source().encode();
        self.rec(Kind::Diagnostic, source, source, idx);
        if self.strict && self.strict_stop.is_none() {
            self.strict_stop = Some(d.clone());
        }
        self.diags.push(d);
    }

    fn alloc_task(&mut self, name: Cow<'static, str>, exec: u8) -> (u32, u32) {
        let serial = self.next_serial;
        self.next_serial += 1;
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                let s = self.tasks.len() as u32;
                assert!(s <= waker::SLOT_MASK, "fwsim: more than 16.7 M tasks alive at once");
                self.tasks.push(TaskMeta {
                    generation: 0,
                    serial: 0,
                    flags: 0,
                    exec: 0,
                    clones: CloneCounts::default(),
                    future: None,
                });
                self.names.push(Cow::Borrowed(""));
                s
            }
        };
        if self.trace.enabled {
            let name_id = self.trace.name_task(serial, &name);
            let src = self.source().encode();
            self.rec(Kind::Spawn, serial, src, name_id as u64);
        }
        let t = &mut self.tasks[slot as usize];
        t.serial = serial;
        t.flags = OCCUPIED;
        t.exec = exec;
        self.names[slot as usize] = name;
        t.clones = CloneCounts::default();
        self.live += 1;
        let generation = t.generation;
        self.enqueue(slot, None);
        (slot, generation)
    }

    /// Puts a task on its run queue (the caller has checked it is not queued).
    #[inline(always)]
    fn enqueue(&mut self, slot: u32, key: Option<ReadyKey>) {
        let t = &mut self.tasks[slot as usize];
        t.flags |= QUEUED;
        let exec = t.exec as usize;
        match &mut self.executors[exec] {
            RunQueue::Embassy(q) => q.push(slot),
            RunQueue::Fifo(q) => q.push(slot),
            // Only MicroPython's queue orders by key; the others need no key (and no division).
            RunQueue::MicroPython(_) => {
                // A self-wake resumes at the place of a wake coalesced while queued (policy docs).
                let held = if self.running == Some(slot) { self.held_keys.remove(&slot) } else { None };
                let key = match held.or(key) {
                    Some(k) => k,
                    None => self.now_key(),
                };
                self.executors[exec].push(slot, key);
            }
        }
    }

    /// MicroPython's key for a wake now: the current µs, the next push sequence.
    fn now_key(&mut self) -> ReadyKey {
        ReadyKey { key_us: self.now / 1_000, seq: self.next_seq() }
    }

    /// Wakes a task of this simulation; `release` also drops one counted clone of its waker
    /// (a by-value wake consumes the waker).
    #[inline(always)]
    pub(crate) fn wake_slot(&mut self, slot: u32, generation: u32, key: Option<ReadyKey>, release: bool) {
        if self.lean {
            self.wake_lean(slot, generation, release);
        } else {
            self.wake_general(slot, generation, key, release);
        }
    }

    /// The task a waker names, if it is alive (a finished task's waker is a spurious wake,
    /// ignored). `release` drops the counted clone a by-value wake consumes: the task is queued
    /// after this (or finished), so it cannot be lost and needs no check.
    #[inline(always)]
    fn wakeable(&mut self, slot: u32, generation: u32, release: bool) -> Option<&mut TaskMeta> {
        let t = self.tasks.get_mut(slot as usize)?;
        if t.generation != generation || t.flags & (OCCUPIED | DONE) != OCCUPIED {
            return None;
        }
        if release {
            t.clones.release();
        }
        Some(t)
    }

    /// `wake_slot` for a lean simulation: one embassy-order executor, no trace, no cost model.
    #[inline(always)]
    fn wake_lean(&mut self, slot: u32, generation: u32, release: bool) {
        let Some(t) = self.wakeable(slot, generation, release) else { return };
        if t.flags & QUEUED == 0 {
            t.flags |= QUEUED;
            if !lean_queue(&mut self.executors).push_within_capacity(slot) {
                self.push_growing(slot);
            }
        }
    }

    /// Pushes a lean wake's task onto a full run queue (which grows), out of line: the common
    /// wake then calls nothing and saves fewer registers.
    #[cold]
    #[inline(never)]
    fn push_growing(&mut self, slot: u32) {
        lean_queue(&mut self.executors).push(slot);
    }

    #[inline(never)]
    fn wake_general(&mut self, slot: u32, generation: u32, key: Option<ReadyKey>, release: bool) {
        let Some(t) = self.wakeable(slot, generation, release) else { return };
        let queued = t.has(QUEUED);
        let serial = t.serial;
        if self.trace.enabled {
            let src = self.source().encode();
            self.rec(if queued { Kind::WakeCoalesced } else { Kind::Wake }, serial, src, 0);
        }
        if queued {
            let t = &self.tasks[slot as usize];
            let exec = t.exec as usize;
            if self.running != Some(slot)
                && self.executors[exec].order() == Order::MicroPython
                && !self.held_keys.contains_key(&slot)
            {
                let key = match key {
                    Some(k) => k,
                    None => self.now_key(),
                };
                self.held_keys.insert(slot, key);
            }
            return;
        }
        self.wakes_in_poll += 1;
        if !self.isr_stack.is_empty()
            && self.executors[self.tasks[slot as usize].exec as usize].order() == Order::MicroPython
        {
            // asyncio notices interrupt work (ThreadSafeFlag) at its next loop step.
            self.tasks[slot as usize].flags |= QUEUED;
            self.deferred.push(slot);
            return;
        }
        self.enqueue(slot, key);
    }

    /// Picks the next task to poll, answering the choice point if there is one.
    fn pick(&mut self) -> Option<(u32, bool)> {
        if !self.deferred.is_empty() {
            for slot in std::mem::take(&mut self.deferred) {
                let key = self.now_key();
                let exec = self.tasks[slot as usize].exec as usize;
                self.executors[exec].push(slot, key);
            }
        }
        for exec in 0..self.executors.len() {
            loop {
                let n = self.executors[exec].prepare();
                if n == 0 {
                    break;
                }
                let mut idx = 0;
                if n >= 2 {
                    let number = self.choice_no;
                    self.choice_no += 1;
                    if !self.chooser.is_default() {
                        let mut ids = std::mem::take(&mut self.choice_ids);
                        ids.clear();
                        ids.extend((0..n).map(|i| self.serial_of(self.executors[exec].candidate(i))));
                        idx = self.answer(number, Some(&ids), n);
                        self.choice_ids = ids;
                    }
                }
                let slot = self.executors[exec].take(idx);
                if self.tasks[slot as usize].has(DONE) {
                    self.drop_stale_entry(slot);
                    continue;
                }
                let t = &self.tasks[slot as usize];
                return Some((slot, t.has(ABORT)));
            }
        }
        None
    }

    /// A finished task's run-queue entry, left by a task that aborted itself while queued: the
    /// entry is gone, and with it the last thing that kept a detached task's slot. (Its future
    /// box, if any, is dropped when the slot is reused or at shutdown, outside any borrow.)
    #[cold]
    fn drop_stale_entry(&mut self, slot: u32) {
        self.tasks[slot as usize].flags &= !QUEUED;
        self.maybe_free(slot);
    }

    /// `pick` for a lean simulation: one executor in embassy order, the default chooser.
    #[inline(always)]
    fn pick_lean(&mut self) -> Option<(u32, bool)> {
        loop {
            let slot = lean_queue(&mut self.executors).pop(&mut self.choice_no)?;
            let t = &self.tasks[slot as usize];
            if t.has(DONE) {
                self.drop_stale_entry(slot);
                continue;
            }
            return Some((slot, t.has(ABORT)));
        }
    }

    /// Asks the chooser; records a deviation or a divergence.
    fn answer(&mut self, number: u64, ids: Option<&[u32]>, n: usize) -> usize {
        let r = match ids {
            Some(ids) => self.chooser.choose_task(number, ids),
            None => self.chooser.choose_index(number, n),
        };
        match r {
            Ok(0) => 0,
            Ok(i) => {
                self.deviations.push(Deviation { choice: number, alternative: i as u32, options: n as u32 });
                self.rec(Kind::Deviation, i as u32, n as u32, number);
                i
            }
            Err(d) => {
                let at = SimTime(self.now);
                self.report(Diagnostic::ReplayDiverged {
                    choice: d.choice,
                    expected_options: d.expected_options,
                    found_options: d.found_options,
                    at,
                });
                0
            }
        }
    }

    fn alarm_deadline_ns(&mut self) -> Option<u64> {
        let mut t = self.timers.next_deadline();
        if self.generic.is_none() && self.foreign.is_empty() {
            return t.map(ticks_to_ns);
        }
        let others = [self.generic.as_ref(), Some(&self.foreign)];
        for q in others.into_iter().flatten().filter(|q| !q.is_empty()) {
            t = match (t, q.next_deadline()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        t.map(ticks_to_ns)
    }

    /// The time of the next scheduled event, if any.
    pub(crate) fn next_event_time(&mut self) -> Option<u64> {
        let a = self.alarm_deadline_ns();
        let e = self.events.peek().map(|e| e.0.at);
        match (a, e) {
            (Some(a), Some(e)) => Some(a.min(e)),
            (a, e) => a.or(e),
        }
    }

    /// The next event due at or before now, answering same-instant ordering as a choice point.
    fn next_due(&mut self, timer_irq: Irq) -> Option<Due> {
        if self.timers.is_empty() && self.events.is_empty() && self.generic.is_none() && self.foreign.is_empty() {
            self.due_hint = u64::MAX;
            return None; // nothing scheduled at all: the common case between timer events
        }
        let alarm = self.alarm_deadline_ns();
        let isr = self.events.peek().map(|e| e.0.at);
        let t = match (alarm, isr) {
            (Some(a), Some(e)) => a.min(e),
            (Some(a), None) => a,
            (None, Some(e)) => e,
            (None, None) => {
                self.due_hint = u64::MAX;
                return None;
            }
        };
        if t > self.now {
            self.due_hint = t;
            return None;
        }
        // Gather every source due at instant t.
        let mut group: Vec<(u32, u64, Option<IsrEvent>)> = Vec::new();
        if alarm == Some(t) {
            group.push((timer_irq.rank(), 0, None));
        }
        while self.events.peek().is_some_and(|e| e.0.at == t) {
            let Reverse(e) = self.events.pop().expect("peeked");
            group.push((e.rank, e.seq, Some(e)));
        }
        let idx = if group.len() >= 2 {
            group.sort_by_key(|g| (g.0, g.1));
            let number = self.choice_no;
            self.choice_no += 1;
            if self.chooser.is_default() { 0 } else { self.answer(number, None, group.len()) }
        } else {
            0
        };
        let chosen = group.swap_remove(idx);
        for (_, _, e) in group {
            if let Some(e) = e {
                self.events.push(Reverse(e));
            }
        }
        Some(match chosen.2 {
            None => Due::Alarm,
            Some(e) => Due::Isr { irq: e.irq, idx: e.idx },
        })
    }

    /// Fires the alarm: expires due timers; returns foreign wakers to wake without the borrow.
    fn fire_alarm(&mut self) -> Vec<Waker> {
        let now_ticks = ns_to_ticks(self.now);
        let mut expired = std::mem::take(&mut self.expired);
        expired.clear();
        self.timers.next_expiration(now_ticks, &mut expired);
        self.timer_context = true;
        // `expired` is in embassy's wake order (descending insertion). Run queues only order
        // their own tasks, so FIFO executors take theirs in registration order (second pass)
        // while the others keep embassy's (MicroPython's keys make push order irrelevant).
        let any_fifo = self.executors.iter().any(|e| e.order() == Order::Fifo);
        for pass_fifo in [false, true] {
            if pass_fifo && !any_fifo {
                break;
            }
            for i in 0..expired.len() {
                let Expired { slot, deadline, latest_seq, .. } =
                    if pass_fifo { expired[expired.len() - 1 - i] } else { expired[i] };
                let t = &self.tasks[slot as usize];
                if any_fifo && (self.executors[t.exec as usize].order() == Order::Fifo) != pass_fifo {
                    continue;
                }
                let (serial, generation) = (t.serial, t.generation);
                self.rec(Kind::TimerFire, serial, TaskRef::Timer.encode(), deadline);
                // MicroPython orders by the sleep being awaited: its latest request.
                let key = ReadyKey { key_us: ticks_to_ns(deadline) / 1_000, seq: latest_seq };
                self.wake_slot(slot, generation, Some(key), false);
            }
        }
        self.timer_context = false;
        self.expired = expired;
        let mut wakers = Vec::new();
        if let Some(g) = &mut self.generic {
            g.next_expiration(now_ticks, &mut wakers);
        }
        self.foreign.next_expiration(now_ticks, &mut wakers);
        wakers
    }

    fn wait_state(&self, slot: u32) -> WaitState {
        let t = &self.tasks[slot as usize];
        if t.has(QUEUED) {
            WaitState::Queued
        } else if let Some(d) = self.timers.deadline_of(slot) {
            WaitState::Timer(SimTime(ticks_to_ns(d)))
        } else if t.has(LOST) {
            WaitState::Lost
        } else if t.clones.live() > 0 {
            WaitState::WakerHeld(t.clones.live())
        } else {
            WaitState::Parked
        }
    }

    pub(crate) fn wait_report(&self, reached_limit: bool) -> WaitReport {
        let mut waiting: Vec<(u32, TaskReport)> = self
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.flags & (OCCUPIED | DONE) == OCCUPIED)
            .map(|(i, t)| (t.serial, TaskReport { task: self.label(i as u32), state: self.wait_state(i as u32) }))
            .collect();
        waiting.sort_by_key(|w| w.0);
        WaitReport { at: SimTime(self.now), reached_limit, waiting: waiting.into_iter().map(|w| w.1).collect() }
    }

    /// Checks whether a pending task has just become unwakeable.
    fn check_lost(&mut self, slot: u32, dropped_by_self: bool) {
        let t = &self.tasks[slot as usize];
        // An aborted task is dropped, not lost, whatever its wakers do meanwhile.
        if t.flags & (OCCUPIED | DONE | QUEUED | RUNNING | LOST | ABORT) != OCCUPIED
            || t.clones.live() != 0
            || t.clones.since_poll() == 0
            || self.timers.deadline_of(slot).is_some()
        {
            return;
        }
        self.tasks[slot as usize].flags |= LOST;
        let dropped_by = if dropped_by_self { self.label(slot) } else { self.source_label() };
        let d = Diagnostic::WakerDropped { task: self.label(slot), dropped_by, at: SimTime(self.now) };
        self.report(d);
    }

    /// Frees a finished slot if nobody can still ask for its output.
    fn maybe_free(&mut self, slot: u32) -> bool {
        let t = &mut self.tasks[slot as usize];
        let releasable = t.has(DONE) && !t.has(QUEUED) && (t.has(DETACHED) || t.has(TAKEN));
        if releasable && t.has(OCCUPIED) {
            t.flags = 0;
            t.generation = t.generation.wrapping_add(1) & waker::GEN_MASK;
            self.names[slot as usize] = Cow::Borrowed("");
            self.errors.remove(&slot); // (its timer left in `complete`)
            t.future = None;
            self.free.push(slot);
            return true;
        }
        false
    }
}

/// A task's identity for join handles: slot and generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) slot: u32,
    pub(crate) generation: u32,
    pub(crate) serial: u32,
}

impl Shared {
    pub(crate) fn new(config: SimConfig) -> Self {
        let inbox = Arc::new(Inbox::default());
        let tag = registry::register(inbox.clone());
        if let Some(limit) = config.watchdog {
            inbox.watch.limit_ms.store(limit.as_millis() as u64, Ordering::Relaxed);
            inbox.watch.enabled.store(true, Ordering::Relaxed);
            registry::ensure_watchdog();
        }
        let core = Core::new(&config).unwrap_or_else(|e| panic!("fwsim: cannot create the trace file: {e}"));
        let shared = Shared {
            tag,
            inbox,
            core: RefCell::new(core),
            futures: RefCell::new(Vec::new()),
            isr_fns: RefCell::new(Vec::new()),
            isr_free: RefCell::new(Vec::new()),
            arena: RefCell::new(Vec::new()),
            torn_down: Cell::new(false),
            in_run: Cell::new(false),
            awaited: Cell::new(None),
            awaited_done: Cell::new(false),
            has_cost: config.cost.per_poll_ns > 0 || config.cost.per_wake_ns > 0,
            poll_limit: config.same_instant_poll_limit.max(1),
            recent_from: config.same_instant_poll_limit.max(1).saturating_sub(RECENT as u64),
            polling: Cell::new(NOT_POLLING),
            poll_clones: Cell::new(0),
            config,
        };
        shared.update_lean();
        shared
    }

    /// Decides whether the lean paths apply (see `Core::lean`).
    fn update_lean(&self) {
        let mut c = self.core.borrow_mut();
        let cfg = &self.config;
        let lean = c.executors.len() == 1
            && c.executors[0].order() == Order::Embassy
            && c.chooser.is_default()
            && !c.trace.enabled
            && !cfg.poll_spans
            && !self.has_cost
            && !cfg.strict;
        c.lean = lean;
    }

    pub(crate) fn enter(&self) -> EnterGuard<'_> {
        EnterGuard::new(self)
    }

    // ---- diagnostics ------------------------------------------------------------------------

    fn report(&self, d: Diagnostic) {
        self.core.borrow_mut().report(d);
    }

    fn take_strict_stop(&self) -> Option<SimError> {
        if !self.config.strict {
            return None;
        }
        self.core.borrow_mut().strict_stop.take().map(SimError::Strict)
    }

    /// Reads what other threads left in the inbox. The check is inline (once per loop step),
    /// the draining out of line.
    #[inline(always)]
    fn drain_inbox(&self) {
        if self.inbox.dirty.load(Ordering::Relaxed) {
            self.drain_inbox_slow();
        }
    }

    #[cold]
    #[inline(never)]
    fn drain_inbox_slow(&self) {
        if !self.inbox.dirty.swap(false, Ordering::Acquire) {
            return;
        }
        let wakes = std::mem::take(&mut *self.inbox.foreign_wakes.lock().unwrap_or_else(|e| e.into_inner()));
        for (slot, generation) in wakes {
            let task = {
                let c = self.core.borrow();
                match c.tasks.get(slot as usize) {
                    Some(t) if t.generation == generation && t.has(OCCUPIED) => c.label(slot),
                    _ => continue,
                }
            };
            let at = SimTime(self.core.borrow().now);
            self.report(Diagnostic::CrossThreadWake { task, at });
        }
        let hung = std::mem::take(&mut *self.inbox.hung.lock().unwrap_or_else(|e| e.into_inner()));
        for (serial, vt, wall_ms) in hung {
            let task = {
                let c = self.core.borrow();
                match c.tasks.iter().position(|t| t.serial == serial && t.has(OCCUPIED)) {
                    Some(i) => c.label(i as u32),
                    None if c.trace.enabled => format!("{}#{serial}", c.trace.names.task(serial)),
                    None => format!("#{serial}"),
                }
            };
            self.report(Diagnostic::PollHung { task, at: SimTime(vt), wall_ms });
        }
    }

    // ---- wakers -----------------------------------------------------------------------------

    #[inline]
    pub(crate) fn wake_from_waker(&self, slot: u32, generation: u32) {
        self.core.borrow_mut().wake_slot(slot, generation, None, false);
    }

    /// A by-value wake: queue the task and release the clone that was consumed.
    #[inline]
    pub(crate) fn wake_and_release(&self, slot: u32, generation: u32) {
        let mut c = self.core.borrow_mut();
        self.settle_poll_clones(&mut c);
        c.wake_slot(slot, generation, None, true);
    }

    /// Moves the clones `waker::clone` counted during the current poll into the polled task's
    /// counts; done before a clone is released, so that the counts never go below the truth.
    #[inline(always)]
    fn settle_poll_clones(&self, c: &mut Core) {
        let n = self.poll_clones.get();
        if n > 0 {
            self.poll_clones.set(0);
            let (_, slot, _) = waker::unpack(self.polling.get());
            c.tasks[slot as usize].clones.add(n);
        }
    }

    pub(crate) fn on_cross_sim_wake(&self) {
        let (woken_by, at) = {
            let c = self.core.borrow();
            (c.source_label(), SimTime(c.now))
        };
        self.report(Diagnostic::CrossSimWake { woken_by, at });
    }

    /// A clone of a waker that is not the polled task's (those go to `poll_clones`). One made
    /// while the core is borrowed could not be counted, so the kernel never clones a waker
    /// under the borrow (`poll_join`, `driver_schedule_wake` clone before borrowing).
    pub(crate) fn on_waker_clone(&self, slot: u32, generation: u32) {
        let Ok(mut c) = self.core.try_borrow_mut() else { return };
        if let Some(t) = c.tasks.get_mut(slot as usize)
            && t.generation == generation
            && t.has(OCCUPIED)
        {
            t.clones.add(1);
        }
    }

    pub(crate) fn on_waker_drop(&self, slot: u32, generation: u32) {
        let Ok(mut c) = self.core.try_borrow_mut() else { return };
        if self.torn_down.get() {
            return;
        }
        self.settle_poll_clones(&mut c);
        if let Some(t) = c.tasks.get_mut(slot as usize)
            && t.generation == generation
            && t.has(OCCUPIED)
        {
            t.clones.release();
            if t.clones.live() == 0 {
                c.check_lost(slot, false);
            }
        }
    }

    // ---- spawning and joining ---------------------------------------------------------------

    pub(crate) fn spawn_boxed(&self, exec: u8, name: Cow<'static, str>, mut task: TaskBox) -> TaskKey {
        assert!(!self.torn_down.get(), "fwsim: spawn on a simulation that has been shut down");
        // SAFETY: only the pointer is kept; the future is polled through it in place.
        let future = NonNull::from(unsafe { task.as_mut().get_unchecked_mut() });
        let (slot, generation, serial) = {
            let mut c = self.core.borrow_mut();
            assert!((exec as usize) < c.executors.len(), "fwsim: no executor {exec}");
            let (slot, generation) = c.alloc_task(name, exec);
            let t = &mut c.tasks[slot as usize];
            t.future = Some(future);
            (slot, generation, t.serial)
        };
        let mut f = self.futures.borrow_mut();
        if slot as usize == f.len() {
            f.push(Some(task)); // a new slot (the table grows one slot at a time)
        } else {
            let old = f[slot as usize].replace(task);
            drop(f);
            drop(old); // a box left by the slot's previous task: its drop may re-enter
        }
        TaskKey { slot, generation, serial }
    }

    pub(crate) fn add_executor(&self, order: Order) -> u8 {
        let mut c = self.core.borrow_mut();
        let id = c.executors.len();
        assert!(id < 255, "fwsim: at most 255 executors");
        c.executors.push(RunQueue::new(order));
        drop(c);
        self.update_lean();
        id as u8
    }

    /// Polls a join handle's task for its output.
    pub(crate) fn poll_join(&self, key: TaskKey, cx: &mut Context<'_>, out: *mut ()) -> Poll<Result<(), JoinError>> {
        if self.torn_down.get() {
            return Poll::Ready(Err(JoinError::SimulationDropped));
        }
        {
            let mut c = self.core.borrow_mut();
            let t = &mut c.tasks[key.slot as usize];
            assert!(
                t.generation == key.generation && t.has(OCCUPIED) && !t.has(TAKEN),
                "fwsim: JoinHandle polled after it returned"
            );
            if !t.has(DONE) {
                drop(c);
                // Cloned with no borrow held, so that the clone is counted whoever's waker it
                // is (a clone made under the borrow is counted only if it is the polled task's).
                let joiner = cx.waker().clone();
                let old_joiner = self.core.borrow_mut().joiners.insert(key.slot, joiner);
                drop(old_joiner); // its drop may re-enter the core
                return Poll::Pending;
            }
            t.flags |= TAKEN;
            if let Some(e) = c.errors.remove(&key.slot) {
                let freed = c.maybe_free(key.slot);
                drop(c);
                if freed {
                    drop(self.futures.borrow_mut()[key.slot as usize].take());
                }
                return Poll::Ready(Err(e));
            }
        }
        let task = self.futures.borrow_mut()[key.slot as usize].take();
        if let Some(mut task) = task {
            // SAFETY: the handle that created this key was made for this output type.
            unsafe { task.as_mut().take_output(out) };
        }
        self.core.borrow_mut().maybe_free(key.slot);
        Poll::Ready(Ok(()))
    }

    pub(crate) fn is_finished(&self, key: TaskKey) -> bool {
        if self.torn_down.get() {
            return true;
        }
        let c = self.core.borrow();
        let t = &c.tasks[key.slot as usize];
        t.generation != key.generation || t.has(DONE)
    }

    pub(crate) fn detach(&self, key: TaskKey) {
        if self.torn_down.get() {
            return;
        }
        let (freed, joiner) = {
            let mut c = self.core.borrow_mut();
            let t = &mut c.tasks[key.slot as usize];
            if t.generation != key.generation || !t.has(OCCUPIED) {
                return;
            }
            t.flags |= DETACHED;
            let joiner = c.joiners.remove(&key.slot);
            (c.maybe_free(key.slot), joiner)
        };
        drop(joiner);
        if freed {
            let task = self.futures.borrow_mut()[key.slot as usize].take();
            drop(task);
        }
    }

    pub(crate) fn abort(&self, key: TaskKey) {
        if self.torn_down.get() {
            return;
        }
        let mut c = self.core.borrow_mut();
        let t = &mut c.tasks[key.slot as usize];
        if t.generation != key.generation || t.flags & (OCCUPIED | DONE | ABORT) != OCCUPIED {
            return;
        }
        t.flags |= ABORT;
        let (serial, running) = (t.serial, t.has(RUNNING));
        let src = c.source().encode();
        c.rec(Kind::Abort, serial, src, 0);
        if !running {
            // Scheduled like a wake, in the policy's order; dropped instead of polled.
            c.wake_slot(key.slot, key.generation, None, false);
        }
    }

    /// Marks a task finished and wakes its joiner; drops what must be dropped outside borrows.
    fn complete(&self, slot: u32, error: Option<JoinError>) {
        let (joiner, freed) = {
            let mut c = self.core.borrow_mut();
            let serial = c.serial_of(slot);
            match &error {
                Some(JoinError::Panicked(_)) => c.rec(Kind::Panic, serial, serial, 0),
                aborted => c.rec(Kind::Complete, serial, serial, aborted.is_some() as u64),
            }
            c.live -= 1;
            // Deliberate difference: on a board a finished task's timer item stays queued in
            // its task storage, and a task later spawned into the same pool slot inherits it
            // (an early, spurious wake). fwsim's slots are not embassy's pool slots, so the
            // item leaves with the task.
            c.timers.remove(slot);
            if !c.held_keys.is_empty() {
                // A task aborted while queued never ends a poll: its held place goes here, not
                // to whichever task gets the slot next.
                c.held_keys.remove(&slot);
            }
            if let Some(e) = error {
                c.errors.insert(slot, e);
            }
            let t = &mut c.tasks[slot as usize];
            t.flags |= DONE;
            t.flags &= !(RUNNING | ABORT);
            let joiner = c.joiners.remove(&slot);
            if self.awaited.get() == Some(slot) {
                self.awaited_done.set(true);
            }
            (joiner, c.maybe_free(slot))
        };
        if freed {
            let task = self.futures.borrow_mut()[slot as usize].take();
            drop(task);
        }
        if let Some(j) = joiner {
            j.wake();
        }
    }

    // ---- polling ----------------------------------------------------------------------------

    /// One step of the loop: polls one task, or says why it did not. `LEAN` must equal
    /// `Core::lean`; the loop is monomorphised on it.
    fn poll_one<const LEAN: bool>(&self) -> Step {
        let mut c = self.core.borrow_mut();
        debug_assert_eq!(LEAN, c.lean);
        let (slot, generation, serial, task) = {
            if c.now >= c.due_hint {
                return Step::EventsDue;
            }
            let picked = if LEAN { c.pick_lean() } else { c.pick() };
            let Some((slot, abort)) = picked else { return Step::Idle };
            if abort {
                drop(c);
                let fut = self.futures.borrow_mut()[slot as usize].take();
                self.core.borrow_mut().tasks[slot as usize].flags &= !QUEUED;
                drop(fut);
                self.complete(slot, Some(JoinError::Aborted));
                return Step::Polled;
            }
            let t = &mut c.tasks[slot as usize];
            t.flags = (t.flags | RUNNING) & !(QUEUED | LOST);
            t.clones.poll_begins();
            let (generation, serial) = (t.generation, t.serial);
            // The future stays in its box, in place: a RUNNING task's box is never dropped or
            // replaced (aborts, completion and frees wait for the poll to end), so the pointer
            // is valid for the poll even if the table grows meanwhile (a spawn moves the boxes'
            // pointers, not the futures).
            let task = t.future.expect("fwsim: queued task has no future");
            c.running = Some(slot);
            c.now_reads = 0;
            c.instant_polls += 1;
            if c.instant_polls > self.recent_from {
                // Near the same-instant limit: remember who polls, for the report.
                let h = c.recent_head;
                c.recent[h] = slot;
                c.recent_head = (h + 1) % RECENT;
            }
            if !LEAN {
                c.wakes_in_poll = 0;
                c.rec(Kind::PollBegin, serial, serial, 0);
            }
            if self.config.watchdog.is_some() {
                c.poll_id += 1;
                let w = &self.inbox.watch;
                w.task.store(serial, Ordering::Relaxed);
                w.vt.store(c.now, Ordering::Relaxed);
                w.poll_id.store(c.poll_id, Ordering::Relaxed);
                w.in_poll.store(true, Ordering::Release);
            }
            (slot, generation, serial, task)
        };
        drop(c); // no borrow across the poll
        debug_assert_eq!(self.poll_clones.get(), 0);
        self.polling.set(waker::pack(self.tag, slot, generation));
        let waker = ManuallyDrop::new(unsafe { Waker::from_raw(waker::raw(self.tag, slot, generation)) });
        let mut cx = Context::from_waker(&waker);
        // SAFETY: see above; the future was pinned in its box and is not moved.
        let task = unsafe { Pin::new_unchecked(&mut *task.as_ptr()) };
        let result = if !LEAN && self.config.poll_spans {
            let t = self.core.borrow();
            let span = tracing::trace_span!("poll", task = %t.names[slot as usize], serial);
            drop(t);
            let _entered = span.enter();
            catch_unwind(AssertUnwindSafe(|| task.poll_task(&mut cx)))
        } else {
            catch_unwind(AssertUnwindSafe(|| task.poll_task(&mut cx)))
        };
        if self.config.watchdog.is_some() {
            self.inbox.watch.in_poll.store(false, Ordering::Release);
        }
        let (abort_now, cost, over_limit) = {
            let mut c = self.core.borrow_mut();
            // The clones the task made of its waker in this poll (`Shared::polling`).
            let clones_made = self.poll_clones.replace(0);
            self.polling.set(NOT_POLLING);
            c.running = None;
            if let Some(from) = c.spin_from.take()
                && !LEAN
            {
                let now = c.now;
                c.trace.record(Record { at: from, arg: now, task: serial, source: serial, kind: Kind::BusyWait });
            }
            if !LEAN {
                let done = matches!(result, Ok(Poll::Ready(())));
                c.rec(Kind::PollEnd, serial, serial, done as u64);
            }
            if !LEAN && !c.held_keys.is_empty() {
                c.held_keys.remove(&slot);
            }
            let t = &mut c.tasks[slot as usize];
            t.clones.add(clones_made);
            t.flags &= !RUNNING;
            let abort_now = t.has(ABORT);
            if matches!(result, Ok(Poll::Pending)) && !abort_now && t.clones.live() == 0 && t.clones.since_poll() > 0 {
                // Clones dropped during the task's own poll were dropped by the task.
                c.check_lost(slot, true);
            }
            let cost = if !LEAN && self.has_cost {
                self.config.cost.per_poll_ns + self.config.cost.per_wake_ns * c.wakes_in_poll
            } else {
                0
            };
            (abort_now, cost, c.instant_polls >= self.poll_limit)
        };
        match result {
            Ok(Poll::Pending) if !abort_now => {}
            Ok(Poll::Ready(())) => self.complete(slot, None),
            Ok(Poll::Pending) => {
                let fut = self.futures.borrow_mut()[slot as usize].take();
                drop(fut);
                self.complete(slot, Some(JoinError::Aborted));
            }
            Err(payload) => {
                let message = panic_message(&*payload);
                let fut = self.futures.borrow_mut()[slot as usize].take();
                // Dropping a panicked future may panic again; contain that too.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(fut)));
                let (task, at) = {
                    let c = self.core.borrow();
                    (c.label(slot), SimTime(c.now))
                };
                self.report(Diagnostic::TaskPanicked { task, at, message: message.clone() });
                self.complete(slot, Some(JoinError::Panicked(message)));
            }
        }
        if cost > 0 {
            let target = self.core.borrow().now.saturating_add(cost);
            self.advance_to(target);
        }
        if over_limit { Step::PolledOverLimit } else { Step::Polled }
    }

    // ---- events and time --------------------------------------------------------------------

    /// Delivers one due event. Returns `false` when nothing is due.
    fn deliver_one(&self) -> bool {
        let due = self.core.borrow_mut().next_due(self.config.timer_irq);
        match due {
            None => false,
            Some(Due::Alarm) => {
                let wakers = self.core.borrow_mut().fire_alarm();
                self.wake_as_timer(wakers);
                true
            }
            Some(Due::Isr { irq, idx }) => {
                let f = self.isr_fns.borrow_mut()[idx as usize].take();
                self.isr_free.borrow_mut().push(idx);
                if let Some(f) = f {
                    self.run_isr(irq, f);
                }
                true
            }
        }
    }

    /// Wakes wakers that are not ours (generic queue, foreign timers) as the timer alarm, with
    /// no borrow held.
    #[inline]
    fn wake_as_timer(&self, wakers: Vec<Waker>) {
        // Inline check, out-of-line work: the common case (no foreign or generic-queue
        // wakers) costs a compare.
        if !wakers.is_empty() {
            self.wake_foreign_as_timer(wakers);
        }
    }

    #[inline(never)]
    fn wake_foreign_as_timer(&self, wakers: Vec<Waker>) {
        self.core.borrow_mut().timer_context = true;
        for w in wakers {
            w.wake();
        }
        self.core.borrow_mut().timer_context = false;
    }

    fn deliver_due(&self) {
        while self.deliver_one() {}
    }

    /// Moves the clock to `target`, delivering every event that falls due on the way (at its
    /// own time). Polls nothing.
    pub(crate) fn advance_to(&self, target: u64) {
        loop {
            self.deliver_due();
            let mut c = self.core.borrow_mut();
            match c.next_event_time() {
                Some(t) if t <= target && t > c.now => c.set_now(t),
                _ => {
                    if target > c.now {
                        c.set_now(target);
                    }
                    drop(c);
                    self.deliver_due();
                    return;
                }
            }
        }
    }

    /// Busy time inside a poll (a blocking delay): records it and advances the clock.
    pub(crate) fn busy_wait(&self, ns: u64) {
        let (from, target, task) = {
            let c = self.core.borrow();
            let task = c.running.map_or(TaskRef::Outside.encode(), |r| c.serial_of(r));
            (c.now, c.now.saturating_add(ns), task)
        };
        self.advance_to(target);
        let mut c = self.core.borrow_mut();
        let now = c.now;
        if c.trace.enabled {
            c.trace.record(Record { at: from, arg: now, task, source: task, kind: Kind::BusyWait });
        }
    }

    // ---- the embassy-time driver ------------------------------------------------------------

    pub(crate) fn driver_now(&self) -> u64 {
        let mut c = self.core.borrow_mut();
        if c.running.is_some() && c.isr_stack.is_empty() {
            c.now_reads += 1;
            if c.now_reads > self.config.spin_threshold {
                let first = c.spin_from.is_none();
                if first {
                    c.spin_from = Some(c.now);
                }
                let next_tick = ticks_to_ns(ns_to_ticks(c.now) + 1);
                drop(c);
                if first && self.config.strict {
                    let (task, at) = {
                        let c = self.core.borrow();
                        (c.label(c.running.expect("running")), SimTime(c.now))
                    };
                    self.report(Diagnostic::Spin { task, at });
                }
                self.advance_to(next_tick);
                return ns_to_ticks(self.core.borrow().now);
            }
        }
        ns_to_ticks(c.now)
    }

    pub(crate) fn driver_schedule_wake(&self, at: u64, w: &Waker) {
        // Monomorphised on the queue kind, so that the integrated queue's path (every timer of
        // W2) carries no clone to drop.
        if matches!(self.config.timer_queue, TimerQueueKind::Generic(_)) {
            self.schedule_wake_with::<true>(at, w)
        } else {
            self.schedule_wake_with::<false>(at, w)
        }
    }

    fn schedule_wake_with<const GENERIC: bool>(&self, at: u64, w: &Waker) {
        // A generic queue may keep a clone of `w`. It is made here, before the core is
        // borrowed, so that it is counted like any clone (`on_waker_clone`). Declared before
        // the borrow, a clone the queue does not keep is dropped after it, on every path.
        let mut clone = GENERIC.then(|| w.clone());
        let mut spare = None;
        let mut evicted = Vec::new();
        let mut c = self.core.borrow_mut();
        let ours = waker::decode(w).filter(|(tag, slot, generation)| {
            *tag == self.tag
                && c.tasks.get(*slot as usize).is_some_and(|t| t.generation == *generation && t.has(OCCUPIED))
        });
        if let Some((_, slot, _)) = ours
            && c.tasks[slot as usize].has(DONE)
        {
            return; // a finished task's waker: its wake could only be ignored
        }
        let recompute = if GENERIC && let Some(g) = &mut c.generic {
            let (recompute, unused) =
                g.schedule_wake_owned(at, clone.take().expect("cloned for a generic queue"), &mut evicted);
            spare = unused;
            recompute
        } else if let Some((_, slot, _)) = ours {
            let serial = c.serial_of(slot);
            let seq = c.next_seq();
            let changed = c.timers.schedule_wake(slot, at, seq);
            c.rec(Kind::TimerSet, serial, serial, at);
            changed
        } else {
            // On a board this panics ("Found waker not created by the Embassy executor").
            let (task, now) = (c.running.map_or_else(|| "code outside the tasks".into(), |r| c.label(r)), c.now);
            c.report(Diagnostic::ForeignWakerTimer { task, at: SimTime(now) });
            c.foreign.schedule_wake(at, w, &mut evicted)
        };
        // The real drivers call `next_expiration(now)` whenever the queue says "recompute":
        // a deadline already reached fires at once, inside this call (an interrupt nested in
        // the poll). Deliver exactly the alarm here, not other interrupt sources.
        let at_ns = ticks_to_ns(at);
        c.due_hint = c.due_hint.min(at_ns);
        let due_now = recompute && at_ns <= c.now;
        drop(c);
        drop(spare);
        self.wake_as_timer(evicted);
        if due_now {
            let wakers = self.core.borrow_mut().fire_alarm();
            self.wake_as_timer(wakers);
        }
    }

    // ---- interrupts -------------------------------------------------------------------------

    pub(crate) fn schedule_isr(&self, at: u64, irq: Irq, f: IsrFn) {
        let idx = self.store_isr(f);
        let mut c = self.core.borrow_mut();
        let seq = c.next_seq();
        c.events.push(Reverse(IsrEvent { at, rank: irq.rank(), seq, idx, irq }));
        c.due_hint = c.due_hint.min(at);
    }

    fn store_isr(&self, f: IsrFn) -> u32 {
        let mut fns = self.isr_fns.borrow_mut();
        match self.isr_free.borrow_mut().pop() {
            Some(i) => {
                fns[i as usize] = Some(f);
                i
            }
            None => {
                fns.push(Some(f));
                (fns.len() - 1) as u32
            }
        }
    }

    pub(crate) fn run_isr(&self, irq: Irq, f: IsrFn) {
        {
            let mut c = self.core.borrow_mut();
            c.isr_stack.push(irq);
            let running = c.running.map_or(TaskRef::Outside.encode(), |r| c.serial_of(r));
            c.rec(Kind::Interrupt, running, TaskRef::Interrupt(irq.number).encode(), irq.priority as u64);
        }
        let r = catch_unwind(AssertUnwindSafe(f));
        self.core.borrow_mut().isr_stack.pop();
        if let Err(p) = r {
            let at = SimTime(self.core.borrow().now);
            self.report(Diagnostic::TaskPanicked {
                task: format!("irq{}", irq.number),
                at,
                message: panic_message(&*p),
            });
        }
    }

    /// An interrupt raised now by the running code: runs nested at once, or when the current
    /// critical section ends.
    pub(crate) fn raise_irq(&self, irq: Irq, f: IsrFn) {
        if crate::cs::depth() > 0 {
            let idx = self.store_isr(f);
            self.core.borrow_mut().pending_irqs.push((irq, idx));
            crate::cs::note_pending();
        } else {
            self.run_isr(irq, f);
        }
    }

    /// Runs interrupts deferred by a critical section that just ended.
    pub(crate) fn run_pending_irqs(&self) {
        loop {
            let next = {
                let mut c = self.core.borrow_mut();
                if c.pending_irqs.is_empty() {
                    return;
                }
                c.pending_irqs.sort_by_key(|p| std::cmp::Reverse(p.0.rank()));
                c.pending_irqs.pop()
            };
            let Some((irq, idx)) = next else { return };
            let f = self.isr_fns.borrow_mut()[idx as usize].take();
            self.isr_free.borrow_mut().push(idx);
            if let Some(f) = f {
                self.run_isr(irq, f);
            }
        }
    }

    /// A task-only primitive was locked from interrupt context.
    pub(crate) fn report_isr_misuse(&self, primitive: String) {
        let Ok(mut c) = self.core.try_borrow_mut() else { return };
        let (by, at) = (c.source_label(), SimTime(c.now));
        c.report(Diagnostic::IsrMisuse { primitive, by, at });
    }

    pub(crate) fn report_hardware(&self, device: String, rule: &'static str, detail: String) {
        let mut c = self.core.borrow_mut();
        let (by, at) = (c.source_label(), SimTime(c.now));
        c.report(Diagnostic::Hardware { device, rule, detail, by, at });
    }

    pub(crate) fn in_interrupt(&self) -> bool {
        !self.core.borrow().isr_stack.is_empty()
    }

    // ---- the run loop -----------------------------------------------------------------------

    /// The one loop behind every `run_*` method.
    pub(crate) fn run(&self, spec: RunSpec<'_>) -> Result<RunEnd, SimError> {
        let RunSpec { advance, limit, mut stop } = spec;
        if let Stop::TaskDone(key) = stop {
            if self.is_finished(key) {
                return Ok(RunEnd::Stopped);
            }
            self.awaited.set(Some(key.slot));
            self.awaited_done.set(false);
        }
        // `lean` is fixed when the Sim is built, so the whole loop is chosen once.
        let result = if self.core.borrow().lean {
            self.run_loop::<true>(advance, limit, &mut stop)
        } else {
            self.run_loop::<false>(advance, limit, &mut stop)
        };
        self.awaited.set(None);
        result
    }

    /// The loop, for a lean simulation (`LEAN`) or any other. A lean one is never strict, so
    /// it has no strict stop to look for.
    fn run_loop<const LEAN: bool>(
        &self,
        advance: bool,
        limit: Option<u64>,
        stop: &mut Stop<'_>,
    ) -> Result<RunEnd, SimError> {
        loop {
            self.drain_inbox();
            if !LEAN && let Some(e) = self.take_strict_stop() {
                return Err(e);
            }
            let step = self.poll_one::<LEAN>();
            match step {
                Step::Polled | Step::PolledOverLimit => {
                    if !LEAN && let Some(e) = self.take_strict_stop() {
                        return Err(e);
                    }
                    let stopped = match stop {
                        Stop::Never => false,
                        Stop::When(condition) => condition(),
                        Stop::TaskDone(_) => self.awaited_done.get(),
                    };
                    if stopped {
                        return Ok(RunEnd::Stopped);
                    }
                    if step == Step::PolledOverLimit
                        && let Some(end) = self.break_same_instant_loop(limit)?
                    {
                        return Ok(end);
                    }
                }
                Step::EventsDue => self.deliver_due(),
                Step::Idle if !advance => return Ok(RunEnd::Stalled),
                Step::Idle => {
                    let mut c = self.core.borrow_mut();
                    match c.next_event_time() {
                        None => return Ok(RunEnd::Quiescent),
                        Some(t) if limit.is_none_or(|l| t <= l) => {
                            if t > c.now {
                                c.set_now(t);
                            }
                        }
                        Some(_) => return Ok(RunEnd::LimitReached),
                    }
                }
            }
        }
    }

    /// Breaks a same-instant wake loop by moving to the next event (as the next interrupt would
    /// on hardware), or reports a livelock when nothing else can ever happen.
    fn break_same_instant_loop(&self, limit: Option<u64>) -> Result<Option<RunEnd>, SimError> {
        let (polls, next, tasks, now) = {
            let mut c = self.core.borrow_mut();
            let polls = c.instant_polls;
            c.instant_polls = 0;
            let mut slots: Vec<u32> = c.recent.iter().copied().filter(|s| *s != u32::MAX).collect();
            slots.sort_by_key(|s| c.serial_of(*s));
            slots.dedup();
            let tasks: Vec<String> = slots.iter().map(|s| c.label(*s)).collect();
            (polls, c.next_event_time(), tasks, c.now)
        };
        let at = SimTime(now);
        match next {
            Some(t) if limit.is_none_or(|l| t <= l) => {
                self.report(Diagnostic::SameInstantLoop { tasks, polls, at });
                self.advance_to(t);
                Ok(None)
            }
            _ => match limit {
                // Time would pass on hardware; with nothing scheduled, jump to the run's end.
                Some(l) => {
                    self.report(Diagnostic::SameInstantLoop { tasks, polls, at });
                    self.advance_to(l);
                    Ok(Some(RunEnd::LimitReached))
                }
                None => Err(SimError::Livelock { tasks, at }),
            },
        }
    }

    pub(crate) fn live_tasks(&self) -> usize {
        self.core.borrow().live
    }

    pub(crate) fn deviations(&self) -> Vec<Deviation> {
        self.core.borrow().deviations.clone()
    }

    pub(crate) fn choice_points(&self) -> u64 {
        self.core.borrow().choice_no
    }

    // ---- teardown ---------------------------------------------------------------------------

    /// Drops every task, pending interrupt and arena value, in that order.
    pub(crate) fn shutdown(&self) {
        if self.torn_down.get() {
            return;
        }
        let _g = self.enter();
        // Tasks first: they may borrow arena values.
        let n = self.futures.borrow().len();
        for i in 0..n {
            let f = self.futures.borrow_mut()[i].take();
            let _ = catch_unwind(AssertUnwindSafe(move || drop(f)));
        }
        let fns: Vec<_> = self.isr_fns.borrow_mut().drain(..).collect();
        drop(fns);
        let (joiners, generic, foreign) = {
            let mut c = self.core.borrow_mut();
            for t in c.tasks.iter_mut() {
                t.future = None;
            }
            let joiners: Vec<Waker> = std::mem::take(&mut c.joiners).into_values().collect();
            let generic = c.generic.as_mut().map(|g| g.clear());
            let foreign = c.foreign.clear();
            let _ = c.trace.flush();
            (joiners, generic, foreign)
        };
        self.torn_down.set(true);
        drop(joiners);
        drop(generic);
        drop(foreign);
        let arena: Vec<_> = self.arena.borrow_mut().drain(..).collect();
        drop(arena);
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        registry::unregister(self.tag);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Sim, SimConfig};

    /// Slots in the task table after spawning `n` tasks that each wake themselves, abort
    /// themselves (leaving a stale run-queue entry) and are detached.
    fn slots_after_self_aborts(config: SimConfig, n: usize) -> usize {
        let sim = Sim::with_config(config);
        for _ in 0..n {
            let me: std::rc::Rc<std::cell::Cell<Option<crate::JoinHandle<()>>>> = Default::default();
            let me2 = me.clone();
            let handle = sim.spawn("self-aborter", async move {
                let handle = me2.take().expect("set before the first poll");
                std::future::poll_fn(|cx| {
                    cx.waker().wake_by_ref(); // queued again…
                    handle.abort(); // …and aborted: the queue entry goes stale
                    std::task::Poll::<()>::Pending
                })
                .await
            });
            me.set(Some(handle));
            sim.run_until_stalled().unwrap();
        }
        sim.shared.core.borrow().tasks.len()
    }

    #[test]
    fn a_task_that_aborts_itself_while_queued_frees_its_slot() {
        for config in [SimConfig::new(), SimConfig::new().no_trace()] {
            assert_eq!(slots_after_self_aborts(config, 50), 1, "one slot, reused by every task");
        }
    }
}
