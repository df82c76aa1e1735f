//! Proptest strategies for random programs, one subset per back end.
//!
//! Programs are generated raw (any op, any target) and then made valid by [`fix`], a
//! deterministic pass, so proptest's shrinking (dropping ops and tasks, lowering numbers)
//! works on the raw form and every shrunk program is valid too.
//!
//! The MicroPython subset keeps what has one meaning on both sides:
//! * a task is spawned at most once, by a task with a lower index (no cycles); main spawns
//!   the tasks no op spawns, first thing, and sleeps 200 ms before it returns;
//! * odd tasks may be cancelled and never use `WaitFor` (asyncio's `wait_for` awaits a runner
//!   task that a cancel would reach first); even tasks may be awaited, each by one `Await`
//!   (asyncio lets several tasks await one, fwsim's `JoinHandle` is one awaiter's); a cancel
//!   of a task that awaits another reaches that one too (fwsim's back end awaits with
//!   `JoinHandle::abort_on_drop`, as asyncio forwards the cancel);
//! * no task cancels itself or main, and no task re-acquires a lock it holds;
//! * `Gather` is in even tasks only (its children are asyncio tasks, as `Await`'s target is),
//!   and its children only mark and yield: fwsim-primitives' `gather` runs its
//!   children in its caller's turns, so children woken by events in another order than theirs
//!   can run in another order than asyncio's child tasks (its docs say how). Half the gathers
//!   have a failing child, which fails after its sibling has ended (asyncio's siblings of a
//!   failed child run on, detached; Rust's are dropped);
//! * a task that a forwarded cancel can reach (down an odd task's chain of `Await`s) has no
//!   `Gather` or `WaitFor` either;
//! * `Message` waiters are even tasks (a cancelled first waiter leaves a helper task behind in
//!   the toolkit, not in the port), and the embassy subset has no `Message`.

use proptest::prelude::*;

use fwsim_programs::{End, Op, Program};

/// The most tasks a program has.
pub const MAX_TASKS: usize = 5;

/// Main sleeps this long before it returns (longer than any chain of sleeps in a body).
pub const MAIN_GRACE_MS: u32 = 200;

/// An op before [`fix`]: targets are reduced modulo the program's sizes.
#[derive(Clone, Debug)]
pub enum RawOp {
    /// A mark (labels are numbered in order by `fix`).
    Mark,
    /// Sleep (see `duration`).
    Sleep(u8),
    /// Yield.
    Yield,
    /// A busy section (see `duration`).
    Busy(u8),
    /// Spawn.
    Spawn(u8),
    /// Wait for an event.
    Wait(u8),
    /// Set an event.
    Set(u8),
    /// Clear an event.
    Clear(u8),
    /// Arm an interrupt that sets a flag (delay, flag).
    Isr(u8, u8),
    /// Wait for a flag.
    WaitFlag(u8),
    /// Set a flag from a task; the high bit adds a yield right after (the setter that goes on
    /// running is where an I/O-readiness wake and a plain wake order differently).
    SetFlag(u8),
    /// Set a message.
    MsgSet(u8),
    /// Wait for a message and clear it.
    MsgWait(u8),
    /// Hold a lock around a body.
    Locked(u8, Vec<RawOp>),
    /// Cancel.
    Abort(u8),
    /// Await.
    Await(u8),
    /// Wait for an event with a timeout (see `duration`).
    WaitFor(u8, u8),
    /// Gather two bodies (their marks and yields); the third number picks a failing child
    /// (0: none, 1: the first, 2: the second, else none).
    Gather(Vec<RawOp>, Vec<RawOp>, u8),
}

fn leaf_op() -> impl Strategy<Value = RawOp> {
    prop_oneof![
        8 => Just(RawOp::Mark),
        3 => any::<u8>().prop_map(RawOp::Sleep),
        2 => Just(RawOp::Yield),
        2 => any::<u8>().prop_map(RawOp::Busy),
        5 => any::<u8>().prop_map(RawOp::Spawn),
        2 => any::<u8>().prop_map(RawOp::Wait),
        3 => any::<u8>().prop_map(RawOp::Set),
        1 => any::<u8>().prop_map(RawOp::Clear),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(d, f)| RawOp::Isr(d, f)),
        2 => any::<u8>().prop_map(RawOp::WaitFlag),
        3 => any::<u8>().prop_map(RawOp::SetFlag),
        1 => any::<u8>().prop_map(RawOp::MsgSet),
        2 => any::<u8>().prop_map(RawOp::MsgWait),
        2 => any::<u8>().prop_map(RawOp::Abort),
        2 => any::<u8>().prop_map(RawOp::Await),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(e, t)| RawOp::WaitFor(e, t)),
    ]
}

fn raw_op() -> impl Strategy<Value = RawOp> {
    // Lock blocks one level deep, with a lock block nested inside now and then.
    let inner = prop_oneof![
        8 => leaf_op(),
        1 => (any::<u8>(), prop::collection::vec(leaf_op(), 0..3)).prop_map(|(l, body)| RawOp::Locked(l, body)),
    ];
    let child = || prop::collection::vec(leaf_op(), 0..4);
    prop_oneof![
        8 => leaf_op(),
        2 => (any::<u8>(), prop::collection::vec(inner, 0..4)).prop_map(|(l, body)| RawOp::Locked(l, body)),
        1 => (child(), child(), any::<u8>()).prop_map(|(a, b, f)| RawOp::Gather(a, b, f)),
    ]
}

/// Random raw programs of 1–5 tasks of up to 10 ops each.
pub fn raw_programs() -> impl Strategy<Value = Vec<Vec<RawOp>>> {
    (1..=MAX_TASKS).prop_flat_map(|n| prop::collection::vec(prop::collection::vec(raw_op(), 0..10), n))
}

/// Random programs of the MicroPython subset (see the module docs).
pub fn micropython_programs() -> impl Strategy<Value = Program> {
    raw_programs().prop_map(|raw| fix(&raw, Subset::MicroPython))
}

/// Random programs of the embassy subset that finish all their tasks (checked on fwsim:
/// the oracle checks it again, and a task left behind would hold an embassy pool slot).
pub fn embassy_programs() -> impl Strategy<Value = Program> {
    raw_programs()
        .prop_map(|raw| fix(&raw, Subset::Embassy))
        .prop_filter("every task must finish", |p| crate::fwsim_backend::run_embassy(p).end == End::Done)
}

/// Which back end's subset [`fix`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subset {
    /// The MicroPython subset (module docs).
    MicroPython,
    /// The embassy subset: no `Abort`; each event waited on by one task and each lock used by
    /// at most two (embassy-sync's `Signal` and `Mutex` keep one waker: a second waiter
    /// evicts the first, a same-instant ping-pong that real embassy spins on for ever); any
    /// task may await any other, once.
    Embassy,
}

struct Fixer {
    subset: Subset,
    tasks: usize,
    spawned: Vec<bool>,
    awaited: Vec<bool>,
    /// Embassy: the task that waits on each event.
    event_owner: [Option<usize>; EVENTS as usize],
    /// Embassy: the tasks that use each lock.
    lock_users: [Vec<usize>; LOCKS as usize],
    /// The task that waits on each flag (a `ThreadSafeFlag` has one waiter).
    flag_owner: [Option<usize>; EVENTS as usize],
    next_label: u8,
}

/// A sleep or timeout from a raw byte: half of them 1–20 ms, half on a 5 ms grid, so that
/// deadlines often coincide (a `WaitFor` that ends early and a sleep to its old deadline, say).
fn duration(n: u8) -> u32 {
    if n < 128 { 1 + u32::from(n) % 20 } else { 5 * (1 + u32::from(n) % 4) }
}

const EVENTS: u8 = 2;
const LOCKS: u8 = 2;

/// A hand-written program (a table row, a fidelity case) with the events and locks that
/// generated ones have.
pub fn program(tasks: Vec<Vec<Op>>) -> Program {
    Program { tasks, events: EVENTS, locks: LOCKS }
}

impl Fixer {
    /// The next mark label (below `TIMED_OUT`).
    fn label(&mut self) -> u8 {
        let l = self.next_label;
        self.next_label = (self.next_label + 1) % fwsim_programs::TIMED_OUT;
        l
    }

    fn ops(&mut self, task: usize, raw: &[RawOp], held: &mut [bool; LOCKS as usize]) -> Vec<Op> {
        let n = self.tasks;
        let mut out = Vec::new();
        for op in raw {
            match op {
                RawOp::Mark => {
                    out.push(Op::Mark(self.label()));
                }
                RawOp::WaitFor(e, t) => {
                    let e = e % EVENTS;
                    let owner = &mut self.event_owner[usize::from(e)];
                    // asyncio's wait_for awaits a runner task: like `Await`, not in tasks
                    // that may be cancelled (the cancel would be forwarded to the runner).
                    let allowed = match self.subset {
                        Subset::MicroPython => task.is_multiple_of(2),
                        Subset::Embassy => *owner.get_or_insert(task) == task,
                    };
                    if allowed {
                        let label = self.label();
                        out.push(Op::WaitFor { event: e, timeout: duration(*t), label });
                    }
                }
                RawOp::Sleep(ms) => out.push(Op::Sleep(duration(*ms))),
                RawOp::Yield => out.push(Op::Yield),
                RawOp::Busy(ms) => out.push(Op::Busy(duration(*ms))),
                RawOp::Spawn(x) => {
                    let target = usize::from(*x) % n;
                    if target > task && !self.spawned[target] {
                        self.spawned[target] = true;
                        out.push(Op::Spawn(target as u8));
                    }
                }
                RawOp::Wait(e) => {
                    let e = e % EVENTS;
                    let owner = &mut self.event_owner[usize::from(e)];
                    if self.subset == Subset::MicroPython || *owner.get_or_insert(task) == task {
                        out.push(Op::Wait(e));
                    }
                }
                RawOp::Set(e) => out.push(Op::Set(e % EVENTS)),
                RawOp::Clear(e) => out.push(Op::Clear(e % EVENTS)),
                RawOp::Isr(d, f) => out.push(Op::Isr { after: duration(*d), flag: f % EVENTS }),
                RawOp::WaitFlag(f) => {
                    let f = f % EVENTS;
                    if *self.flag_owner[usize::from(f)].get_or_insert(task) == task {
                        out.push(Op::WaitFlag(f));
                    }
                }
                RawOp::SetFlag(f) => {
                    out.push(Op::SetFlag(f % EVENTS));
                    if f & 0x80 != 0 {
                        out.push(Op::Yield);
                    }
                }
                // MicroPython only: embassy has no Message. Waiters only in tasks that are never
                // cancelled (the toolkit's cancelled first waiter leaves a task behind that the
                // port cannot start; see fwsim-primitives' `Message`).
                RawOp::MsgSet(m) if self.subset == Subset::MicroPython => out.push(Op::MsgSet(m % EVENTS)),
                RawOp::MsgWait(m) if self.subset == Subset::MicroPython && task.is_multiple_of(2) => {
                    out.push(Op::MsgWait(m % EVENTS))
                }
                RawOp::MsgSet(_) | RawOp::MsgWait(_) => {}
                RawOp::Locked(l, body) => {
                    let l = l % LOCKS;
                    let users = &mut self.lock_users[usize::from(l)];
                    let allowed = self.subset == Subset::MicroPython || users.contains(&task) || users.len() < 2;
                    if allowed && !users.contains(&task) {
                        users.push(task);
                    }
                    if held[usize::from(l)] || !allowed {
                        out.extend(self.ops(task, body, held));
                    } else {
                        held[usize::from(l)] = true;
                        let body = self.ops(task, body, held);
                        held[usize::from(l)] = false;
                        out.push(Op::Locked(l, body));
                    }
                }
                RawOp::Gather(a, b, fail) => {
                    // MicroPython only (embassy has no helper tasks), and only children whose
                    // turns do not depend on wake order (see fwsim-primitives' `gather`):
                    // marks and yields. (Children that sleep share their task's one timer
                    // slot, where asyncio's child tasks key each sleep by its own request: see
                    // CONFORMANCE.md.) In the embassy subset the bodies run in turn.
                    let keep = |ops: &[RawOp]| -> Vec<RawOp> {
                        ops.iter().filter(|o| matches!(o, RawOp::Mark | RawOp::Yield)).cloned().collect()
                    };
                    let (a, b) = (keep(a), keep(b));
                    let (mut a, mut b) = (self.ops(task, &a, held), self.ops(task, &b, held));
                    // A failing child raises after its sibling has ended: asyncio's siblings
                    // of a failed child run on, detached, where fwsim-primitives' `gather`
                    // drops them (a documented difference). asyncio runs the children in turn
                    // once per round, the first before the second, so the first must yield
                    // more often than the second, the second at least as often as the first.
                    let yields = |ops: &[Op]| ops.iter().filter(|o| **o == Op::Yield).count();
                    let fail = match fail % 4 {
                        1 => Some((&mut a, yields(&b) + 1)),
                        2 => Some((&mut b, yields(&a))),
                        _ => None,
                    };
                    let gathered = self.subset == Subset::MicroPython && task.is_multiple_of(2);
                    if let Some((child, at_least)) = fail.filter(|_| gathered) {
                        let n = yields(child);
                        child.extend(std::iter::repeat_n(Op::Yield, at_least.saturating_sub(n)));
                        child.push(Op::Fail);
                    }
                    // Like `Await` and `WaitFor`, not in tasks that may be cancelled: asyncio's
                    // children are tasks of their own, queued before a cancel is delivered.
                    if gathered {
                        out.push(Op::Gather(a, b));
                    } else {
                        out.extend(a);
                        out.extend(b);
                    }
                }
                RawOp::Abort(x) => {
                    let target = usize::from(*x) % n;
                    if self.subset == Subset::MicroPython && target % 2 == 1 && target != task {
                        out.push(Op::Abort(target as u8));
                    }
                }
                RawOp::Await(x) => {
                    let target = usize::from(*x) % n;
                    let even = |x: usize| x.is_multiple_of(2);
                    let allowed = match self.subset {
                        // Odd (cancellable) tasks may await too: the cancel is forwarded.
                        Subset::MicroPython => target >= 2 && even(target),
                        Subset::Embassy => target >= 1,
                    };
                    if allowed && target != task && !self.awaited[target] {
                        self.awaited[target] = true;
                        out.push(Op::Await(target as u8));
                    }
                }
            }
        }
        out
    }
}

/// Makes a raw program valid for `subset` (see the module docs).
pub fn fix(raw: &[Vec<RawOp>], subset: Subset) -> Program {
    let n = raw.len().clamp(1, MAX_TASKS);
    let mut f = Fixer {
        subset,
        tasks: n,
        spawned: vec![false; n],
        awaited: vec![false; n],
        event_owner: [None; EVENTS as usize],
        lock_users: [Vec::new(), Vec::new()],
        flag_owner: [None; EVENTS as usize],
        next_label: 0,
    };
    let mut tasks: Vec<Vec<Op>> = (0..n).map(|t| f.ops(t, &raw[t], &mut [false; LOCKS as usize])).collect();
    if subset == Subset::MicroPython {
        keep_forwarded_cancels_off_helpers(&mut tasks);
    }
    // Tasks no op spawned are started by main first, so every task runs.
    let unspawned: Vec<Op> = (1..n).filter(|t| !f.spawned[*t]).map(|t| Op::Spawn(t as u8)).collect();
    tasks[0].splice(0..0, unspawned);
    // The run ends when main returns: give the other tasks time to run first.
    tasks[0].push(Op::Sleep(MAIN_GRACE_MS));
    Program { tasks, events: EVENTS, locks: LOCKS }
}

/// A cancel of an odd task is forwarded down its chain of `Await`s, and like a cancelled task
/// itself, a task it reaches must not `Gather` or `WaitFor`: asyncio's helper tasks there are
/// queued already and run before the cancel is delivered, where fwsim-primitives' futures go
/// with their task. Odd tasks' `Await`s of such chains are dropped.
fn keep_forwarded_cancels_off_helpers(tasks: &mut [Vec<Op>]) {
    fn each(ops: &[Op], f: &mut impl FnMut(&Op)) {
        for op in ops {
            f(op);
            if let Op::Locked(_, body) = op {
                each(body, f);
            }
        }
    }
    fn reaches_helpers(tasks: &[Vec<Op>], t: usize, seen: &mut Vec<bool>) -> bool {
        if std::mem::replace(&mut seen[t], true) {
            return false;
        }
        let (mut helpers, mut awaited) = (false, Vec::new());
        each(&tasks[t], &mut |op| match op {
            Op::Gather(..) | Op::WaitFor { .. } => helpers = true,
            Op::Await(n) => awaited.push(usize::from(*n)),
            _ => {}
        });
        helpers || awaited.into_iter().any(|n| reaches_helpers(tasks, n, seen))
    }
    fn drop_awaits(ops: &mut Vec<Op>, bad: &[bool]) {
        ops.retain(|op| !matches!(op, Op::Await(n) if bad[usize::from(*n)]));
        for op in ops {
            if let Op::Locked(_, body) = op {
                drop_awaits(body, bad);
            }
        }
    }
    let bad: Vec<bool> = (0..tasks.len()).map(|t| reaches_helpers(tasks, t, &mut vec![false; tasks.len()])).collect();
    for t in (1..tasks.len()).step_by(2) {
        drop_awaits(&mut tasks[t], &bad);
    }
}
