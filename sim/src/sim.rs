//! [`Sim`], the simulated world.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;

use crate::config::{Irq, SimConfig};
use crate::context::{self, Entered};
use crate::diag::{SimError, WaitReport};
use crate::join_handle::JoinHandle;
pub use crate::join_handle::{ExecutorId, JoinError, TaskId};
use crate::kernel::{ArenaBox, RunEnd, RunSpec, Shared, Stop, TaskBox, TaskCell};
use crate::order::Order;
use crate::time::{IntoNanos, SimTime};

/// A simulated world: tasks, a virtual clock, timers, interrupts, a trace.
///
/// `'env` is the lifetime of what the simulation's tasks may borrow: anything declared
/// *before* the `Sim` (the borrow checker enforces it), and, inside [`fwsim::scope`](crate::scope)
/// or [`fwsim::test`](crate::test), values handed out by [`alloc`](Self::alloc).
///
/// ```
/// use embassy_time::{Duration, Timer};
/// use fwsim::{Sim, SimTime};
///
/// let sim = Sim::new();
/// let led = sim.spawn("blink", async {
///     let mut toggles = 0;
///     for _ in 0..4 {
///         Timer::after(Duration::from_millis(500)).await;
///         toggles += 1;
///     }
///     toggles
/// });
/// sim.run_for(fwsim::secs(3)).unwrap();
/// assert_eq!(sim.now(), SimTime::from_secs(3));
/// assert_eq!(sim.join(led).unwrap(), 4);
/// ```
pub struct Sim<'env> {
    pub(crate) shared: Rc<Shared>,
    _env: PhantomData<&'env mut &'env ()>,
}

impl Default for Sim<'_> {
    fn default() -> Self {
        Self::new()
    }
}

struct RunGuard<'a>(&'a Shared);
impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.0.in_run.set(false);
    }
}

impl<'env> Sim<'env> {
    /// A simulation with the default [`SimConfig`].
    pub fn new() -> Self {
        Self::with_config(SimConfig::default())
    }

    /// A simulation with this configuration.
    pub fn with_config(config: SimConfig) -> Self {
        Sim { shared: Rc::new(Shared::new(config)), _env: PhantomData }
    }

    /// Runs `f` with this simulation current on this thread, so that code outside tasks can
    /// build embassy `Timer`s, read `Instant::now()`, create peripherals, and so on.
    ///
    /// A closure rather than a guard, so that no sequence of safe calls can leave the
    /// simulation current after it is gone (a forgotten guard would):
    ///
    /// ```
    /// use embassy_time::{Duration, Instant, Timer};
    /// let sim = fwsim::Sim::new();
    /// let timer = sim.enter(|| Timer::after(Duration::from_millis(5)));
    /// let t = sim.spawn("wait", async move {
    ///     timer.await;
    ///     Instant::now().as_millis()
    /// });
    /// sim.run_for(fwsim::ms(10)).unwrap();
    /// assert_eq!(sim.join(t).unwrap(), 5);
    /// ```
    ///
    /// There is no guard to forget:
    ///
    /// ```compile_fail,E0061
    /// let sim = fwsim::Sim::new();
    /// std::mem::forget(sim.enter());
    /// drop(sim);
    /// fwsim::now(); // once a read of freed memory
    /// ```
    pub fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        context::enter(&self.shared, f)
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.shared.config.seed
    }

    /// The virtual time.
    pub fn now(&self) -> SimTime {
        SimTime(self.shared.core.borrow().clock.now)
    }

    /// Spawns a task on the first executor. It does not run until the simulation runs (and,
    /// like on the real schedulers, not before the spawner yields).
    pub fn spawn<F>(&self, name: impl Into<Cow<'static, str>>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'env,
    {
        self.spawn_on(ExecutorId(0), name, future)
    }

    /// Spawns a task on a given executor.
    pub fn spawn_on<F>(&self, exec: ExecutorId, name: impl Into<Cow<'static, str>>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'env,
    {
        spawn_on_shared(&self.shared, exec.0, name.into(), future)
    }

    /// Adds an executor (a run queue with its own order) to the simulation. Executors share
    /// the clock, the timers and the interrupts; when several have runnable tasks, the one
    /// with the lowest id runs first (as an interrupt-priority executor preempts thread mode).
    pub fn add_executor(&self, order: Order) -> ExecutorId {
        ExecutorId(self.shared.add_executor(crate::order::OrderSpec::BuiltIn(order)))
    }

    /// Moves `value` into storage that lives as long as the simulation and returns a reference
    /// that its tasks may hold — the per-simulation replacement for `static` + `StaticCell`,
    /// which a second run in the same process would find already taken. Available inside
    /// [`fwsim::scope`](crate::scope) and [`fwsim::test`](crate::test).
    #[allow(clippy::mut_from_ref)] // every call moves in a new value: the reference is unique
    pub fn alloc<T: 'env>(&'env self, value: T) -> &'env mut T {
        assert!(!self.shared.torn_down.get(), "fwsim: alloc on a simulation that has been shut down");
        // SAFETY: `T: 'env`, and the arena is dropped by `shutdown`, which runs before `'env`
        // can end (when the Sim drops, or at the end of `scope`).
        let (entry, mut ptr) = unsafe { ArenaBox::new(value) };
        self.shared.arena.borrow_mut().push(entry);
        // SAFETY: the value never moves and is freed only at shutdown, after which no `'env`
        // reference can be used; each call moves in a new value, so the reference is unique.
        unsafe { ptr.as_mut() }
    }

    /// A cloneable, owned handle to this simulation, for code that must keep one (see
    /// [`SimHandle`](crate::SimHandle)).
    pub fn handle(&self) -> crate::SimHandle {
        crate::SimHandle::new(self.shared.clone())
    }

    /// Raises an interrupt now, from the running code (a task writing a pin that is wired to
    /// an interrupt, say): `handler` runs nested at once, or, inside a critical section, when
    /// the outermost section ends (see [`isr`](crate::isr)). Unlike [`isr::raise`](crate::isr::raise),
    /// the handler may borrow what the simulation's tasks borrow.
    ///
    /// Panics unless this simulation is the one current on the thread (call it from its tasks
    /// or inside [`enter`](Self::enter)).
    pub fn raise_isr(&self, irq: Irq, handler: impl FnOnce() + 'env) {
        let f: Box<dyn FnOnce() + 'env> = Box::new(handler);
        // SAFETY: erasing 'env. The handler runs now, or from this simulation's pending list
        // when a critical section ends while it is current (so while it is borrowed: see
        // `context`), or is dropped by `shutdown`, which runs before 'env can end; a leaked
        // Sim is never current again, so it never runs.
        let f: Box<dyn FnOnce()> = unsafe { std::mem::transmute(f) };
        let current = context::with_current(|s| s.is_some_and(|s| std::ptr::eq(s, Rc::as_ptr(&self.shared))));
        assert!(
            current,
            "fwsim: raise_isr on a simulation that is not current (call it from its tasks or inside sim.enter)"
        );
        self.shared.raise_irq(irq, f);
    }

    /// Schedules `handler` to run in interrupt context at virtual time `at`, as IRQ `irq`.
    /// Wakes it makes are attributed to the interrupt in the trace.
    pub fn schedule_isr(&self, at: SimTime, irq: Irq, handler: impl FnOnce() + 'env) {
        let f: Box<dyn FnOnce() + 'env> = Box::new(handler);
        // SAFETY: erasing 'env. Scheduled handlers run only from the event loop of this
        // simulation while it is current (so while it is borrowed: see `context`), and are
        // dropped by `shutdown`, which runs before 'env can end.
        let f: Box<dyn FnOnce()> = unsafe { std::mem::transmute(f) };
        self.shared.schedule_isr(at.as_nanos(), irq, f);
    }

    fn begin_run(&self) -> (RunGuard<'_>, Entered<'_>) {
        assert!(
            !self.shared.in_run.replace(true),
            "fwsim: a run_* method was called while the simulation is already running (from inside a task?)"
        );
        (RunGuard(&self.shared), Entered::new(&self.shared))
    }

    /// Polls tasks until none is runnable at the current instant. Never advances time.
    pub fn run_until_stalled(&self) -> Result<(), SimError> {
        let _g = self.begin_run();
        let now = self.shared.core.borrow().clock.now;
        self.shared.run(RunSpec { advance: false, limit: Some(now), stop: Stop::Never })?;
        Ok(())
    }

    /// Runs for `d` of virtual time: processes every event at or before `now + d` and every
    /// poll they cause, then leaves the clock at exactly `now + d` (later only if a poll's busy
    /// time overshot it).
    pub fn run_for(&self, d: impl IntoNanos) -> Result<(), SimError> {
        let target = self.now().as_nanos().saturating_add(d.into_nanos());
        self.run_until(SimTime(target))
    }

    /// Like [`run_for`](Self::run_for), up to an absolute virtual time.
    pub fn run_until(&self, t: SimTime) -> Result<(), SimError> {
        let _g = self.begin_run();
        let target = t.as_nanos().max(self.shared.core.borrow().clock.now);
        self.shared.run(RunSpec { advance: true, limit: Some(target), stop: Stop::Never })?;
        // Every event up to the target has been processed: land exactly on it.
        self.shared.advance_to(target);
        Ok(())
    }

    /// Runs until `condition` holds (checked after every poll and every batch of interrupts and
    /// timers delivered). Returns `Ok(false)` if nothing more can happen and it still does not
    /// hold.
    pub fn run_until_true(&self, mut condition: impl FnMut() -> bool) -> Result<bool, SimError> {
        if condition() {
            return Ok(true);
        }
        let _g = self.begin_run();
        let end = self.shared.run(RunSpec { advance: true, limit: None, stop: Stop::When(&mut condition) })?;
        Ok(end == RunEnd::Stopped)
    }

    /// Runs until `condition` holds (checked as [`run_until_true`](Self::run_until_true) does)
    /// or `limit` of virtual time has passed, whichever is first. `Ok(true)`: it holds, and the
    /// clock stands where it came to hold. `Ok(false)`: the limit came first, and the clock
    /// stands exactly at `now + limit`.
    pub fn run_until_true_within(
        &self,
        limit: impl IntoNanos,
        mut condition: impl FnMut() -> bool,
    ) -> Result<bool, SimError> {
        if condition() {
            return Ok(true);
        }
        let target = self.now().as_nanos().saturating_add(limit.into_nanos());
        let end = {
            let _g = self.begin_run();
            self.shared.run(RunSpec { advance: true, limit: Some(target), stop: Stop::When(&mut condition) })?
        };
        if end == RunEnd::Stopped {
            return Ok(true);
        }
        self.enter(|| self.shared.advance_to(target));
        Ok(condition())
    }

    /// Advances time until nothing is scheduled any more (no runnable task, no timer, no
    /// interrupt) or `limit` of virtual time has passed, and reports the tasks that still
    /// wait. A report, not an error: servers wait for ever by design. When the limit is
    /// reached the clock stands exactly at `now + limit` (as after [`run_for`](Self::run_for));
    /// when the simulation quiesces first, at its last event.
    pub fn run_until_quiescent(&self, limit: impl IntoNanos) -> Result<WaitReport, SimError> {
        let target = self.now().as_nanos().saturating_add(limit.into_nanos());
        let end = {
            let _g = self.begin_run();
            self.shared.run(RunSpec { advance: true, limit: Some(target), stop: Stop::Never })?
        };
        let reached_limit = end == RunEnd::LimitReached;
        if reached_limit {
            // Every event up to the limit has been processed: land exactly on it, as
            // `run_until` does, so that a loop of steps makes progress.
            self.enter(|| self.shared.advance_to(target));
        }
        Ok(self.shared.core.borrow().wait_report(reached_limit))
    }

    /// Runs `future` as a task named `main` until it completes and returns its output. Other
    /// tasks run meanwhile, as the policy says. `Err(Deadlock)` when it cannot progress and
    /// nothing is scheduled.
    pub fn block_on<F>(&self, future: F) -> Result<F::Output, SimError>
    where
        F: Future + 'env,
    {
        let mut main = self.spawn("main", future);
        let _g = self.begin_run();
        let end = self.shared.run(RunSpec { advance: true, limit: None, stop: Stop::TaskDone(main.key) })?;
        match main.try_take() {
            Some(Ok(v)) => Ok(v),
            Some(Err(JoinError::Panicked(m))) => Err(SimError::MainPanicked(m)),
            Some(Err(e)) => Err(SimError::MainPanicked(e.to_string())),
            None => {
                debug_assert_eq!(end, RunEnd::Quiescent);
                Err(SimError::Deadlock(self.shared.core.borrow().wait_report(false)))
            }
        }
    }

    /// Runs until the task behind `handle` finishes and returns its output: one `Result`,
    /// whose error says why there is no output — the task panicked or was aborted
    /// ([`SimError::Task`]), or it can never finish ([`SimError::Deadlock`]).
    ///
    /// ```
    /// let sim = fwsim::Sim::new();
    /// let answer = sim.spawn("answer", async { 42 });
    /// assert_eq!(sim.join(answer).unwrap(), 42);
    ///
    /// let boom = sim.spawn("boom", async { panic!("no") });
    /// let err = sim.join(boom).unwrap_err();
    /// assert_eq!(err.to_string(), "boom#2: task panicked: no"); // (#1 is the join)
    /// # sim.take_diagnostics();
    /// ```
    pub fn join<T: 'env>(&self, handle: JoinHandle<T>) -> Result<T, SimError> {
        let task = self.shared.label_of(handle.key);
        match self.block_on(handle)? {
            Ok(v) => Ok(v),
            Err(error) => Err(SimError::Task { task, error }),
        }
    }

    /// Spends `d` of busy time now (a blocking delay outside any task: interrupts and timers
    /// that fall due meanwhile are delivered, nothing is polled).
    pub fn busy_wait(&self, d: impl IntoNanos) {
        self.enter(|| self.shared.busy_wait(d.into_nanos()));
    }

    /// Records a user mark in the trace.
    pub fn mark(&self, label: &str, value: u64) {
        self.enter(|| crate::mark(label, value));
    }
}

impl Drop for Sim<'_> {
    fn drop(&mut self) {
        self.shared.shutdown();
    }
}

impl fmt::Debug for Sim<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sim").field("now", &self.now()).field("live_tasks", &self.live_tasks()).finish()
    }
}

/// Runs `body` with a fresh simulation whose [`alloc`](Sim::alloc) can hand out
/// per-simulation resources, and shuts the simulation down before returning.
///
/// ```
/// use embassy_sync::{blocking_mutex::raw::NoopRawMutex, signal::Signal};
/// fwsim::scope(fwsim::SimConfig::new(), |sim| {
///     let signal = sim.alloc(Signal::<NoopRawMutex, u32>::new());
///     let signal = &*signal;
///     let rx = sim.spawn("rx", async move { signal.wait().await });
///     sim.spawn("tx", async move { signal.signal(7) });
///     assert_eq!(sim.join(rx).unwrap(), 7);
/// });
/// ```
pub fn scope<R>(config: SimConfig, body: impl for<'s> FnOnce(&'s Sim<'s>) -> R) -> R {
    let sim: Sim<'static> = Sim::with_config(config);
    let _enter = Entered::new(&sim.shared);
    // The cast changes only the (invariant) lifetime parameter, which clippy cannot see.
    #[allow(clippy::unnecessary_cast)]
    // SAFETY: only the lifetime parameter changes. Everything the body can spawn or allocate
    // is bounded by the fresh lifetime 's, which outlives this call, and all of it is dropped
    // by `shutdown` (explicitly below, or by `Sim::drop` while unwinding) before we return.
    let r = body(unsafe { &*(&sim as *const Sim<'static> as *const Sim<'_>) });
    drop(_enter);
    sim.shared.shutdown();
    r
}

// Statically check what must hold.
const _: () = {
    fn assert_unpin<T: Unpin>() {}
    fn check() {
        assert_unpin::<JoinHandle<std::marker::PhantomPinned>>();
    }
    let _ = check;
};

/// Spawns onto a simulation's shared state; the caller guarantees that `F` outlives the
/// simulation's tasks (a `Sim<'env>` with `F: 'env`, or `F: 'static`).
pub(crate) fn spawn_on_shared<F: Future>(
    shared: &Rc<Shared>,
    exec: u8,
    name: Cow<'static, str>,
    future: F,
) -> JoinHandle<F::Output> {
    // SAFETY: every task is dropped by `Shared::shutdown`, which runs when the Sim is dropped
    // (its `'env` borrows are then still alive: `Sim` has a Drop impl, so the borrow checker
    // makes `'env` outlive it) or at the end of `fwsim::scope`, before `'env` can end. A Sim
    // that is leaked instead never polls or drops its tasks again: nothing but its own
    // methods can (the current-simulation pointer needs a live borrow of the Sim, see
    // `context`; join handles and wakers never poll), and the state it leaks is never freed.
    let task = unsafe { TaskBox::new(TaskCell::Running(future)) };
    let key = shared.spawn_boxed(exec, name, task);
    JoinHandle { shared: shared.clone(), key, _output: PhantomData }
}
