//! How a [`Sim`] advances: the `run_*` methods, [`block_on`](Sim::block_on) and
//! [`join`](Sim::join). Each is one call of the kernel's run loop with a limit and a stop
//! condition; this file says where each leaves the clock.

use std::future::Future;

use crate::context::Entered;
use crate::diag::{SimError, WaitReport};
use crate::join_handle::{JoinError, JoinHandle};
use crate::kernel::{RunEnd, RunSpec, Shared, Stop};
use crate::sim::Sim;
use crate::time::{IntoNanos, SimTime};

/// Clears the "running" flag when a `run_*` call ends, however it ends.
struct RunGuard<'a>(&'a Shared);
impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.0.in_run.set(false);
    }
}

impl<'env> Sim<'env> {
    fn begin_run(&self) -> (RunGuard<'_>, Entered<'_>) {
        assert!(
            !self.shared.in_run.replace(true),
            "fwsim: a run_* method was called while the simulation is already running (from inside a task?)"
        );
        (RunGuard(&self.shared), Entered::new(&self.shared))
    }

    /// Polls tasks until none is runnable at the current instant. Never advances time but by
    /// the polls' own busy time (a cost model's charges, a blocking delay): a task that never
    /// waits then moves the clock as it runs, and the call returns after
    /// [`same_instant_poll_limit`](crate::SimConfig::same_instant_poll_limit) polls (100,000
    /// by default) with it still runnable, as the same-instant limit ends a loop whose polls
    /// take no time.
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
    /// stands exactly at `now + limit` (later only if a poll's busy time overshot it).
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
        let finished_at = self.shared.core.borrow().all_finished_at();
        if let Some(at) = finished_at {
            // Built here, in the result: returned by the out-of-line `wait_report`, it would be
            // copied in wider loads than the stores that wrote it (a store-forwarding stall
            // once per fuzz execution).
            return Ok(WaitReport { at, reached_limit, waiting: Vec::new() });
        }
        Ok(self.shared.wait_report(reached_limit))
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
            Some(Err(JoinError::Panicked(m))) => Err(self.shared.stopped(SimError::MainPanicked(m))),
            Some(Err(e)) => Err(self.shared.stopped(SimError::MainPanicked(e.to_string()))),
            None => {
                debug_assert_eq!(end, RunEnd::Quiescent);
                Err(self.shared.stopped(SimError::Deadlock(self.shared.wait_report(false))))
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
            Err(error) => Err(self.shared.stopped(SimError::Task { task, error })),
        }
    }
}
