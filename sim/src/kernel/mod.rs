//! The simulation core: task table, run queues, timers, events, the run loop.
//!
//! Re-entrancy is the rule here: a poll can call back into the core (wakes, timers, busy time,
//! spawns, interrupts), so no `RefCell` borrow is ever held across a call into user code — a
//! future is polled in place through a pointer and taken out of its entry only to be dropped,
//! interrupt handlers are taken out of their slot while run, and `Waker`s that are not ours are
//! woken (or dropped) only after the borrow is released.
//!
//! Speed: the common configuration (one executor, no explorer, no trace, no cost model, no poll
//! spans, not strict) is *lean*. There is one run loop, one wake path and one pick, each
//! generic over a [`Mode`](mode): the optional work (trace records, cost accounting, strict
//! stops behind `M::EXTRAS`, the explorer behind `M::EXPLORES`) is compiled out of an instance
//! that cannot need it (as embassy-executor compiles its trace hooks in or out), which calls
//! its built-in order directly; a fuzz campaign's executions run with the explorer and no
//! extras. Entry points choose the instance once per call from `Core::mode`.
//! `lean_path_matches_general_path` in `tests/determinism.rs` runs generated programs both
//! ways and compares what they observe.
//!
//! The kernel names no run order and no explorer: it calls them through
//! [`RunQueue`](crate::order) and [`ExplorerSlot`](crate::explore).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};

use crate::config::{Irq, SimConfig, TimerQueueKind};
use crate::context::Entered;
use crate::diag::{Diagnostic, SimError, TaskReport, WaitReport, WaitState};
use crate::explore::{Anchor, ChoiceKind, ChoicePoint, ExplorerSlot};
use crate::order::{Cause, Embassy, Fifo, MicroPython, Order, OrderCx, OrderSpec, RunOrder, RunQueue, Runnable, Wake};
use crate::policy::Deviation;
use crate::registry::{self, Inbox};
use crate::sim::JoinError;
use crate::sim::TaskId;
use crate::time::SimTime;
use crate::time::{ns_to_ticks, ticks_to_ns};
use crate::timerq::{Expired, GenericTimerQueue, IntegratedTimerQueue};
use crate::trace::{Kind, Record, Recorder, TaskRef};
use crate::waker;

mod abort;
mod blocks;
mod bump;
mod choice;
mod events;
mod executors;
mod explain;
mod findings;
mod interrupts;
mod invariants;
mod join;
mod mode;
mod poll;
mod recycle;
mod run;
mod spin;
mod task;
mod tasks;
mod timers;
mod wake;

use choice::*;
use events::*;
use executors::Executors;
use findings::*;
use interrupts::*;
use mode::*;
pub use poll::panic_message;
use poll::*;
use run::*;
pub(crate) use run::{RunEnd, RunSpec, Stop};
pub(crate) use task::{IsrFn, TaskBox, TaskCell};
pub(crate) use tasks::TaskKey;

/// Writes one artifact into a directory.
pub(crate) type ArtifactWriter = Box<dyn Fn(&std::path::Path) -> std::io::Result<()>>;
use tasks::*;
use timers::*;

/// Everything mutable about a simulation except the futures and interrupt closures, in parts
/// that each belong to one job (and one file of this module).
pub(crate) struct Core {
    /// The tasks: states, names, join bookkeeping (`tasks`).
    tasks: TaskTable,
    /// Each executor's run queue, in executor order (`order`).
    executors: Executors,
    /// Choice points and who answers them (`choice`).
    choices: Choices,
    /// The clock and the scheduled interrupt events (`events`).
    pub(crate) clock: Clock,
    /// The timer queues behind the embassy-time driver (`timers`).
    timers: Timers,
    /// Interrupt context: handlers running, handlers deferred by a critical section
    /// (`interrupts`).
    pub(crate) irq: Interrupts,
    /// The poll under way (`poll`).
    pub(crate) poll: PollState,
    /// Diagnostics and the strict stop (`findings`).
    pub(crate) findings: Findings,
    /// What the run records.
    pub(crate) trace: Recorder,
    /// How the hot path is compiled for this simulation (see `mode`).
    mode: ModeKind,
}

/// How many of the last polls a same-instant loop report names.
const RECENT: usize = 8;

/// A simulation's state, shared by the `Sim`, its join handles and the thread-local pointer.
pub(crate) struct Shared {
    /// The current run's tag, which its wakers carry (see `waker`).
    pub(crate) tag: u32,
    /// The end of the tags this simulation may give its next runs (`registry::rekey`).
    tags_end: u32,
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) core: RefCell<Core>,
    isr_fns: RefCell<Vec<Option<IsrFn>>>,
    isr_free: RefCell<Vec<u32>>,
    /// The values of `Sim::alloc` (`bump`).
    pub(crate) arena: RefCell<bump::Bump>,
    /// The blocks of dropped tasks, for the next ones of their sizes.
    pub(crate) blocks: blocks::Blocks,
    /// What else to write into a failure's artifacts directory (a board's waveform…), by
    /// file-name stem.
    pub(crate) artifact_writers: RefCell<Vec<(String, ArtifactWriter)>>,
    pub(crate) torn_down: Cell<bool>,
    pub(crate) in_run: Cell<bool>,
    /// How deep inside [`hosting`](crate::hosting) sections the running code is: timers set
    /// there under foreign wakers belong to a hosted executor's tasks.
    pub(crate) hosting: Cell<u32>,
    /// The slot `Stop::TaskDone` waits for, and whether it has finished.
    awaited: Cell<Option<u32>>,
    awaited_done: Cell<bool>,
    /// What must hold at every step ([`Sim::invariant`](crate::Sim::invariant)).
    pub(crate) invariants: invariants::Invariants,
    /// Awaiter slot → (its generation, the task it awaits through an `AbortOnDrop`): an abort
    /// of the awaiter reaches that task at once (`join`).
    abort_links: RefCell<std::collections::BTreeMap<u32, (u32, TaskKey)>>,
    /// Shared with the fuzz loop, which starts every execution from the same configuration.
    pub(crate) config: Rc<SimConfig>,
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
    /// Whether whoever runs this simulation keeps its thread quiet around the whole of it (a
    /// fuzz execution does, see `fuzz::execute`): then a poll or a handler needs no quiet
    /// section of its own.
    pub(crate) quiet_around: Cell<bool>,
}

/// `Shared::polling` between polls: no waker has this word (tags stay below `u32::MAX`).
pub(crate) const NOT_POLLING: usize = usize::MAX;

impl Core {
    fn new(cfg: &SimConfig, lent: Option<Box<crate::explore::LentExplorer>>) -> std::io::Result<Self> {
        let mut choices = Choices::new();
        choices.answer_with(cfg, lent);
        Ok(Core {
            tasks: TaskTable::default(),
            executors: Executors::new(cfg.with_order_spec(RunQueue::new)),
            choices,
            clock: Clock {
                now: cfg.start.as_nanos(),
                seq: 0,
                events: BinaryHeap::new(),
                due_hint: u64::MAX,
                past_limit: u64::MAX,
                instant_polls: 0,
                busy: 0,
            },
            timers: Timers::new(cfg.timer_queue),
            irq: Interrupts::default(),
            poll: PollState::default(),
            findings: Findings { diags: Vec::new(), strict: cfg.strict, strict_stop: None, stopped_by: None },
            trace: Recorder::new(&cfg.trace)?,
            mode: ModeKind::General,
        })
    }

    /// Moves the clock (never backwards: callers check), which starts a new instant.
    #[inline]
    fn set_now(&mut self, t: u64) {
        self.clock.now = t;
        self.clock.instant_polls = 0;
    }

    #[inline]
    fn next_seq(&mut self) -> u64 {
        self.clock.seq += 1;
        self.clock.seq
    }

    #[inline]
    fn rec(&mut self, kind: Kind, task: u32, source: u32, arg: u64) {
        if self.trace.enabled {
            self.trace.record(Record { at: self.clock.now, arg, task, source, kind });
        }
    }
}

impl Shared {
    /// A new simulation of `config`; with `lent`, that explorer answers its choice points (see
    /// `Choices::lend`).
    pub(crate) fn new(config: Rc<SimConfig>, lent: Option<Box<crate::explore::LentExplorer>>) -> Self {
        fwsim_hooks::install(&HOOKS);
        let inbox = Arc::new(Inbox::default());
        let (tag, tags_end) = registry::register(inbox.clone());
        watch_if_asked(&inbox, &config);
        let PollLimits { has_cost, poll_limit, recent_from } = PollLimits::of(&config);
        let core = Core::new(&config, lent).unwrap_or_else(|e| panic!("fwsim: cannot create the trace file: {e}"));
        let shared = Shared {
            tag,
            tags_end,
            inbox,
            core: RefCell::new(core),
            isr_fns: RefCell::new(Vec::new()),
            isr_free: RefCell::new(Vec::new()),
            arena: RefCell::new(bump::Bump::default()),
            blocks: blocks::Blocks::default(),
            artifact_writers: RefCell::new(Vec::new()),
            torn_down: Cell::new(false),
            in_run: Cell::new(false),
            hosting: Cell::new(0),
            awaited: Cell::new(None),
            awaited_done: Cell::new(false),
            invariants: invariants::Invariants::default(),
            abort_links: RefCell::new(std::collections::BTreeMap::new()),
            has_cost,
            poll_limit,
            recent_from,
            polling: Cell::new(NOT_POLLING),
            poll_clones: Cell::new(0),
            quiet_around: Cell::new(false),
            config,
        };
        shared.update_mode();
        shared
    }

    /// Decides which mode the hot path runs in (see `mode`).
    fn update_mode(&self) {
        let mut c = self.core.borrow_mut();
        let cfg = &self.config;
        let single = c.executors.len() == 1;
        let extras = c.trace.enabled || cfg.poll_spans || self.has_cost || cfg.strict;
        let explores = !c.choices.explorer.is_none();
        let order = if single { c.executors[0].built_in_variant() } else { None };
        c.mode = ModeKind::choose(extras, explores, order);
    }
}

/// What `Shared` derives from its configuration once, for the per-poll path.
struct PollLimits {
    has_cost: bool,
    poll_limit: u64,
    recent_from: u64,
}

impl PollLimits {
    fn of(config: &SimConfig) -> Self {
        let poll_limit = config.same_instant_poll_limit.max(1);
        PollLimits {
            has_cost: config.cost.per_poll_ns > 0 || config.cost.per_wake_ns > 0,
            poll_limit,
            recent_from: poll_limit.saturating_sub(RECENT as u64),
        }
    }
}

/// Arms the watchdog for this simulation if its configuration asks for one.
fn watch_if_asked(inbox: &Inbox, config: &SimConfig) {
    if let Some(limit) = config.watchdog {
        inbox.watch.limit_ms.store(limit.as_millis() as u64, Ordering::Relaxed);
        inbox.watch.enabled.store(true, Ordering::Relaxed);
        crate::watchdog::ensure_watchdog();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        registry::unregister(self.tag);
    }
}

/// What fwsim-primitives reports through `fwsim-hooks` (installed with the first simulation;
/// calls outside a simulation fall back to a plain wake, or nothing).
static HOOKS: fwsim_hooks::Hooks =
    fwsim_hooks::Hooks { wake_from_io: crate::wake_from_io, timer_withdrawn: crate::timer_withdrawn_ticks };
