//! [`TaskPool`]: the bounded task slots of `#[embassy_executor::task(pool_size = N)]`.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::rc::Rc;

use crate::join_handle::JoinHandle;
use crate::sim::Sim;

/// A bounded set of task slots, as `#[embassy_executor::task(pool_size = N)]` gives a task
/// function on a board: spawning into a full pool is `Err(SpawnError::Busy)`, and a slot is
/// free again once its task finishes (or is aborted). fwsim's own `spawn` has no bound, so
/// firmware that must cope with `Busy` spawns through a pool in its tests.
///
/// ```
/// use embassy_time::Timer;
/// use fwsim::{Sim, SpawnError, TaskPool};
///
/// let sim = Sim::new();
/// let pool = TaskPool::new(2);
/// let job = || async { Timer::after_millis(10).await };
/// assert!(pool.spawn(&sim, "job", job()).is_ok());
/// assert!(pool.spawn(&sim, "job", job()).is_ok());
/// assert_eq!(pool.spawn(&sim, "job", job()).unwrap_err(), SpawnError::Busy);
/// sim.run_for(fwsim::ms(10)).unwrap();
/// assert_eq!(pool.busy(), 0);
/// assert!(pool.spawn(&sim, "job", job()).is_ok(), "free again once a task finished");
/// ```
#[derive(Clone)]
pub struct TaskPool {
    size: usize,
    busy: Rc<Cell<usize>>,
}

/// Why a [`TaskPool`] spawned nothing (embassy-executor's `SpawnError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpawnError {
    /// Every slot of the pool holds a task that has not finished.
    Busy,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("every slot of the task pool is busy")
    }
}

impl std::error::Error for SpawnError {}

impl TaskPool {
    /// A pool of `size` slots.
    pub fn new(size: usize) -> Self {
        TaskPool { size, busy: Rc::new(Cell::new(0)) }
    }

    /// How many slots hold an unfinished task.
    pub fn busy(&self) -> usize {
        self.busy.get()
    }

    /// Spawns `future` on `sim` in a free slot, or says the pool is busy.
    pub fn spawn<'env, F: Future + 'env>(
        &self,
        sim: &Sim<'env>,
        name: impl Into<Cow<'static, str>>,
        future: F,
    ) -> Result<JoinHandle<F::Output>, SpawnError> {
        let slot = self.take_slot()?;
        Ok(sim.spawn(name, holding(slot, future)))
    }

    /// Spawns `future` on the current simulation (from inside a task, as firmware spawns with
    /// its `Spawner`), or says the pool is busy. Panics outside a simulation.
    pub fn spawn_here<F: Future + 'static>(
        &self,
        name: impl Into<Cow<'static, str>>,
        future: F,
    ) -> Result<JoinHandle<F::Output>, SpawnError> {
        let slot = self.take_slot()?;
        Ok(crate::spawn(name, holding(slot, future)))
    }

    fn take_slot(&self) -> Result<Slot, SpawnError> {
        if self.busy.get() >= self.size {
            return Err(SpawnError::Busy);
        }
        self.busy.set(self.busy.get() + 1);
        Ok(Slot(self.busy.clone()))
    }
}

impl fmt::Debug for TaskPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskPool").field("size", &self.size).field("busy", &self.busy()).finish()
    }
}

/// A taken slot, given back when the task's future is dropped (it finished, was aborted, or
/// the simulation shut down).
struct Slot(Rc<Cell<usize>>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// A pooled task's future: the future and its slot, dropped together.
async fn holding<F: Future>(slot: Slot, future: F) -> F::Output {
    let _slot = slot;
    future.await
}
