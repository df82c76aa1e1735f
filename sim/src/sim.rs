//! [`Sim`], the simulated world.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;

use crate::config::{Irq, SimConfig};
use crate::context::{self, Entered};
use crate::explore::LentExplorer;
use crate::join_handle::JoinHandle;
pub use crate::join_handle::{ExecutorId, JoinError, TaskId};
use crate::kernel::{Shared, TaskBox, TaskCell};
use crate::order::Order;
use crate::time::{IntoNanos, SimTime};

/// A simulated world: tasks, a virtual clock, timers, interrupts, a trace.
///
/// `'env` is the lifetime of what the simulation's tasks may borrow: anything declared
/// *before* the `Sim` (the borrow checker enforces it), and, inside [`fwsim::scope`](crate::scope)
/// or [`fwsim::test`](fn@crate::test), values handed out by [`alloc`](Self::alloc).
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

impl<'env> Sim<'env> {
    /// A simulation with the default [`SimConfig`].
    pub fn new() -> Self {
        Self::with_config(SimConfig::default())
    }

    /// A simulation with this configuration.
    pub fn with_config(config: SimConfig) -> Self {
        Sim { shared: Rc::new(Shared::new(Rc::new(config), None)), _env: PhantomData }
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
    #[inline]
    pub fn now(&self) -> SimTime {
        SimTime(self.shared.core.borrow().clock.now)
    }

    /// How much of the virtual time so far the core was busy: the [`CostModel`]'s charges for
    /// polls and wakes, and blocking delays ([`Sim::busy_wait`], [`crate::busy_wait`], a
    /// blocking [`Delay`](crate::Delay)). The rest it was idle — asleep, on a board.
    ///
    /// ```
    /// use fwsim::{CostModel, Sim, SimConfig, SimTime};
    ///
    /// let sim = Sim::with_config(SimConfig::new().cost(CostModel { per_poll_ns: 50_000, per_wake_ns: 0 }));
    /// sim.spawn("sleepy", async {
    ///     for _ in 0..10 {
    ///         embassy_time::Timer::after_millis(100).await;
    ///     }
    /// });
    /// sim.run_until(SimTime::from_secs(1)).unwrap();
    /// // Eleven polls of 50 µs in a second: busy 0.055 % of the time.
    /// assert_eq!(sim.busy_time(), SimTime::from_micros(550));
    /// ```
    ///
    /// [`CostModel`]: crate::CostModel
    pub fn busy_time(&self) -> SimTime {
        SimTime(self.shared.core.borrow().clock.busy)
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

    /// Aborts every unfinished task, on every executor (a [`block_on`](Self::block_on)'s main
    /// too): what a reset does to the firmware. Called between runs, as a test step does, it
    /// drops every task's future now, so what the drops do (a chip select released, a UART
    /// read disarmed) is done before anything spawned next runs. Called from a task (firmware
    /// resetting itself, through [`SimHandle::abort_all`](crate::SimHandle::abort_all)), each
    /// is aborted as [`JoinHandle::abort`] does, the caller when its poll returns. Tasks
    /// spawned afterwards run as usual: a power cycle is this, the devices' reset
    /// (`fwsim_hw::Board::power_cycle`), and the firmware spawned again.
    ///
    /// ```
    /// fwsim::scope(fwsim::SimConfig::new(), |sim| {
    ///     let old = sim.spawn("old", std::future::pending::<()>());
    ///     sim.run_until_stalled().unwrap();
    ///     sim.abort_all();
    ///     let new = sim.spawn("new", async { 7 });
    ///     sim.run_until_stalled().unwrap();
    ///     assert!(old.is_finished() && new.is_finished());
    /// });
    /// ```
    pub fn abort_all(&self) {
        self.shared.abort_all()
    }

    /// Adds an executor (a run queue with its own order) to the simulation. Executors share
    /// the clock, the timers and the interrupts; when several have runnable tasks, the one
    /// with the lowest id runs first (as an interrupt-priority executor preempts thread mode).
    pub fn add_executor(&self, order: Order) -> ExecutorId {
        ExecutorId(self.shared.add_executor(crate::order::OrderSpec::BuiltIn(order)))
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

    /// Declares what must hold at every step from now on: `holds` is checked after every poll
    /// of a task and after every batch of interrupts and timers delivered between polls (never
    /// inside a poll, where a task may break and restore it unseen). The first step after
    /// which it fails ends the run with [`SimError::InvariantBroken`](crate::SimError), naming
    /// the invariant, the virtual time and the task whose poll broke it; the invariant is then
    /// dropped. Under a fuzz campaign that is a failure like any other, so an explorer looks
    /// for the schedule that breaks it even where the end state looks fine.
    ///
    /// ```
    /// use std::cell::Cell;
    /// fwsim::scope(fwsim::SimConfig::new(), |sim| {
    ///     let level = &*sim.alloc(Cell::new(0u32));
    ///     sim.invariant("the tank never overflows", || level.get() <= 100);
    ///     sim.spawn("pump", async move {
    ///         level.set(120); // over for one step…
    ///         fwsim::yield_now().await;
    ///         level.set(80); // …and back before the end
    ///     });
    ///     let err = sim.run_until_stalled().unwrap_err();
    ///     assert_eq!(
    ///         err.to_string(),
    ///         "invariant `the tank never overflows` broken at 0.000000000s, after a poll of pump#0"
    ///     );
    /// });
    /// ```
    pub fn invariant(&self, name: impl Into<Cow<'static, str>>, holds: impl Fn() -> bool + 'env) {
        let check: Box<dyn Fn() -> bool + 'env> = Box::new(holds);
        // SAFETY: erasing 'env. Checks run only from this simulation's run loop and clock,
        // while it is borrowed, and are dropped by `shutdown`, which runs before 'env can end.
        let check: Box<dyn Fn() -> bool> = unsafe { std::mem::transmute(check) };
        self.shared.invariants.add((name.into(), check));
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
    scope_reusing(&mut None, Rc::new(config), None, body)
}

/// A finished simulation kept for [`scope_reusing`] to build the next one in.
pub(crate) type Spare = Option<Rc<Shared>>;

/// [`scope`], building the simulation in `spare`'s allocations if it holds one, and leaving
/// this one there afterwards if nothing else holds it (a join handle or waker returned from
/// the body may); with `lent`, that explorer answers the simulation's choice points (see
/// `Shared::return_explorer` to take it back).
pub(crate) fn scope_reusing<R>(
    spare: &mut Spare,
    config: Rc<SimConfig>,
    lent: Option<Box<LentExplorer>>,
    body: impl for<'s> FnOnce(&'s Sim<'s>) -> R,
) -> R {
    let shared = match spare.take() {
        Some(mut kept) => match Rc::get_mut(&mut kept) {
            Some(unique) => {
                unique.recycle(config, lent);
                kept
            }
            None => Rc::new(Shared::new(config, lent)),
        },
        None => Rc::new(Shared::new(config, lent)),
    };
    let sim: Sim<'static> = Sim { shared, _env: PhantomData };
    let _enter = Entered::new(&sim.shared);
    // The cast changes only the (invariant) lifetime parameter, which clippy cannot see.
    #[allow(clippy::unnecessary_cast)]
    // SAFETY: only the lifetime parameter changes. Everything the body can spawn or allocate
    // is bounded by the fresh lifetime 's, which outlives this call, and all of it is dropped
    // by `shutdown` (explicitly below, or by `Sim::drop` while unwinding) before we return.
    let r = body(unsafe { &*(&sim as *const Sim<'static> as *const Sim<'_>) });
    drop(_enter);
    sim.shared.shutdown();
    let mut shared = sim.shared.clone();
    drop(sim);
    if Rc::get_mut(&mut shared).is_some() {
        *spare = Some(shared);
    }
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
    let task = unsafe { TaskBox::new_in(&shared.blocks, TaskCell::Running(future)) };
    let key = shared.spawn_boxed(exec, name, task);
    JoinHandle { shared: shared.clone(), key, _output: PhantomData }
}
