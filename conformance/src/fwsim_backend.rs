//! The fwsim back end: a [`Program`] interpreted as embassy-time tasks on a [`fwsim::Sim`].
//!
//! Under the `MicroPython` policy the program's events and locks are fwsim-primitives'
//! `Event` and `Lock` — the ports of the asyncio primitives the MicroPython oracle runs — so
//! a difference between the two isolates the scheduler.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, NoopRawMutex};
use embassy_time::{Instant, Timer};
use fwsim::{AbortOnDrop, JoinHandle, Policy, Sim, SimConfig, SimError};
use fwsim_primitives::{Event, Lock, Message, ThreadSafeFlag};

use fwsim_programs::embassy::{Spawn, World, run_task};
use fwsim_programs::{End, Mark, Op, Outcome, Program};

/// Task names, so traces and wait reports say which program task is which.
const NAMES: [&str; 8] = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];

struct Ctx {
    program: Program,
    events: Vec<Event<NoopRawMutex>>,
    locks: Vec<Lock<NoopRawMutex>>,
    /// Set by interrupt handlers: a critical-section mutex, as on a board.
    flags: Vec<ThreadSafeFlag<CriticalSectionRawMutex>>,
    messages: Vec<Message<NoopRawMutex, ()>>,
    handles: RefCell<Vec<Option<JoinHandle<()>>>>,
    /// The handles of awaited tasks, while their awaiter waits (so a cancel can reach them).
    awaited: RefCell<Vec<Option<AbortOnDrop<()>>>>,
    /// The task each task awaits, until it has resumed.
    awaiting: RefCell<Vec<Option<u8>>>,
    /// The tasks whose bodies ran to the end, or that were aborted.
    ended: RefCell<Vec<bool>>,
    marks: RefCell<Vec<Mark>>,
    start: Instant,
}

impl Ctx {
    /// What asyncio's `Task.cancel` of `victim`, called by `canceller`, ends up cancelling, as
    /// the task for fwsim to abort (`None`: the cancel changes nothing the program shows).
    /// asyncio walks down the chain of tasks awaiting one another and marks the last:
    /// * the running task itself (the canceller): the mark is overwritten, the cancel is lost;
    /// * a task that has ended while its awaiter has not resumed: that awaiter gets
    ///   `CancelledError` from its await, which the victim re-raises and any other task
    ///   catches;
    /// * otherwise the last task, which ends cancelled; its awaiter catches the error, except
    ///   the victim, which re-raises it. So a victim awaiting nothing, or one task, is
    ///   cancelled (with that task: fwsim's `abort_on_drop` forwards the abort); down a longer
    ///   chain only the last task is.
    fn cancel_target(&self, canceller: u8, victim: u8) -> Option<u8> {
        let (awaiting, ended) = (self.awaiting.borrow(), self.ended.borrow());
        let (mut last, mut depth) = (victim, 0);
        while let Some(next) = awaiting[usize::from(last)] {
            if ended[usize::from(next)] {
                return (last == victim).then_some(victim);
            }
            (last, depth) = (next, depth + 1);
        }
        match depth {
            _ if last == canceller => None,
            0 | 1 => Some(victim),
            _ => Some(last),
        }
    }

    /// Aborts `task` (and, through `abort_on_drop`, the task it awaits), wherever its handle is.
    fn abort(&self, task: u8) {
        let t = usize::from(task);
        if let Some(h) = self.handles.borrow()[t].as_ref() {
            h.abort();
        } else if let Some(h) = self.awaited.borrow()[t].as_ref() {
            h.abort();
        }
        self.ended.borrow_mut()[t] = true;
        if let Some(awaited) = self.awaiting.borrow()[t] {
            self.ended.borrow_mut()[usize::from(awaited)] = true;
        }
    }
}

/// An `Await` in progress: its handle sits in [`Ctx::awaited`] while it waits; dropped with
/// the awaiter, it takes the handle back out and drops it, which aborts the awaited task.
struct Awaiting<'s>(&'s RefCell<Vec<Option<AbortOnDrop<()>>>>, usize);

impl Drop for Awaiting<'_> {
    fn drop(&mut self) {
        // Taken out first: dropping it aborts a task, and the list must not be borrowed then.
        let handle = self.0.borrow_mut()[self.1].take();
        drop(handle);
    }
}

type Body<'s> = Pin<Box<dyn Future<Output = ()> + 's>>;

fn run_ops<'s>(sim: &'s Sim<'s>, cx: &'s Ctx, task: u8, ops: &'s [Op]) -> Body<'s> {
    Box::pin(async move {
        for op in ops {
            match op {
                Op::Mark(label) => {
                    let at = (Instant::now() - cx.start).as_millis();
                    cx.marks.borrow_mut().push((task, *label, at));
                }
                Op::Sleep(ms) => Timer::after_millis(u64::from(*ms)).await,
                Op::Yield => fwsim::yield_now().await,
                Op::Busy(ms) => fwsim::busy_wait(fwsim::ms(u64::from(*ms))),
                Op::Spawn(n) => {
                    let body = &cx.program.tasks[usize::from(*n)];
                    let n = *n;
                    let run = async move {
                        run_ops(sim, cx, n, body).await;
                        cx.ended.borrow_mut()[usize::from(n)] = true;
                    };
                    let handle = sim.spawn(NAMES[usize::from(n) % NAMES.len()], run);
                    cx.handles.borrow_mut()[usize::from(n)] = Some(handle);
                }
                Op::Wait(e) => cx.events[usize::from(*e)].wait().await,
                Op::Set(e) => cx.events[usize::from(*e)].set(),
                Op::Clear(e) => cx.events[usize::from(*e)].clear(),
                Op::Isr { after, flag } => {
                    let at = fwsim::now().saturating_add(fwsim::ms(u64::from(*after)));
                    let flag = &cx.flags[usize::from(*flag)];
                    sim.schedule_isr(at, fwsim::Irq::new(2, 7), move || flag.set());
                }
                Op::WaitFlag(f) => cx.flags[usize::from(*f)].wait().await,
                Op::SetFlag(f) => cx.flags[usize::from(*f)].set(),
                Op::MsgSet(m) => cx.messages[usize::from(*m)].set(()),
                Op::MsgWait(m) => {
                    let m = &cx.messages[usize::from(*m)];
                    m.wait().await;
                    m.clear();
                }
                Op::Locked(l, body) => {
                    let guard = cx.locks[usize::from(*l)].acquire().await;
                    run_ops(sim, cx, task, body).await;
                    drop(guard);
                }
                Op::Abort(n) => {
                    if let Some(target) = cx.cancel_target(task, *n) {
                        cx.abort(target);
                    }
                }
                Op::Await(n) => {
                    let handle = cx.handles.borrow_mut()[usize::from(*n)].take();
                    if let Some(h) = handle {
                        // Ended or cancelled: both count as ended. A cancel of this task reaches
                        // the awaited one, as asyncio forwards it.
                        let slot = usize::from(*n);
                        cx.awaiting.borrow_mut()[usize::from(task)] = Some(*n);
                        cx.awaited.borrow_mut()[slot] = Some(h.abort_on_drop());
                        let awaiting = Awaiting(&cx.awaited, slot);
                        let _ = std::future::poll_fn(|c| {
                            let mut awaited = cx.awaited.borrow_mut();
                            Pin::new(awaited[slot].as_mut().expect("held while awaited")).poll(c)
                        })
                        .await;
                        drop(awaiting);
                        cx.awaiting.borrow_mut()[usize::from(task)] = None;
                    }
                }
                Op::Gather(a, b) => {
                    // A child whose body ends with `Fail` returns an error, which the gather
                    // returns (the program goes on either way).
                    let child = |ops: &'s [Op]| async move {
                        run_ops(sim, cx, task, ops).await;
                        if ops.last() == Some(&Op::Fail) { Err(()) } else { Ok(()) }
                    };
                    let _ = fwsim_primitives::gather([child(a), child(b)]).await;
                }
                Op::Fail => break,
                Op::WaitFor { event, timeout, label } => {
                    let r =
                        fwsim_primitives::wait_for_ms(u64::from(*timeout), cx.events[usize::from(*event)].wait()).await;
                    let label = if r.is_ok() { *label } else { *label | fwsim_programs::TIMED_OUT };
                    let at = (Instant::now() - cx.start).as_millis();
                    cx.marks.borrow_mut().push((task, label, at));
                }
            }
        }
    })
}

/// Runs `program` on fwsim under `policy` and returns its marks.
pub fn run(program: &Program, policy: Policy) -> Outcome {
    fwsim::scope(SimConfig::new().policy(policy).no_trace().watchdog(None), |sim| {
        // Owned by the simulation, so its tasks may borrow it.
        let cx: &Ctx = sim.alloc(Ctx {
            program: program.clone(),
            events: (0..program.events).map(|_| Event::new()).collect(),
            locks: (0..program.locks).map(|_| Lock::new()).collect(),
            flags: (0..program.events).map(|_| ThreadSafeFlag::new()).collect(),
            messages: (0..program.events).map(|_| Message::new()).collect(),
            handles: RefCell::new((0..program.tasks.len()).map(|_| None).collect()),
            awaited: RefCell::new((0..program.tasks.len()).map(|_| None).collect()),
            awaiting: RefCell::new(vec![None; program.tasks.len()]),
            ended: RefCell::new(vec![false; program.tasks.len()]),
            marks: RefCell::new(Vec::new()),
            start: Instant::now(),
        });
        let end = match sim.block_on(run_ops(sim, cx, 0, &cx.program.tasks[0])) {
            Ok(()) => End::Done,
            Err(SimError::Deadlock(_)) => End::Deadlock,
            Err(e) => End::Error(e.to_string()),
        };
        Outcome { marks: cx.marks.take(), end }
    })
}

/// Spawns program tasks on a `Sim` for the embassy interpretation.
struct SimSpawner<'s> {
    sim: &'s Sim<'s>,
    world: &'s World,
    program: &'s Program,
}

impl<'s> Spawn for &'s SimSpawner<'s> {
    fn spawn(&self, task: u8) {
        let me: &'s SimSpawner<'s> = self;
        me.sim.spawn(NAMES[usize::from(task) % NAMES.len()], run_task(me.world, me.program, me, task));
    }

    fn arm_isr(&self, after_ms: u64, flag: u8) {
        let world = self.world;
        let at = fwsim::now().saturating_add(fwsim::ms(after_ms));
        self.sim.schedule_isr(at, fwsim::Irq::new(2, 7), move || world.raise(flag));
    }
}

/// Runs `program` under fwsim's `Embassy` policy with the embassy interpretation (the same
/// code the embassy-executor oracle runs: embassy-sync `Signal`s and `Mutex`es), until every
/// task has finished or nothing can happen any more.
pub fn run_embassy(program: &Program) -> Outcome {
    fwsim::scope(SimConfig::new().policy(Policy::Embassy).no_trace().watchdog(None), |sim| {
        let program: &Program = sim.alloc(program.clone());
        let world: &World = sim.alloc(World::new(program, |ms| fwsim::busy_wait(fwsim::ms(ms))));
        // References only: never dropped, nothing to free.
        let spawner: &SimSpawner<'_> = sim.alloc_borrowing(SimSpawner { sim, world, program });
        world.started(0);
        sim.spawn(NAMES[0], run_task(world, program, spawner, 0));
        let end = match sim.run_until_quiescent(fwsim::secs(3600)) {
            Ok(_) if world.live() == 0 => End::Done,
            Ok(_) => End::Deadlock,
            Err(e) => End::Error(e.to_string()),
        };
        Outcome { marks: world.take_marks(), end }
    })
}
