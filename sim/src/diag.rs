//! Diagnostics: what went wrong (or looked suspicious) in a run, with task names and virtual
//! time.
//!
//! A [`Diagnostic`] is recorded, never thrown: the simulation keeps running, the test reads
//! [`Sim::diagnostics`](crate::Sim::diagnostics) and [`fwsim::test`](fn@crate::test) fails when an
//! error-level one was recorded. With [`SimConfig::strict`](crate::SimConfig) the run methods
//! stop at the first error *or warning* and return it as [`SimError::Strict`].
//!
//! [`SimError`] is what a run method returns when it cannot go on: a deadlock in
//! [`block_on`](crate::Sim::block_on), a livelock that virtual time cannot break, a strict-mode
//! stop.

use std::fmt;

use crate::SimTime;

mod wait;
pub use wait::{TaskReport, WaitReport, WaitState};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Suspicious but legal; works on hardware (strict mode still stops on it).
    Warning,
    /// A bug in the code under test, or a broken simulation contract.
    Error,
}

/// Something the simulator noticed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Diagnostic {
    /// A task panicked; the panic was caught and the simulation goes on.
    TaskPanicked {
        /// `name#serial`.
        task: String,
        /// When.
        at: SimTime,
        /// The panic message.
        message: String,
    },
    /// Every clone of a pending task's waker was dropped without a wake: nothing can ever
    /// wake it again. (A task that never cloned its waker, like `pending().await`, is
    /// *parked*, not lost, and is not reported.)
    WakerDropped {
        /// The lost task.
        task: String,
        /// Who dropped the last clone.
        dropped_by: String,
        /// When.
        at: SimTime,
    },
    /// Tasks kept waking each other at one instant (e.g. embassy-sync's single-waker `Mutex`
    /// or `Signal` with two or more waiters). It works on hardware, where the next interrupt
    /// breaks the loop; the simulator moved on to the next event.
    SameInstantLoop {
        /// Tasks polled in the loop.
        tasks: Vec<String>,
        /// Polls at that instant.
        polls: u64,
        /// The instant.
        at: SimTime,
    },
    /// A poll spun: it read `Instant::now()` (a blocking delay written as a spin) or a
    /// [spin point](crate::spin_point) (a busy-wait on a pin or a status flag) past
    /// [`SimConfig::spin_threshold`](crate::SimConfig) times, and the simulator advanced the
    /// clock a tick per further read. Recorded only in strict mode.
    Spin {
        /// The spinning task.
        task: String,
        /// When the spin was detected.
        at: SimTime,
        /// What it read: `Instant::now()`, `pin BTN`, …
        on: String,
    },
    /// An embassy `Timer` was polled under a waker that no task of this simulation created
    /// (e.g. inside `FuturesUnordered`). On a board with the integrated timer queue this
    /// panics; fwsim falls back to a per-waker timer.
    ForeignWakerTimer {
        /// The running task.
        task: String,
        /// When.
        at: SimTime,
    },
    /// A waker of another (or a dropped) simulation was woken here.
    CrossSimWake {
        /// What was running here.
        woken_by: String,
        /// When.
        at: SimTime,
    },
    /// A task of this simulation was woken from another thread; in deterministic mode the
    /// wake is refused.
    CrossThreadWake {
        /// The task.
        task: String,
        /// The virtual time at which the simulation noticed.
        at: SimTime,
    },
    /// One poll ran for longer than the watchdog's wall-clock limit.
    PollHung {
        /// The task being polled.
        task: String,
        /// Its virtual time.
        at: SimTime,
        /// Wall-clock milliseconds it had run when reported.
        wall_ms: u64,
    },
    /// A task-only primitive (one built on [`IsrCheckedRawMutex`](crate::IsrCheckedRawMutex))
    /// was locked from interrupt context. On a board its `NoopRawMutex` would let the
    /// interrupt tear the state a task was in the middle of changing.
    IsrMisuse {
        /// What was locked: the name given with [`PrimitiveName`](crate::isr::PrimitiveName), else
        /// (best effort) the locking method, e.g. `Event::set`.
        primitive: String,
        /// The interrupt, e.g. `interrupt 7`.
        by: String,
        /// When.
        at: SimTime,
    },
    /// A simulated peripheral or device model saw something that would be a bug on the bench:
    /// a datasheet timing or protocol rule broken, two outputs fighting over one net, a
    /// floating input read. Reported through [`report_hardware`].
    Hardware {
        /// The peripheral or device, e.g. `gpio net PA0` or `htu21d@0x40`.
        device: String,
        /// The rule, a short stable name, e.g. `Contention`, `ReadDuringConversion`.
        rule: &'static str,
        /// What happened, in a sentence.
        detail: String,
        /// The code that caused it: a task, an interrupt, or code outside the tasks.
        by: String,
        /// When.
        at: SimTime,
    },
    /// A replayed schedule did not fit the run.
    ReplayDiverged {
        /// The choice point.
        choice: u64,
        /// Options recorded in the schedule.
        expected_options: u32,
        /// Options found in this run.
        found_options: u32,
        /// When.
        at: SimTime,
    },
}

impl Diagnostic {
    /// How bad it is.
    pub fn severity(&self) -> Severity {
        match self {
            Diagnostic::SameInstantLoop { .. } | Diagnostic::Spin { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The variant's name, e.g. `"WakerDropped"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Diagnostic::TaskPanicked { .. } => "TaskPanicked",
            Diagnostic::WakerDropped { .. } => "WakerDropped",
            Diagnostic::SameInstantLoop { .. } => "SameInstantLoop",
            Diagnostic::Spin { .. } => "Spin",
            Diagnostic::ForeignWakerTimer { .. } => "ForeignWakerTimer",
            Diagnostic::CrossSimWake { .. } => "CrossSimWake",
            Diagnostic::CrossThreadWake { .. } => "CrossThreadWake",
            Diagnostic::PollHung { .. } => "PollHung",
            Diagnostic::IsrMisuse { .. } => "IsrMisuse",
            Diagnostic::Hardware { .. } => "Hardware",
            Diagnostic::ReplayDiverged { .. } => "ReplayDiverged",
        }
    }

    /// The virtual time at which it was recorded.
    pub fn at(&self) -> SimTime {
        match self {
            Diagnostic::TaskPanicked { at, .. }
            | Diagnostic::WakerDropped { at, .. }
            | Diagnostic::SameInstantLoop { at, .. }
            | Diagnostic::Spin { at, .. }
            | Diagnostic::ForeignWakerTimer { at, .. }
            | Diagnostic::CrossSimWake { at, .. }
            | Diagnostic::CrossThreadWake { at, .. }
            | Diagnostic::PollHung { at, .. }
            | Diagnostic::IsrMisuse { at, .. }
            | Diagnostic::Hardware { at, .. }
            | Diagnostic::ReplayDiverged { at, .. } => *at,
        }
    }

    /// The task it concerns (`name#serial`), for the kinds that concern one.
    pub fn task(&self) -> Option<&str> {
        match self {
            Diagnostic::TaskPanicked { task, .. }
            | Diagnostic::WakerDropped { task, .. }
            | Diagnostic::Spin { task, .. }
            | Diagnostic::ForeignWakerTimer { task, .. }
            | Diagnostic::CrossThreadWake { task, .. }
            | Diagnostic::PollHung { task, .. } => Some(task),
            Diagnostic::Hardware { by, .. } => Some(by),
            _ => None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::TaskPanicked { task, at, message } => write!(f, "{at}: task {task} panicked: {message}"),
            Diagnostic::WakerDropped { task, dropped_by, at } => write!(
                f,
                "{at}: task {task} can never run again: the last clone of its waker was dropped by {dropped_by} without a wake"
            ),
            Diagnostic::SameInstantLoop { tasks, polls, at } => write!(
                f,
                "{at}: {polls} polls at one instant, tasks waking each other ({}); advanced to the next event",
                tasks.join(", ")
            ),
            Diagnostic::Spin { task, at, on } => {
                write!(
                    f,
                    "{at}: task {task} spins on {on}; each further read spends a tick of busy time and no other task runs \
                     meanwhile: await instead (a Timer or fwsim's Delay for time, `wait_for_high` for a pin, an async read)"
                )
            }
            Diagnostic::ForeignWakerTimer { task, at } => write!(
                f,
                "{at}: task {task} polled an embassy Timer under a waker no task created (panics on a board with the integrated timer queue)"
            ),
            Diagnostic::CrossSimWake { woken_by, at } => {
                write!(f, "{at}: {woken_by} woke a waker that belongs to another or a dropped simulation")
            }
            Diagnostic::CrossThreadWake { task, at } => {
                write!(f, "{at}: task {task} was woken from another thread (refused in deterministic mode)")
            }
            Diagnostic::PollHung { task, at, wall_ms } => {
                write!(f, "{at}: one poll of task {task} has run for {wall_ms} ms of wall time")
            }
            Diagnostic::IsrMisuse { primitive, by, at } => write!(
                f,
                "{at}: {by} locked {primitive}, a task-only primitive; give it a CriticalSectionRawMutex if interrupts use it"
            ),
            Diagnostic::Hardware { device, rule, detail, by, at } => {
                write!(f, "{at}: {device}: {rule}: {detail} (caused by {by})")
            }
            Diagnostic::ReplayDiverged { choice, expected_options, found_options, at } => write!(
                f,
                "{at}: replay diverged at choice point {choice}: the schedule says {expected_options} options, the run has {found_options}"
            ),
        }
    }
}

/// Why a run method stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimError {
    /// `block_on`'s future (or `join`'s task) cannot progress and nothing is scheduled.
    Deadlock(WaitReport),
    /// Tasks keep waking each other at one instant and no event can break the loop.
    Livelock {
        /// Tasks in the loop.
        tasks: Vec<String>,
        /// When.
        at: SimTime,
    },
    /// `block_on`'s future panicked.
    MainPanicked(String),
    /// Strict mode stopped at this diagnostic.
    Strict(Diagnostic),
    /// An invariant declared with [`Sim::invariant`](crate::Sim::invariant) failed.
    InvariantBroken {
        /// The invariant's name.
        name: String,
        /// When the step that broke it ended.
        at: SimTime,
        /// The step: `a poll of name#id`, or `interrupts and timers`.
        after: String,
    },
    /// The task [`Sim::join`](crate::Sim::join) waited for did not complete.
    Task {
        /// The task, as `name#id`.
        task: String,
        /// How it ended.
        error: crate::JoinError,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Deadlock(r) => write!(f, "deadlock {r}"),
            SimError::Livelock { tasks, at } => {
                write!(f, "{at}: livelock, tasks wake each other for ever at one instant: {}", tasks.join(", "))
            }
            SimError::MainPanicked(m) => write!(f, "the main future panicked: {m}"),
            SimError::Strict(d) => write!(f, "strict mode: {d}"),
            SimError::InvariantBroken { name, at, after } => {
                write!(f, "invariant `{name}` broken at {at}, after {after}")
            }
            SimError::Task { task, error } => write!(f, "{task}: {error}"),
        }
    }
}

impl std::error::Error for SimError {}

impl SimError {
    /// The variant's name, e.g. `"Deadlock"`.
    pub fn kind(&self) -> &'static str {
        match self {
            SimError::Deadlock(_) => "Deadlock",
            SimError::Livelock { .. } => "Livelock",
            SimError::MainPanicked(_) => "MainPanicked",
            SimError::Strict(_) => "Strict",
            SimError::InvariantBroken { .. } => "InvariantBroken",
            SimError::Task { .. } => "Task",
        }
    }
}

/// Reports a [`Diagnostic::Hardware`] on the current simulation, stamped with the virtual time
/// and the running task or interrupt. For peripheral and device models; panics outside a
/// simulation.
pub fn report_hardware(device: impl Into<String>, rule: &'static str, detail: impl Into<String>) {
    let (device, detail) = (device.into(), detail.into());
    crate::context::expect_current(|s| s.report_hardware(device, rule, detail));
}
