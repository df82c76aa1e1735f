//! Run orders: which runnable task a scheduler polls next.
//!
//! A real scheduler keeps its runnable tasks in some data structure and takes them out in an
//! order of its own: embassy-executor runs a detached stack in batches, MicroPython's asyncio
//! pops a heap ordered by time keys. That structure *is* the order, so in fwsim a run order is
//! a small queue type implementing [`RunOrder`]: the kernel pushes a task when it becomes
//! runnable ([`RunOrder::push`], with the [`Wake`] that made it so), and before each poll asks
//! how many candidates there are ([`RunOrder::prepare`]) and takes one
//! ([`RunOrder::take`]). Candidate 0 is always the order's own pick; when there are several
//! candidates that moment is a *choice point*, which an [explorer](crate::explore) may answer
//! differently.
//!
//! The built-in orders, one file each, are [`Embassy`] (the default), [`MicroPython`] and
//! [`Fifo`]; [`Order`] names them in configurations and replay files. A new order is one file
//! implementing [`RunOrder`] plus one registration line:
//!
//! ```
//! use fwsim::order::{OrderCx, RunOrder, Runnable, Wake};
//! use fwsim::{Sim, SimConfig};
//!
//! /// Last in, first out, one task at a time.
//! #[derive(Default)]
//! struct Lifo(Vec<Runnable>);
//!
//! impl RunOrder for Lifo {
//!     fn push(&mut self, task: Runnable, _wake: Wake, _cx: &mut OrderCx<'_>) {
//!         self.0.push(task);
//!     }
//!     fn prepare(&mut self, _cx: &mut OrderCx<'_>) -> usize {
//!         self.0.len()
//!     }
//!     fn candidate(&self, i: usize) -> Runnable {
//!         self.0[self.0.len() - 1 - i]
//!     }
//!     fn take(&mut self, i: usize) -> Runnable {
//!         self.0.remove(self.0.len() - 1 - i)
//!     }
//! }
//!
//! let log = std::cell::RefCell::new(Vec::new());
//! let sim = Sim::with_config(SimConfig::new().custom_order(Lifo::default));
//! for name in ["a", "b", "c"] {
//!     let log = &log;
//!     sim.spawn(name, async move { log.borrow_mut().push(name) });
//! }
//! sim.run_until_stalled().unwrap();
//! assert_eq!(*log.borrow(), ["c", "b", "a"]);
//! ```

mod embassy;
mod fifo;
mod micropython;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use embassy::Embassy;
pub use fifo::Fifo;
pub use micropython::MicroPython;

use crate::sim::TaskId;
use crate::time::SimTime;

/// A runnable task as a run order holds it: an opaque, copyable token that the order keeps
/// and hands back from [`RunOrder::take`]. (Which task it is: [`Wake::task`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Runnable(pub(crate) u32);

/// Why a task became runnable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// It was spawned.
    Spawn,
    /// A task (itself included), or code outside the tasks, woke it.
    Wake,
    /// An interrupt handler woke it.
    Interrupt,
    /// Task code woke it as an I/O-readiness event ([`wake_from_io`](crate::wake_from_io)):
    /// a `ThreadSafeFlag` set by a task, which asyncio delivers through its IO poll.
    Io,
    /// Its timer expired.
    Timer {
        /// The deadline that expired.
        deadline: SimTime,
        /// The sequence number (see [`OrderCx::next_seq`]) of the request its sleep counts
        /// from: the latest one that set or confirmed this deadline, or an earlier request
        /// for it that the queue ignored while an earlier deadline was queued.
        requested: u64,
        /// The sequence number of the last call that asked for this very deadline. A live
        /// timer asks again at every poll of its task: one older than the task's last poll
        /// belongs to a timer that was dropped.
        renewed: u64,
    },
}

/// One wake, as a run order sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wake {
    /// The task.
    pub task: TaskId,
    /// Why it is runnable.
    pub cause: Cause,
    /// Whether the task is being polled right now (it woke itself, or something it called
    /// did: a yield, a timer already due).
    pub running: bool,
}

/// What the kernel lends a run order: the time, and the simulation-wide sequence counter that
/// also numbers timer requests (so that an order can interleave wakes with them).
pub struct OrderCx<'a> {
    pub(crate) now: u64,
    pub(crate) seq: &'a mut u64,
}

impl OrderCx<'_> {
    /// The virtual time.
    pub fn now(&self) -> SimTime {
        SimTime(self.now)
    }
    /// A new sequence number, larger than every one handed out before in this simulation.
    pub fn next_seq(&mut self) -> u64 {
        *self.seq += 1;
        *self.seq
    }
}

/// A run order: the queue of runnable tasks of one executor. See the [module docs](self).
///
/// The kernel guarantees: a task is pushed only when it is not queued (a wake while it is
/// queued goes to [`wake_while_queued`](Self::wake_while_queued) instead); `candidate` and
/// `take` get an index below what the last `prepare` returned, and `take` is called once per
/// `prepare`.
pub trait RunOrder {
    /// A task became runnable.
    fn push(&mut self, task: Runnable, wake: Wake, cx: &mut OrderCx<'_>);
    /// A queued task was woken again (the wakes coalesce: it runs once). Nothing by default.
    fn wake_while_queued(&mut self, task: Runnable, wake: Wake, cx: &mut OrderCx<'_>) {
        let _ = (task, wake, cx);
    }
    /// Readies the next pick; returns how many candidates there are (0: none is runnable).
    fn prepare(&mut self, cx: &mut OrderCx<'_>) -> usize;
    /// Candidate `i` of the prepared pick; 0 is the order's own choice.
    fn candidate(&self, i: usize) -> Runnable;
    /// Removes and returns candidate `i` of the prepared pick.
    fn take(&mut self, i: usize) -> Runnable;
    /// `prepare` then `take(0)` in one step, for runs with no explorer; also says whether
    /// there was a choice (two or more candidates). Override it only to make it faster.
    #[inline(always)]
    fn pop(&mut self, cx: &mut OrderCx<'_>) -> Option<(Runnable, bool)> {
        match self.prepare(cx) {
            0 => None,
            n => Some((self.take(0), n >= 2)),
        }
    }
    /// A poll of `task` ended (it may be queued again already).
    fn poll_ended(&mut self, task: Runnable) {
        let _ = task;
    }
    /// `task` finished; forget anything kept about it (its slot will be reused).
    fn finished(&mut self, task: Runnable) {
        let _ = task;
    }
    /// Timers that expire together are pushed in embassy's order (descending insertion, as
    /// the integrated timer queue wakes them) unless this says registration order.
    fn expired_in_registration_order(&self) -> bool {
        false
    }
    /// The built-in order this is, if it is one (replay files name it).
    fn built_in(&self) -> Option<Order> {
        None
    }
}

/// The built-in run orders, by name: what configurations, schedules and replay files say.
///
/// The exact rules each reproduces, row by row, are in `shared/SEMANTICS.md` and in the
/// `conformance_*` tests; the rows of that table with no Rust meaning are listed in
/// [`MicroPython`]'s docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Order {
    /// embassy-executor's batch/LIFO order ([`Embassy`]); the default.
    #[default]
    Embassy,
    /// MicroPython asyncio V3's (key, push sequence) order ([`MicroPython`]).
    MicroPython,
    /// First in, first out ([`Fifo`]).
    Fifo,
}

/// Makes a fresh run order for each simulation (orders hold per-simulation state).
#[derive(Clone)]
pub(crate) enum OrderSpec {
    BuiltIn(Order),
    Custom(Arc<dyn Fn() -> Box<dyn RunOrder> + Send + Sync>),
}

impl fmt::Debug for OrderSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderSpec::BuiltIn(o) => write!(f, "{o:?}"),
            OrderSpec::Custom(_) => write!(f, "custom order"),
        }
    }
}

/// An executor's run queue: the built-in orders as themselves (so that the hot path calls
/// them directly, with no indirect call), any other behind the trait. With an explicit tag:
/// the hot path checks which order it holds several times per poll, and a tag is one compare
/// where a niche in a field needs a decode.
#[repr(u8)]
pub(crate) enum RunQueue {
    Embassy(Embassy),
    MicroPython(MicroPython),
    Fifo(Fifo),
    Custom(Box<dyn RunOrder>),
}

/// Calls the same method on whichever order a `RunQueue` holds.
macro_rules! each {
    ($q:expr, $o:ident => $e:expr) => {
        match $q {
            RunQueue::Embassy($o) => $e,
            RunQueue::MicroPython($o) => $e,
            RunQueue::Fifo($o) => $e,
            RunQueue::Custom($o) => $e,
        }
    };
}

impl RunQueue {
    /// Which built-in order this queue holds as itself (a custom one is `None`, whatever it
    /// says it is: the kernel's lean modes need the concrete type).
    pub(crate) fn built_in_variant(&self) -> Option<Order> {
        match self {
            RunQueue::Embassy(_) => Some(Order::Embassy),
            RunQueue::MicroPython(_) => Some(Order::MicroPython),
            RunQueue::Fifo(_) => Some(Order::Fifo),
            RunQueue::Custom(_) => None,
        }
    }

    pub(crate) fn new(spec: &OrderSpec) -> Self {
        match spec {
            OrderSpec::BuiltIn(Order::Embassy) => RunQueue::Embassy(Embassy::default()),
            OrderSpec::BuiltIn(Order::MicroPython) => RunQueue::MicroPython(MicroPython::default()),
            OrderSpec::BuiltIn(Order::Fifo) => RunQueue::Fifo(Fifo::default()),
            OrderSpec::Custom(make) => RunQueue::Custom(make()),
        }
    }

    /// An empty queue of `spec`'s order in place of this one, reusing this one's allocations
    /// when it is the same built-in order.
    #[inline]
    pub(crate) fn reset(&mut self, spec: &OrderSpec) {
        match (&mut *self, spec) {
            (RunQueue::Fifo(q), OrderSpec::BuiltIn(Order::Fifo)) => q.clear(),
            (RunQueue::Embassy(q), OrderSpec::BuiltIn(Order::Embassy)) => q.clear(),
            _ => self.rebuild(spec),
        }
    }

    /// A new queue in place of this one: of another order, or of the MicroPython one, whose
    /// ordered sets keep no allocations to reuse.
    #[inline(never)]
    fn rebuild(&mut self, spec: &OrderSpec) {
        *self = RunQueue::new(spec);
    }
}

impl RunOrder for RunQueue {
    #[inline(always)]
    fn push(&mut self, task: Runnable, wake: Wake, cx: &mut OrderCx<'_>) {
        each!(self, q => q.push(task, wake, cx))
    }
    #[inline(always)]
    fn wake_while_queued(&mut self, task: Runnable, wake: Wake, cx: &mut OrderCx<'_>) {
        each!(self, q => q.wake_while_queued(task, wake, cx))
    }
    #[inline(always)]
    fn prepare(&mut self, cx: &mut OrderCx<'_>) -> usize {
        each!(self, q => q.prepare(cx))
    }
    #[inline(always)]
    fn candidate(&self, i: usize) -> Runnable {
        each!(self, q => q.candidate(i))
    }
    #[inline(always)]
    fn take(&mut self, i: usize) -> Runnable {
        each!(self, q => q.take(i))
    }
    #[inline(always)]
    fn pop(&mut self, cx: &mut OrderCx<'_>) -> Option<(Runnable, bool)> {
        each!(self, q => q.pop(cx))
    }
    #[inline(always)]
    fn poll_ended(&mut self, task: Runnable) {
        each!(self, q => q.poll_ended(task))
    }
    fn finished(&mut self, task: Runnable) {
        each!(self, q => q.finished(task))
    }
    fn expired_in_registration_order(&self) -> bool {
        each!(self, q => q.expired_in_registration_order())
    }
    fn built_in(&self) -> Option<Order> {
        each!(self, q => q.built_in())
    }
}

/// A built-in order, which a lean simulation's loop is compiled for (see `kernel::mode`).
pub(crate) trait BuiltIn: RunOrder {
    /// This order in a queue that holds it (the kernel checked which one when it chose the
    /// mode: anything else is a bug).
    fn of(queue: &mut RunQueue) -> &mut Self;
}

macro_rules! built_in {
    ($t:ident) => {
        impl BuiltIn for $t {
            #[inline(always)]
            fn of(queue: &mut RunQueue) -> &mut Self {
                match queue {
                    RunQueue::$t(q) => q,
                    _ => unreachable!(concat!("fwsim: a lean simulation's queue is not ", stringify!($t))),
                }
            }
        }
    };
}
built_in!(Embassy);
built_in!(MicroPython);
built_in!(Fifo);
