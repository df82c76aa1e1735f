//! The fwsim back end: a [`Program`] interpreted as embassy-time tasks on a [`fwsim::Sim`].
//!
//! Under the `MicroPython` policy the program's events and locks are fwsim-primitives'
//! `Event` and `Lock` — the ports of the asyncio primitives the MicroPython oracle runs — so
//! a difference between the two isolates the scheduler.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Instant, Timer};
use fwsim::{JoinHandle, Policy, Sim, SimConfig, SimError};
use fwsim_primitives::{Event, Lock};

use crate::program::{End, Mark, Op, Outcome, Program};

/// Task names, so traces and wait reports say which program task is which.
const NAMES: [&str; 8] = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];

struct Ctx<'s> {
    program: &'s Program,
    events: Vec<Event<NoopRawMutex>>,
    locks: Vec<Lock<NoopRawMutex>>,
    handles: RefCell<Vec<Option<JoinHandle<()>>>>,
    marks: RefCell<Vec<Mark>>,
    start: Instant,
}

type Body<'s> = Pin<Box<dyn Future<Output = ()> + 's>>;

fn run_ops<'s>(sim: &'s Sim<'s>, cx: &'s Ctx<'s>, task: u8, ops: &'s [Op]) -> Body<'s> {
    Box::pin(async move {
        for op in ops {
            match op {
                Op::Mark(label) => {
                    let at = (Instant::now() - cx.start).as_millis();
                    cx.marks.borrow_mut().push((task, *label, at));
                }
                Op::Sleep(ms) => Timer::after_millis(u64::from(*ms)).await,
                Op::Yield => fwsim::yield_now().await,
                Op::Spawn(n) => {
                    let body = &cx.program.tasks[usize::from(*n)];
                    let handle = sim.spawn(NAMES[usize::from(*n) % NAMES.len()], run_ops(sim, cx, *n, body));
                    cx.handles.borrow_mut()[usize::from(*n)] = Some(handle);
                }
                Op::Wait(e) => cx.events[usize::from(*e)].wait().await,
                Op::Set(e) => cx.events[usize::from(*e)].set(),
                Op::Clear(e) => cx.events[usize::from(*e)].clear(),
                Op::Locked(l, body) => {
                    let guard = cx.locks[usize::from(*l)].acquire().await;
                    run_ops(sim, cx, task, body).await;
                    drop(guard);
                }
                Op::Abort(n) => {
                    if let Some(h) = cx.handles.borrow()[usize::from(*n)].as_ref() {
                        h.abort();
                    }
                }
                Op::Await(n) => {
                    let handle = cx.handles.borrow_mut()[usize::from(*n)].take();
                    if let Some(h) = handle {
                        let _ = h.await; // ended or cancelled: both count as ended
                    }
                }
            }
        }
    })
}

/// Runs `program` on fwsim under `policy` and returns its marks.
pub fn run(program: &Program, policy: Policy) -> Outcome {
    fwsim::scope(SimConfig::new().policy(policy).no_trace().watchdog(None), |sim| {
        // Owned by the simulation, so its tasks may borrow it.
        let program: &Program = sim.alloc(program.clone());
        let cx: &Ctx<'_> = sim.alloc(Ctx {
            program,
            events: (0..program.events).map(|_| Event::new()).collect(),
            locks: (0..program.locks).map(|_| Lock::new()).collect(),
            handles: RefCell::new((0..program.tasks.len()).map(|_| None).collect()),
            marks: RefCell::new(Vec::new()),
            start: Instant::now(),
        });
        let end = match sim.block_on(run_ops(sim, cx, 0, &program.tasks[0])) {
            Ok(()) => End::Done,
            Err(SimError::Deadlock(_)) => End::Deadlock,
            Err(e) => End::Error(e.to_string()),
        };
        Outcome { marks: cx.marks.take(), end }
    })
}
