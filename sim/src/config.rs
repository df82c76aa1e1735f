//! How a simulation is set up: policy, seed, start time, cost model, strictness, trace.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::explore::{Explorer, ExplorerSlot, SharedExplorer};
use crate::order::{Order, OrderSpec, RunOrder};
use crate::policy::Policy;
use crate::time::{IntoNanos, SimTime};
use crate::trace::TraceConfig;

/// An interrupt source: NVIC-style priority (lower runs first) and IRQ number (tie-break).
///
/// When several sources fall due at the same instant they are delivered in
/// `(priority, number)` order — a choice point that exploring policies may reorder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Irq {
    /// Lower is more urgent, as on Cortex-M.
    pub priority: u8,
    /// The IRQ number.
    pub number: u16,
}

impl Irq {
    /// An interrupt source.
    pub const fn new(priority: u8, number: u16) -> Self {
        Irq { priority, number }
    }
    pub(crate) fn rank(self) -> u32 {
        (self.priority as u32) << 16 | self.number as u32
    }
}

/// The time driver's alarm interrupt by default: priority 0, number 0.
pub const TIMER_IRQ: Irq = Irq::new(0, 0);

/// Fixed CPU costs, charged as busy time, so that "the handler ran too long" or "the interrupt
/// was served late" is reproducible without a wall clock. All zero by default (zero-cost
/// execution: time moves only through timers and explicit busy waits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CostModel {
    /// Nanoseconds charged for every poll.
    pub per_poll_ns: u64,
    /// Nanoseconds charged for every wake a poll makes.
    pub per_wake_ns: u64,
}

/// Which timer queue the simulated board's time driver keeps (see [`crate::timerq`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimerQueueKind {
    /// embassy-executor's integrated queue: one slot per task (the default).
    #[default]
    Integrated,
    /// embassy-time's `generic-queue-N`: `N` `(deadline, waker)` pairs, overflow wakes the
    /// newest early.
    Generic(usize),
}

/// Everything a [`Sim`](crate::Sim) is built from. Each setter returns the config, so it reads
/// as a builder:
///
/// ```
/// use fwsim::{Policy, Sim, SimConfig, SimTime};
/// let sim = Sim::with_config(
///     SimConfig::new().policy(Policy::MicroPython).seed(7).start(SimTime::from_micros(1 << 32)),
/// );
/// assert_eq!(sim.now(), SimTime::from_micros(1 << 32));
/// ```
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Scheduling policy: a run order and an explorer by name. [`order`](Self::order) and
    /// [`explorer`](Self::explorer) override either part.
    pub policy: Policy,
    /// The run order, if not the policy's.
    pub(crate) order: Option<OrderSpec>,
    /// The explorer shared by this configuration's executions, if not the policy's.
    pub(crate) explorer: Option<ExplorerHandle>,
    /// The run's seed: printed on failure, offered to firmware models through
    /// [`Sim::seed`](crate::Sim::seed). Exploring policies carry their own seed.
    pub seed: u64,
    /// Virtual time at power-on. Start near `2^32 µs` or `2^30 ms` to flush out wrap bugs in
    /// firmware that keeps `u32` counters.
    pub start: SimTime,
    /// Fixed CPU costs.
    pub cost: CostModel,
    /// Stop the run (with [`SimError::Strict`](crate::SimError)) at the first diagnostic of any
    /// severity, and report spinning on `Instant::now()` or a [spin point](crate::spin_point).
    pub strict: bool,
    /// Timer queue layout.
    pub timer_queue: TimerQueueKind,
    /// The alarm interrupt's priority and number.
    pub timer_irq: Irq,
    /// What to record.
    pub trace: TraceConfig,
    /// Reads of `Instant::now()` and of [spin points](crate::spin_point) (a pin, a status
    /// flag) within one poll before the poll counts as spinning and each further read
    /// advances the clock by one tick.
    pub spin_threshold: u32,
    /// Polls at one instant before the simulator calls it a same-instant loop and moves to
    /// the next event ([`Diagnostic::SameInstantLoop`](crate::Diagnostic)).
    pub same_instant_poll_limit: u64,
    /// Open a `tracing` span around every poll (for a subscriber that wants them).
    pub poll_spans: bool,
    /// Report a poll that runs longer than this on the wall clock
    /// ([`Diagnostic::PollHung`](crate::Diagnostic), and a line on stderr at once); `None`
    /// turns the watchdog off, and [`long_polls`](crate::long_polls) then never lists this
    /// simulation's polls.
    pub watchdog: Option<std::time::Duration>,
    /// Keep the panic hook quiet for the panics of tasks and interrupt handlers this
    /// simulation catches (they are reported as [`Diagnostic::TaskPanicked`](crate::Diagnostic),
    /// message included): for fuzz loops and scenario runs, whose output they would flood.
    pub quiet_panics: bool,
    /// Scheduled interrupts (stimuli, peripherals' completions) may arrive up to this many
    /// nanoseconds late, in this many steps: each arrival is a choice point an explorer answers
    /// ([`ChoiceKind::Jitter`](crate::explore::ChoiceKind)); with no explorer they are on time.
    pub isr_jitter: Option<(u64, u32)>,
    /// An interrupt due as tasks are about to be polled may instead arrive while they run, as on
    /// a board where a poll takes time, and land at the end of any of their critical sections
    /// or polls at that instant: choice points an explorer answers
    /// ([`ChoiceKind::IntoPolls`](crate::explore::ChoiceKind), then
    /// [`Landing`](crate::explore::ChoiceKind)). It finds a primitive that checks and registers
    /// in two critical sections, with an interrupt between them. With no explorer, interrupts
    /// run between polls.
    pub isr_preemption: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            policy: Policy::Embassy,
            order: None,
            explorer: None,
            seed: 0,
            start: SimTime::ZERO,
            cost: CostModel::default(),
            strict: false,
            timer_queue: TimerQueueKind::Integrated,
            timer_irq: TIMER_IRQ,
            trace: TraceConfig::default(),
            spin_threshold: 1_000,
            same_instant_poll_limit: 100_000,
            poll_spans: false,
            watchdog: Some(std::time::Duration::from_secs(5)),
            quiet_panics: false,
            isr_jitter: None,
            isr_preemption: false,
        }
    }
}

impl SimConfig {
    /// The defaults: `Embassy` policy, seed 0, start at 0, zero cost, lenient, integrated
    /// timer queue, trace on (hash + ring of 4096).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the policy (and drops any [`order`](Self::order) or [`explorer`](Self::explorer)
    /// set before, which the policy names).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self.order = None;
        self.explorer = None;
        self
    }
    /// Sets the run order of the first executor, keeping the explorer.
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(OrderSpec::BuiltIn(order));
        self
    }
    /// Sets a run order of your own (see [`order`](crate::order)): `make` builds a fresh one for
    /// each simulation.
    pub fn custom_order<O: RunOrder + 'static>(mut self, make: impl Fn() -> O + Send + Sync + 'static) -> Self {
        self.order = Some(OrderSpec::Custom(Arc::new(move || Box::new(make()))));
        self
    }
    /// Sets the explorer, shared by every simulation built from this configuration, which
    /// keeps its state across them (see [`explore`](crate::explore)). Keep a clone of the
    /// `Arc` to read that state.
    pub fn explorer<E: Explorer + 'static>(mut self, explorer: Arc<Mutex<E>>) -> Self {
        self.explorer = Some(ExplorerHandle(explorer));
        self
    }
    /// Sets an explorer already shared as a trait object (see [`explorer`](Self::explorer)).
    pub fn shared_explorer(mut self, explorer: SharedExplorer) -> Self {
        self.explorer = Some(ExplorerHandle(explorer));
        self
    }
    /// How simulations of this configuration schedule, in words: the policy, or the order and
    /// explorer that replace its parts.
    pub fn scheduling(&self) -> String {
        match (&self.order, &self.explorer) {
            (None, None) => format!("{:?}", self.policy),
            (order, explorer) => {
                let order = order.as_ref().map_or_else(|| format!("{:?}", self.policy.order()), |o| format!("{o:?}"));
                match explorer {
                    Some(_) => format!("order {order} with a shared explorer"),
                    None if self.policy.has_explorer() => format!("order {order} with {:?}'s explorer", self.policy),
                    None => format!("order {order}"),
                }
            }
        }
    }
    /// Calls `f` with the run order simulations of this configuration use, borrowed when it is
    /// given (a recycled execution then neither clones nor drops it). The policy's is looked up
    /// only when no order is given: a recycled fuzz execution asks once per execution, and the
    /// lookup's jump table, cold each time, was a mispredicted indirect jump.
    #[inline]
    pub(crate) fn with_order_spec<R>(&self, f: impl FnOnce(&OrderSpec) -> R) -> R {
        match &self.order {
            Some(spec) => f(spec),
            None => f(&OrderSpec::BuiltIn(self.policy.order())),
        }
    }
    /// Puts a new simulation's explorer into `slot`, in place. (Returned by value, an empty
    /// slot would be built on the stack in narrower stores than the loads that copy it: a
    /// store-forwarding stall once per fuzz execution.)
    #[inline]
    pub(crate) fn put_explorer(&self, slot: &mut ExplorerSlot) {
        match &self.explorer {
            Some(e) => *slot = ExplorerSlot::Shared(e.0.clone()),
            // Tested inline: a fuzz execution's policy has none, and the policy's own match is
            // a jump table, cold and mispredicted once per execution.
            None if self.policy.has_explorer() => *slot = self.policy.explorer(),
            None if slot.is_none() => {}
            None => *slot = ExplorerSlot::None,
        }
    }
    /// Whether simulations of this configuration ask an explorer shared among them (so that
    /// two executions of it may take different schedules).
    pub fn has_shared_explorer(&self) -> bool {
        self.explorer.is_some()
    }
    /// Replays `schedule` over this configuration's order instead of its explorer.
    pub(crate) fn replaying(mut self, schedule: &crate::Schedule) -> Self {
        let e: SharedExplorer = Arc::new(Mutex::new(crate::explore::Replay::new(schedule)));
        self.explorer = Some(ExplorerHandle(e));
        self
    }
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the start time.
    pub fn start(mut self, start: SimTime) -> Self {
        self.start = start;
        self
    }
    /// Sets the cost model.
    pub fn cost(mut self, cost: CostModel) -> Self {
        self.cost = cost;
        self
    }
    /// Charges `d` for every poll.
    pub fn cost_per_poll(mut self, d: impl IntoNanos) -> Self {
        self.cost.per_poll_ns = d.into_nanos();
        self
    }
    /// Strict mode on or off.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
    /// Sets the timer queue layout.
    pub fn timer_queue(mut self, kind: TimerQueueKind) -> Self {
        self.timer_queue = kind;
        self
    }
    /// Sets the trace configuration.
    pub fn trace(mut self, trace: TraceConfig) -> Self {
        self.trace = trace;
        self
    }
    /// Turns recording off entirely (benchmarks' "tracing off").
    ///
    /// The fastest configuration: with no trace, the embassy policy, no cost model, no poll
    /// spans and strictness off, the run loop and every wake take a lean path, monomorphised
    /// for that case. It behaves exactly as the general one (a test compares them on generated
    /// programs); only the trace, and with it [`Sim::trace_hash`](crate::Sim::trace_hash), is
    /// gone.
    pub fn no_trace(mut self) -> Self {
        self.trace.enabled = false;
        self
    }
    /// Sets the same-instant poll limit.
    pub fn same_instant_poll_limit(mut self, polls: u64) -> Self {
        self.same_instant_poll_limit = polls;
        self
    }
    /// Sets how many reads of the clock or of spin points one poll makes for free before it
    /// counts as spinning ([`SimConfig::spin_threshold`]).
    pub fn spin_threshold(mut self, reads: u32) -> Self {
        self.spin_threshold = reads;
        self
    }

    /// Sets the watchdog limit (`None`: off).
    pub fn watchdog(mut self, limit: Option<std::time::Duration>) -> Self {
        self.watchdog = limit;
        self
    }
    /// Lets scheduled interrupts arrive up to `max` late, in `steps` (≥ 2) evenly spaced
    /// choices: the realizable timing an explorer may try (see
    /// [`explore::Realizable`](crate::explore::Realizable)).
    pub fn isr_jitter(mut self, max: impl IntoNanos, steps: u32) -> Self {
        self.isr_jitter = Some((max.into_nanos(), steps));
        self
    }
    /// Sets [`isr_preemption`](Self::isr_preemption): interrupts may land inside a poll, at
    /// its critical-section exits, where an explorer chooses.
    pub fn isr_preemption(mut self, on: bool) -> Self {
        self.isr_preemption = on;
        self
    }
    /// Sets [`quiet_panics`](Self::quiet_panics).
    pub fn quiet_panics(mut self, quiet: bool) -> Self {
        self.quiet_panics = quiet;
        self
    }
}

/// A configuration's shared explorer (a newtype for `Debug`).
#[derive(Clone)]
pub(crate) struct ExplorerHandle(pub(crate) SharedExplorer);

impl fmt::Debug for ExplorerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("shared explorer")
    }
}
