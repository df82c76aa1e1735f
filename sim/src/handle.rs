//! [`SimHandle`](crate::SimHandle): an owned reference to a simulation.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::rc::Rc;

use crate::config::Irq;
use crate::context;
use crate::join_handle::JoinHandle;
use crate::kernel::Shared;
use crate::sim::spawn_on_shared;
use crate::time::SimTime;

/// [`SimHandle`]: a cloneable, owned reference to a simulation, for code that must keep one
/// but holds no `&Sim` — a peripheral model, a board, a task that spawns helpers.
///
/// A handle keeps the simulation's state alive, never its `'env` data, so it offers only what
/// cannot run borrowed code: the clock, the seed, spawning `'static` tasks, scheduling
/// `'static` interrupt handlers, reporting. Driving the simulation (running it, spending busy
/// time) needs the [`Sim`](crate::Sim) itself, or code that it runs.
///
/// ```
/// use fwsim::{Irq, Sim, SimHandle, SimTime};
/// use std::{cell::Cell, rc::Rc};
///
/// let sim = Sim::new();
/// let handle = sim.handle();
/// let fired = Rc::new(Cell::new(false));
/// let f = fired.clone();
/// handle.schedule_isr(SimTime::from_millis(3), Irq::new(1, 40), move || f.set(true));
/// sim.run_for(fwsim::ms(5)).unwrap();
/// assert!(fired.get());
/// assert_eq!(handle.now(), SimTime::from_millis(5));
/// ```
///
/// A handle outlives what the simulation borrows, so it takes no borrowing handler (the
/// [`Sim`](crate::Sim) does):
///
/// ```compile_fail,E0597
/// use fwsim::{Irq, Sim, SimTime};
/// let handle = {
///     let count = std::cell::Cell::new(0);
///     let sim = Sim::new();
///     let handle = sim.handle();
///     handle.schedule_isr(SimTime::ZERO, Irq::new(0, 1), || count.set(1));
///     std::mem::forget(sim);
///     handle
/// };
/// ```
#[derive(Clone)]
pub struct SimHandle {
    shared: Rc<Shared>,
}

impl SimHandle {
    pub(crate) fn new(shared: Rc<Shared>) -> Self {
        SimHandle { shared }
    }

    /// The simulation current on this thread. Panics outside a simulation.
    pub fn current() -> Self {
        Self::try_current().expect(context::NO_SIM)
    }

    /// The simulation current on this thread, or `None`.
    pub fn try_current() -> Option<Self> {
        context::current_rc().map(Self::new)
    }

    /// The simulation's virtual time.
    pub fn now(&self) -> SimTime {
        SimTime(self.shared.core.borrow().clock.now)
    }

    /// The simulation's seed ([`SimConfig::seed`](crate::SimConfig)).
    pub fn seed(&self) -> u64 {
        self.shared.config.seed
    }

    /// Whether the simulation has been shut down (its `Sim` dropped, or its
    /// [`scope`](crate::scope) ended): it then runs nothing more.
    pub fn is_shut_down(&self) -> bool {
        self.shared.torn_down.get()
    }

    /// Whether both handles refer to the same simulation.
    pub fn same_simulation(&self, other: &SimHandle) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }

    /// Aborts every unfinished task, as [`Sim::abort_all`](crate::Sim::abort_all): a reset, from
    /// code that holds a handle (a device model's watchdog, a test's power cycle).
    pub fn abort_all(&self) {
        self.shared.abort_all()
    }

    /// Spawns a task on the simulation's first executor. Panics if it has been shut down.
    pub fn spawn<F>(&self, name: impl Into<Cow<'static, str>>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        spawn_on_shared(&self.shared, 0, name.into(), future)
    }

    /// Schedules `handler` to run in interrupt context at `at`, as IRQ `irq` (see
    /// [`Sim::schedule_isr`](crate::Sim::schedule_isr)). A simulation that has been shut down
    /// drops it unrun.
    pub fn schedule_isr(&self, at: SimTime, irq: Irq, handler: impl FnOnce() + 'static) {
        self.shared.schedule_isr(at.as_nanos(), irq, Box::new(handler));
    }

    /// Adds an artifact that [`fwsim::test`](fn@crate::test) writes when the test fails, beside
    /// the trace: `write` gets the artifacts directory. A simulated board adds its waveform
    /// and signal log this way, so a failing board test leaves them without the harness
    /// knowing about boards. Writers added to a simulation that has shut down are dropped.
    pub fn add_artifact(
        &self,
        name: impl Into<String>,
        write: impl Fn(&std::path::Path) -> std::io::Result<()> + 'static,
    ) {
        if !self.is_shut_down() {
            self.shared.artifact_writers.borrow_mut().push((name.into(), Box::new(write)));
        }
    }

    /// Records a hardware-rule violation (see [`diag::report_hardware`](crate::diag::report_hardware)).
    pub fn report_hardware(&self, device: impl Into<String>, rule: &'static str, detail: impl Into<String>) {
        self.shared.report_hardware(device.into(), rule, detail.into());
    }
}

impl fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimHandle").field("now", &self.now()).field("shut_down", &self.is_shut_down()).finish()
    }
}
