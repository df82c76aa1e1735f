//! # fwsim — run async embedded firmware in deterministic virtual time
//!
//! fwsim runs the async tasks of embassy-style firmware on a laptop or in CI, on a **virtual
//! clock**: when every task waits, the clock jumps to the next event, so an hour of firmware
//! time takes milliseconds, and the same program with the same seed produces the same trace,
//! bit for bit.
//!
//! ## The model
//!
//! * A [`Sim`] is one simulated world: tasks ([`Sim::spawn`]), a nanosecond clock, a timer
//!   queue, scheduled and raised interrupts ([`isr`]), and a [trace]. Many `Sim`s run in
//!   parallel threads; each is independent.
//! * Firmware does not know it is simulated. It uses `embassy_time::{Timer, Instant, Ticker,
//!   with_timeout}`: linking fwsim provides the embassy-time [driver] (and a
//!   [`critical-section`](cs) implementation), which dispatches to the `Sim` that is *current*
//!   on the calling thread ([`Sim::enter`]).
//! * A **run order** decides which runnable task runs next, exactly as a real scheduler
//!   would: [`order::Embassy`] (the default), [`order::MicroPython`], [`order::Fifo`], or
//!   one of your own ([`order::RunOrder`]). An **explorer** may answer the *choice points*
//!   otherwise, to find the schedules where firmware breaks: [`explore::Random`],
//!   [`explore::Pct`], [`explore::Replay`] or your own ([`explore::Explorer`]); its answers
//!   are recorded as a [`Schedule`]. [`Policy`] names the usual pairs. See [`order`],
//!   [`explore`] and [`policy`].
//! * Time moves only when everything waits (idle time costs nothing) and when a poll spends
//!   **busy time** (a blocking [`Delay`], a busy-wait on `Instant::now()` or on a pin or a
//!   status flag ([`spin_point`]), the [`CostModel`]).
//! * Problems are [`Diagnostic`]s with task names and virtual time: panics, lost wakers,
//!   same-instant wake loops, foreign wakers on timers, cross-simulation wakes, hung polls.
//!
//! ## A first test
//!
//! ```
//! use embassy_time::{Duration, Timer};
//!
//! fwsim::test(|sim| {
//!     let ping = sim.spawn("ping", async {
//!         Timer::after(Duration::from_millis(20)).await;
//!         fwsim::now()
//!     });
//!     sim.run_for(fwsim::ms(50)).unwrap();
//!     assert_eq!(sim.join(ping).unwrap(), fwsim::SimTime::from_millis(20));
//! });
//! ```
//!
//! ## The contract for code under test
//!
//! Keep **no mutable statics** (no `StaticCell`, no `static SIGNAL`): `fwsim::test` runs every
//! body twice, tests run in parallel, and fuzzing runs thousands of simulations in one
//! process. Create resources per simulation — as locals declared before the `Sim`, or with
//! [`Sim::alloc`] inside [`fwsim::test`](test()) / [`scope`] (a value that holds such references
//! goes through [`Sim::alloc_borrowing`]) — and pass references to the tasks.
//! Only board crates wrap firmware in `#[embassy_executor::task]` and statics.
//!
//! Do not enable embassy-time's `std`/`mock-driver` features or `critical-section/std` in a
//! binary that links fwsim: each would be a second implementation of the same global symbol.

#![warn(missing_docs)]

mod arena;
mod config;
mod context;
pub mod cs;
mod delay;
pub mod diag;
pub mod driver;
pub mod explore;
pub mod fuzz;
mod handle;
mod hang_watch;
pub mod isr;
mod join_handle;
mod kernel;
pub mod logging;
mod observe;
pub mod order;
pub mod policy;
mod pool;
mod quiet;
mod registry;
pub mod rng;
mod running;
mod sim;
pub mod testing;
pub mod time;
pub mod timerq;
pub mod trace;
mod waker;
mod watchdog;

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use config::{CostModel, Irq, SimConfig, TIMER_IRQ, TimerQueueKind};
pub use delay::Delay;
pub use diag::{Diagnostic, Severity, SimError, TaskReport, WaitReport, WaitState};
pub use fwsim_macros::test;
pub use handle::SimHandle;
pub use hang_watch::{hang_look_interval, run_watched};
pub use isr::IsrCheckedRawMutex;
pub use join_handle::{AbortOnDrop, ExecutorId, JoinError, JoinHandle, TaskId};
pub use kernel::panic_message;
pub use order::Order;
pub use policy::{Deviation, Policy, Schedule};
pub use pool::{SpawnError, TaskPool};
pub use registry::{orphan_wakes, set_next_tag};
pub use sim::{Sim, scope};
pub use testing::{test, test_with};
pub use time::{IntoNanos, SimTime, ms, secs, us};
pub use watchdog::{LongPoll, long_polls, watchdog_sweeps};

use crate::context::expect_current;
use crate::trace::{Kind, Record};

/// The current simulation's virtual time. Panics outside a simulation.
pub fn now() -> SimTime {
    expect_current(|s| SimTime(s.core.borrow().clock.now))
}

/// The current simulation's seed ([`SimConfig::seed`]): peripheral models draw their
/// randomness (contact bounce, injected faults) from it, so a printed seed replays them too.
/// Panics outside a simulation.
pub fn seed() -> u64 {
    expect_current(|s| s.config.seed)
}

/// Marks a read that firmware may repeat in a busy-wait loop until the world outside changes
/// it: a GPIO input, a UART's "byte received" flag, a sensor's "conversion done" bit. Device
/// models call it from such reads; `on` names what was read, for the report.
///
/// On a board a busy-wait loop takes time, and the pin changes meanwhile. In a simulation a
/// poll takes no time unless it spends some, so without this a `while pin.is_low() {}` would
/// never end. A poll's first [`SimConfig::spin_threshold`] reads of spin points and of
/// `Instant::now()` are free; each further one spends one tick (1 µs) of busy time, during
/// which timers and interrupts fall due as usual, so the loop sees the press, the byte or the
/// flag at the tick it arrives. In strict mode the first such tick is a
/// [`Diagnostic::Spin`]. A spin that nothing on the clock can end (no timer, no scheduled
/// interrupt, and the loop reads no clock) panics its task with that reason instead of
/// spinning for ever. A loop that reads nothing (`loop {}`) still never ends: see
/// [`SimConfig::watchdog`] and [`long_polls`]. Outside a task's poll (in test code, in an
/// interrupt handler) it does nothing.
///
/// ```
/// use std::cell::Cell;
/// use fwsim::{SimTime, ms};
///
/// fwsim::test(|sim| {
///     let flag = &*sim.alloc(Cell::new(false));
///     sim.schedule_isr(SimTime::from_millis(3), fwsim::Irq::new(1, 1), move || flag.set(true));
///     let waiter = sim.spawn("waiter", async move {
///         // A model's status register: a spin point on each read.
///         while !{ fwsim::spin_point(|| "the flag".into()); flag.get() } {}
///         fwsim::now()
///     });
///     sim.run_for(ms(10)).unwrap();
///     assert_eq!(sim.join(waiter).unwrap(), SimTime::from_millis(3));
/// });
/// ```
pub fn spin_point(on: impl Fn() -> String) {
    context::with_current(|s| {
        if let Some(s) = s {
            s.spin_point(&on)
        }
    })
}

/// Records a mark in the current simulation's trace: a label and a value, stamped with virtual
/// time and the running task. Panics outside a simulation.
pub fn mark(label: &str, value: u64) {
    expect_current(|s| {
        let mut c = s.core.borrow_mut();
        if !c.trace.enabled {
            return;
        }
        let id = c.trace.intern(label);
        let task = c.source().encode();
        let at = c.clock.now;
        c.trace.record(Record { at, arg: value, task, source: id, kind: Kind::Mark });
    })
}

/// Runs `f` as the body of an executor hosted inside the running task (an embassy
/// `raw::Executor` polled by a fwsim task, as `fwsim-embassy` does): the timers its tasks set
/// under their own wakers are that executor's timers — kept per waker and fired on time, as
/// on a board — not [`ForeignWakerTimer`](Diagnostic::ForeignWakerTimer) mistakes. Panics
/// outside a simulation.
pub fn hosting<R>(f: impl FnOnce() -> R) -> R {
    struct Depth<'a>(&'a std::cell::Cell<u32>);
    impl Drop for Depth<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() - 1);
        }
    }
    let shared = context::current_rc().expect(context::NO_SIM);
    shared.hosting.set(shared.hosting.get() + 1);
    let _depth = Depth(&shared.hosting);
    f()
}

/// Spends `d` of busy time in the running poll: see [`Delay`].
pub fn busy_wait(d: impl IntoNanos) {
    let ns = d.into_nanos();
    expect_current(|s| s.busy_wait(ns))
}

/// Wakes `waker` as an I/O-readiness event rather than a plain wake, for primitives that
/// MicroPython builds on its IO poll (a `ThreadSafeFlag` set by a task): under
/// [`Order::MicroPython`] the task joins the queue at the loop's next step, behind the tasks
/// the running one queues meanwhile (itself included, when it yields), as asyncio's poll
/// delivers it; the other orders queue it as any wake. A waker that is not the current
/// simulation's is woken plainly. fwsim-primitives reaches it through `fwsim-hooks`, which
/// is a plain wake on a board.
///
/// ```
/// use std::cell::{Cell, RefCell};
/// use std::task::{Poll, Waker};
/// use fwsim::{Policy, SimConfig};
///
/// fwsim::scope(SimConfig::new().policy(Policy::MicroPython), |sim| {
///     let ready = &*sim.alloc(Cell::new(false));
///     let parked = &*sim.alloc(Cell::new(None::<Waker>));
///     let log = &*sim.alloc(RefCell::new(Vec::new()));
///     sim.spawn("waiter", async move {
///         std::future::poll_fn(|cx| {
///             if ready.get() { return Poll::Ready(()) }
///             parked.set(Some(cx.waker().clone()));
///             Poll::Pending
///         })
///         .await;
///         log.borrow_mut().push("waiter");
///     });
///     sim.spawn("setter", async move {
///         ready.set(true);
///         fwsim::wake_from_io(parked.take().expect("the waiter ran first"));
///         fwsim::yield_now().await; // queued before the wake is delivered
///         log.borrow_mut().push("setter");
///     });
///     sim.run_until_quiescent(fwsim::secs(1)).unwrap();
///     assert_eq!(*log.borrow(), ["setter", "waiter"]); // a plain wake: waiter, setter
/// });
/// ```
pub fn wake_from_io(waker: core::task::Waker) {
    waker::wake_from_io(waker)
}

/// Tells the simulation that the running task no longer awaits the timer it asked for at `at`
/// (a `wait_for` whose future finished first drops its `Timer`; embassy's timer queue keeps
/// the deadline and wakes the task at it anyway, as on a board). Under
/// [`Order::MicroPython`] that wake is then a spurious one, with none of the place a sleeper
/// due at `at` takes (asyncio cancels the sleep). Whether it is called changes no other
/// order. A later request for the same deadline makes it live again; a call outside a task,
/// for a deadline the task has not asked for, or with [`TimerQueueKind::Generic`] (whose
/// entries are wakers, not tasks) does nothing.
pub fn timer_withdrawn(at: embassy_time::Instant) {
    timer_withdrawn_ticks(at.as_ticks())
}

fn timer_withdrawn_ticks(at: u64) {
    context::with_current(|s| {
        if let Some(s) = s {
            s.withdraw_timer(at);
        }
    })
}

/// Declares an invariant on the current simulation, as [`Sim::invariant`] does, from inside
/// a task (a `#[fwsim::test]` body, say): `holds` must then own what it reads (an `Rc`).
pub fn invariant(name: impl Into<Cow<'static, str>>, holds: impl Fn() -> bool + 'static) {
    let (name, holds) = (name.into(), Box::new(holds));
    expect_current(|s| s.invariants.add((name, holds)));
}

/// Spawns a task on the current simulation (from inside another task, say).
pub fn spawn<F>(name: impl Into<Cow<'static, str>>, future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    let shared = context::current_rc().expect(context::NO_SIM);
    sim::spawn_on_shared(&shared, 0, name.into(), future)
}

/// Yields once: the task is woken at once and queued behind the tasks already runnable
/// (`sleep(0)` / `yield_now()`).
pub fn yield_now() -> impl Future<Output = ()> {
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        // Inlinable into the awaiting future, which is compiled in the caller's crate.
        #[inline]
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                return Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
    YieldNow(false)
}
