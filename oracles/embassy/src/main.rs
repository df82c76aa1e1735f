//! The embassy oracle: runs conformance programs on the real embassy-executor 0.10.
//!
//! `raw::Executor` is polled by hand; time is virtual: a small embassy-time driver whose
//! `now()` is a counter, over embassy's *integrated* timer queue (`embassy-time-queue-utils`
//! with `integrated-timers`, one deadline per task in the task header). When the executor
//! has nothing to run, the loop moves the clock to the queue's next expiration.
//!
//! Input: a JSON array of programs on standard input. Output: one JSON `Outcome` per line.
//! A program whose tasks do not all finish ends the process with status 3 after its line
//! (its tasks still hold their static pool slots); the caller restarts it for the rest.

use std::cell::RefCell;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Waker;

use critical_section::Mutex;
use embassy_executor::raw::Executor;
use embassy_executor::{SpawnToken, Spawner};
use embassy_time_queue_utils::Queue;
use fwsim_programs::embassy::{Spawn, World, run_task};
use fwsim_programs::{End, Outcome, Program};

static NOW: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Armed interrupts: (time in ticks, the world whose flag the handler raises, the flag),
    /// in arming order.
    static ISRS: RefCell<Vec<(u64, &'static World, u8)>> = const { RefCell::new(Vec::new()) };
}

/// The earliest armed interrupt's time.
fn next_isr() -> u64 {
    ISRS.with_borrow(|isrs| isrs.iter().map(|i| i.0).min().unwrap_or(u64::MAX))
}

/// Runs the handlers of the interrupts due at `at`, in arming order.
fn fire_isrs(at: u64) {
    let due: Vec<(u64, &'static World, u8)> = ISRS.with_borrow_mut(|isrs| {
        let (due, later) = isrs.drain(..).partition(|i| i.0 <= at);
        *isrs = later;
        due
    });
    for (_, world, flag) in due {
        world.raise(flag);
    }
}
static PENDED: AtomicBool = AtomicBool::new(false);
static QUEUE: Mutex<RefCell<Queue>> = Mutex::new(RefCell::new(Queue::new()));

struct VirtualClock;

impl embassy_time_driver::Driver for VirtualClock {
    fn now(&self) -> u64 {
        NOW.load(Ordering::Relaxed)
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            let mut q = QUEUE.borrow_ref_mut(cs);
            // As the real drivers do: on "recompute", a deadline already reached fires now.
            if q.schedule_wake(at, waker) && at <= NOW.load(Ordering::Relaxed) {
                q.next_expiration(NOW.load(Ordering::Relaxed));
            }
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: VirtualClock = VirtualClock);

#[unsafe(export_name = "__pender")]
fn pender(_context: *mut ()) {
    PENDED.store(true, Ordering::Relaxed);
}

/// A busy section of `ms` inside a poll: the clock moves and, as the alarm interrupt would
/// on a board, each deadline passed on the way wakes its timers then (deadline by deadline,
/// in the queue's order within one deadline), and each armed interrupt runs at its time,
/// before anything the task does after the section.
fn busy(ms: u64) {
    let target = NOW.load(Ordering::Relaxed) + embassy_time::Duration::from_millis(ms).as_ticks();
    loop {
        let now = NOW.load(Ordering::Relaxed);
        let timer = critical_section::with(|cs| QUEUE.borrow_ref_mut(cs).next_expiration(now));
        let next = timer.min(next_isr());
        if next > target {
            break;
        }
        NOW.store(next, Ordering::Relaxed);
        critical_section::with(|cs| QUEUE.borrow_ref_mut(cs).next_expiration(next));
        fire_isrs(next);
    }
    NOW.store(target, Ordering::Relaxed);
    critical_section::with(|cs| QUEUE.borrow_ref_mut(cs).next_expiration(target));
}

/// Runs the executor until nothing is runnable and nothing is scheduled.
fn run_to_idle(executor: &'static Executor) {
    loop {
        while PENDED.swap(false, Ordering::Relaxed) {
            // SAFETY: polled from the one thread that owns the executor, never re-entered.
            unsafe { executor.poll() };
        }
        let next = critical_section::with(|cs| QUEUE.borrow_ref_mut(cs).next_expiration(NOW.load(Ordering::Relaxed)));
        if PENDED.load(Ordering::Relaxed) {
            continue; // timers already due woke tasks: run them before time moves
        }
        let next = next.min(next_isr());
        if next == u64::MAX {
            return;
        }
        NOW.store(next, Ordering::Relaxed);
        critical_section::with(|cs| QUEUE.borrow_ref_mut(cs).next_expiration(next));
        fire_isrs(next);
    }
}

/// What a program task needs: its program, its world, the spawner.
struct Host {
    program: &'static Program,
    world: &'static World,
    spawner: Spawner,
}

impl Spawn for &'static Host {
    fn spawn(&self, task: u8) {
        let token: SpawnToken<_> = program_task(self, task).expect("a free pool slot");
        self.spawner.spawn(token);
    }

    fn arm_isr(&self, after_ms: u64, flag: u8) {
        let at = NOW.load(Ordering::Relaxed) + embassy_time::Duration::from_millis(after_ms).as_ticks();
        let world = self.world;
        ISRS.with_borrow_mut(|isrs| isrs.push((at, world, flag)));
    }
}

#[embassy_executor::task(pool_size = 8)]
async fn program_task(host: &'static Host, task: u8) {
    run_task(host.world, host.program, host, task).await;
}

/// The integrated queue keeps one deadline per task: of two timers raced in a `select`, only
/// the earlier is queued, so the task is not polled again at the later one. A generic queue
/// (one entry per waker registration) would poll it spuriously then.
#[embassy_executor::task]
async fn probe(polls: &'static RefCell<Vec<u64>>) {
    use embassy_futures::select::select;
    use embassy_time::{Instant, Timer};
    select(Timer::after_millis(1), Timer::after_millis(10)).await;
    core::future::poll_fn(|_| {
        polls.borrow_mut().push(Instant::now().as_millis());
        if Instant::now().as_millis() >= 20 { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
}

#[embassy_executor::task]
async fn probe_waker() {
    embassy_time::Timer::at(embassy_time::Instant::from_millis(20)).await;
}

fn check_integrated_queue(executor: &'static Executor) {
    let polls: &'static RefCell<Vec<u64>> = Box::leak(Box::new(RefCell::new(Vec::new())));
    let spawner = executor.spawner();
    spawner.spawn(probe(polls).expect("probe slot"));
    spawner.spawn(probe_waker().expect("probe slot"));
    PENDED.store(true, Ordering::Relaxed);
    run_to_idle(executor);
    let polls = polls.borrow();
    // Polled at 1 ms (the select ended), never at 10 ms; the probe waker's task has its own
    // deadline, and this one no longer any: it is not polled again.
    assert_eq!(*polls, [1], "the integrated timer queue is not active (polls at {polls:?} ms)");
}

fn main() {
    let executor: &'static Executor = Box::leak(Box::new(Executor::new(core::ptr::null_mut())));
    check_integrated_queue(executor);
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).expect("programs on standard input");
    let programs: Vec<Program> = serde_json::from_str(&input).expect("a JSON array of programs");
    for program in programs {
        let program: &'static Program = Box::leak(Box::new(program));
        let world: &'static World = Box::leak(Box::new(World::new(program, busy)));
        let host: &'static Host = Box::leak(Box::new(Host { program, world, spawner: executor.spawner() }));
        world.started(0);
        host.spawn(0);
        PENDED.store(true, Ordering::Relaxed);
        run_to_idle(executor);
        let end = if world.live() == 0 { End::Done } else { End::Deadlock };
        let stuck = end != End::Done;
        println!("{}", serde_json::to_string(&Outcome { marks: world.take_marks(), end }).expect("json"));
        if stuck {
            std::process::exit(3);
        }
    }
}
