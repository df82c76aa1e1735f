//! The embassy interpretation of a [`Program`], shared by fwsim's `Embassy` back end and the
//! real embassy-executor oracle, so that both run the same primitive code (embassy-sync's
//! `Signal` and `Mutex`) and a difference isolates the scheduler.
//!
//! * an event is a `Signal`: `Set` signals, `Clear` resets, `Wait` waits (and consumes);
//! * a lock is a `Mutex`;
//! * `Await(n)` waits on task `n`'s done `Signal` (embassy has no join handle);
//! * `Yield` is `embassy_futures::yield_now`, `Sleep` an embassy-time `Timer`, `WaitFor`
//!   embassy-time's `with_timeout` around a `Signal` wait;
//! * there is no `Abort` (embassy cannot cancel a task);
//! * `Isr` arms an interrupt through the executor's host ([`Spawn::arm_isr`]) whose handler
//!   signals a flag `Signal`; `WaitFlag` waits on it.
//!
//! A run ends when every spawned task has finished (embassy's task pools are statics: a task
//! left behind would hold its slot for the next program).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::mutex::Mutex;
use embassy_sync::signal::Signal;
use embassy_time::{Instant, Timer};

use crate::{Mark, Op, Program};

/// What the executor that runs the program provides: spawning, and interrupts.
pub trait Spawn {
    /// Spawns task `task`.
    fn spawn(&self, task: u8);
    /// Arms a one-shot interrupt `after_ms` from now whose handler calls
    /// [`World::raise`]`(flag)`.
    fn arm_isr(&self, after_ms: u64, flag: u8);
}

/// The shared state of one program run.
pub struct World {
    /// Spends busy time (ms) on the executor that runs the program.
    busy: fn(u64),
    signals: Vec<Signal<CriticalSectionRawMutex, ()>>,
    mutexes: Vec<Mutex<CriticalSectionRawMutex, ()>>,
    done: Vec<Signal<CriticalSectionRawMutex, ()>>,
    /// Set by interrupt handlers (one waiter each).
    flags: Vec<Signal<CriticalSectionRawMutex, ()>>,
    spawned: Vec<Cell<bool>>,
    live: Cell<usize>,
    marks: RefCell<Vec<Mark>>,
    start: Instant,
}

impl World {
    /// The state for `program`, its clock starting now; `busy` spends busy time (ms) on the
    /// executor that runs it (advances its clock while the task keeps the CPU).
    pub fn new(program: &Program, busy: fn(u64)) -> Self {
        World {
            busy,
            signals: (0..program.events).map(|_| Signal::new()).collect(),
            mutexes: (0..program.locks).map(|_| Mutex::new(())).collect(),
            done: program.tasks.iter().map(|_| Signal::new()).collect(),
            flags: (0..program.events).map(|_| Signal::new()).collect(),
            spawned: program.tasks.iter().map(|_| Cell::new(false)).collect(),
            live: Cell::new(0),
            marks: RefCell::new(Vec::new()),
            start: Instant::now(),
        }
    }

    /// Counts task `task` as started (call before spawning it; main included).
    pub fn started(&self, task: u8) {
        self.spawned[usize::from(task)].set(true);
        self.live.set(self.live.get() + 1);
    }

    /// An interrupt handler's work: sets flag `flag`.
    pub fn raise(&self, flag: u8) {
        self.flags[usize::from(flag)].signal(());
    }

    /// Tasks started and not finished.
    pub fn live(&self) -> usize {
        self.live.get()
    }

    /// The marks so far.
    pub fn take_marks(&self) -> Vec<Mark> {
        self.marks.take()
    }
}

/// Runs task `task`'s body, then signals its end. `spawn` is a cheap handle (a reference).
pub async fn run_task(world: &World, program: &Program, spawn: impl Spawn + Copy, task: u8) {
    run_ops(world, spawn, task, &program.tasks[usize::from(task)]).await;
    world.done[usize::from(task)].signal(());
    world.live.set(world.live.get() - 1);
}

fn run_ops<'a, S: Spawn + Copy + 'a>(
    world: &'a World,
    spawn: S,
    task: u8,
    ops: &'a [Op],
) -> Pin<Box<dyn Future<Output = ()> + 'a>> {
    Box::pin(async move {
        for op in ops {
            match op {
                Op::Mark(label) => {
                    let at = (Instant::now() - world.start).as_millis();
                    world.marks.borrow_mut().push((task, *label, at));
                }
                Op::Sleep(ms) => Timer::after_millis(u64::from(*ms)).await,
                Op::Yield => embassy_futures::yield_now().await,
                Op::Busy(ms) => (world.busy)(u64::from(*ms)),
                Op::Spawn(n) => {
                    world.started(*n);
                    spawn.spawn(*n);
                }
                Op::Wait(e) => world.signals[usize::from(*e)].wait().await,
                Op::Set(e) => world.signals[usize::from(*e)].signal(()),
                Op::Clear(e) => world.signals[usize::from(*e)].reset(),
                Op::Locked(l, body) => {
                    let guard = world.mutexes[usize::from(*l)].lock().await;
                    run_ops(world, spawn, task, body).await;
                    drop(guard);
                }
                Op::Abort(_) => unreachable!("the embassy subset has no Abort"),
                Op::Isr { after, flag } => spawn.arm_isr(u64::from(*after), *flag),
                Op::WaitFlag(f) => world.flags[usize::from(*f)].wait().await,
                Op::SetFlag(f) => world.raise(*f),
                Op::Fail => unreachable!("the embassy subset has no Gather"),
                Op::MsgSet(_) | Op::MsgWait(_) => unreachable!("the embassy subset has no Message (embassy has none)"),
                Op::Gather(..) => {
                    unreachable!("the embassy subset has no Gather (asyncio's helper tasks have no embassy meaning)")
                }
                Op::Await(n) => {
                    if world.spawned[usize::from(*n)].get() {
                        world.done[usize::from(*n)].wait().await;
                    }
                }
                Op::WaitFor { event, timeout, label } => {
                    let wait = world.signals[usize::from(*event)].wait();
                    let r = embassy_time::with_timeout(embassy_time::Duration::from_millis(u64::from(*timeout)), wait)
                        .await;
                    let label = if r.is_ok() { *label } else { *label | crate::TIMED_OUT };
                    let at = (Instant::now() - world.start).as_millis();
                    world.marks.borrow_mut().push((task, label, at));
                }
            }
        }
    })
}
