//! The program language of fwsim's differential conformance tests: small scheduler programs
//! that every back end can run.
//!
//! A [`Program`] is a list of task bodies; task 0 is `main`, the others start only when a
//! [`Op::Spawn`] runs. Bodies are straight-line (no loops), so every program ends: with
//! `main` returning, or with a deadlock. What a run produces is its [`Outcome`]: the marks the
//! tasks logged, each with the task and the virtual time in ms, and how it ended.

use serde::{Deserialize, Serialize};

pub mod embassy;

/// One step of a task body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Log mark `label`.
    Mark(u8),
    /// Sleep this many ms.
    Sleep(u32),
    /// Let the others run (`sleep(0)` / `yield_now`).
    Yield,
    /// Block for this many ms without yielding: a busy section (a blocking driver call,
    /// `time.sleep_ms`, `fwsim::busy_wait`). Virtual time passes and no other task runs.
    Busy(u32),
    /// Start task `n` (each task is spawned by at most one op).
    Spawn(u8),
    /// Wait for event `n`.
    Wait(u8),
    /// Set event `n`.
    Set(u8),
    /// Clear event `n`.
    Clear(u8),
    /// Arm a one-shot interrupt `after` ms from now whose handler sets flag `flag` (a
    /// `ThreadSafeFlag`; MicroPython's hard IRQ, fwsim's `schedule_isr`). Flags are numbered
    /// like events (`Program::events` of them).
    Isr {
        /// Delay to the interrupt, ms.
        after: u32,
        /// The flag its handler sets.
        flag: u8,
    },
    /// Wait for flag `n` (one waiting task per flag, as `ThreadSafeFlag` allows).
    WaitFlag(u8),
    /// Set flag `n` from a task (asyncio wakes its waiter at the loop's next IO poll, not at
    /// once).
    SetFlag(u8),
    /// Set message `n` (the toolkit's `Message`; messages are numbered like events).
    MsgSet(u8),
    /// Wait for message `n`, then clear it, as the toolkit asks its waiters to.
    MsgWait(u8),
    /// Hold lock `n` around these ops (`async with lock:`; released on cancellation too).
    Locked(u8, Vec<Op>),
    /// Cancel task `n` if it has been spawned (`task.cancel()` / `JoinHandle::abort`).
    Abort(u8),
    /// Wait for task `n` to end if it has been spawned (a cancelled task counts as ended).
    Await(u8),
    /// Run two bodies together and wait for both (asyncio's `gather`, fwsim-primitives'
    /// `gather`; see [`Op::Fail`]). The bodies log marks as the task that gathers.
    Gather(Vec<Op>, Vec<Op>),
    /// Raise: only as the last op of a `Gather` child, whose gather then fails (asyncio's
    /// `gather` raises the child's exception, which the gathering task catches and goes on;
    /// fwsim-primitives' `gather` returns the child's `Err`).
    Fail,
    /// Wait for an event for at most `timeout` ms, then log mark `label` if it came, or
    /// `label | 0x80` if the wait timed out (asyncio's `wait_for_ms`, fwsim-primitives'
    /// `wait_for_ms`, embassy's `with_timeout`).
    WaitFor {
        /// The event.
        event: u8,
        /// The timeout, ms.
        timeout: u32,
        /// The mark to log (below 0x80).
        label: u8,
    },
}

/// The bit added to a [`Op::WaitFor`] label when the wait timed out.
pub const TIMED_OUT: u8 = 0x80;

/// A scheduler program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Task bodies; task 0 is `main`.
    pub tasks: Vec<Vec<Op>>,
    /// How many events the program uses.
    pub events: u8,
    /// How many locks the program uses.
    pub locks: u8,
}

/// One logged mark: `(task, label, ms since the start)`.
pub type Mark = (u8, u8, u64);

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum End {
    /// `main` returned.
    Done,
    /// `main` could never run again and nothing was scheduled.
    Deadlock,
    /// The back end failed (a message).
    Error(String),
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The marks, in the order logged.
    pub marks: Vec<Mark>,
    /// How it ended.
    pub end: End,
}

impl Program {
    /// Every op of task `t`, nested ones included.
    pub fn ops_of(&self, t: usize) -> Vec<&Op> {
        fn walk<'a>(ops: &'a [Op], out: &mut Vec<&'a Op>) {
            for op in ops {
                out.push(op);
                if let Op::Locked(_, body) = op {
                    walk(body, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.tasks[t], &mut out);
        out
    }
}

/// Where two outcomes first differ, for failure messages.
pub fn first_difference(a: &Outcome, b: &Outcome) -> Option<String> {
    for (i, (x, y)) in a.marks.iter().zip(&b.marks).enumerate() {
        if x != y {
            return Some(format!("mark {i}: {x:?} vs {y:?}"));
        }
    }
    if a.marks.len() != b.marks.len() {
        let i = a.marks.len().min(b.marks.len());
        return Some(format!("mark {i}: {:?} vs {:?}", a.marks.get(i), b.marks.get(i)));
    }
    (a.end != b.end).then(|| format!("end: {:?} vs {:?}", a.end, b.end))
}
