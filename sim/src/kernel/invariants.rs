//! Invariants: what a test declares must hold at every step, checked after every poll and
//! after every batch of interrupts and timers delivered between polls.
//!
//! A check never runs inside a poll (a task may break and restore a property within one, and
//! nothing else can see that), and never under a borrow of the core: it may read anything, even
//! call back into the simulation. The first check to fail stops the run with
//! [`SimError::InvariantBroken`], naming what the step was; that invariant is then dropped, so
//! that the run methods after it do not fail again on the same break.

use super::*;

/// One declared invariant: its name and its check.
pub(crate) type Invariant = (Cow<'static, str>, Box<dyn Fn() -> bool>);

/// The simulation's invariants and the break found, if any.
#[derive(Default)]
pub(crate) struct Invariants {
    /// Any declared: the only thing the per-poll path reads.
    armed: Cell<bool>,
    checks: RefCell<Vec<Invariant>>,
    /// The break found by the last check, until the run loop returns it.
    broken: RefCell<Option<SimError>>,
    /// The task step under way or last: `a poll of name#id`, `the drop of aborted name#id`.
    step: RefCell<String>,
}

impl Invariants {
    /// Whether any invariant is declared (one load: the poll path asks it every poll).
    #[inline(always)]
    pub(super) fn armed(&self) -> bool {
        self.armed.get()
    }

    pub(crate) fn add(&self, invariant: Invariant) {
        self.checks.borrow_mut().push(invariant);
        self.armed.set(true);
    }

    /// Drops every invariant (they may borrow what the simulation's `'env` ends). Inline when
    /// none was ever set, as in most runs.
    #[inline]
    pub(super) fn clear(&self) {
        if self.armed.get() {
            self.drop_all();
        }
    }

    #[inline(never)]
    fn drop_all(&self) {
        let checks = std::mem::take(&mut *self.checks.borrow_mut());
        self.armed.set(false);
        self.broken.borrow_mut().take();
        self.step.borrow_mut().clear();
        drop(checks);
    }

    /// A task step begins: a poll, or the drop of an aborted task.
    #[cold]
    pub(super) fn task_step(&self, step: std::fmt::Arguments<'_>) {
        let mut s = self.step.borrow_mut();
        s.clear();
        std::fmt::Write::write_fmt(&mut *s, step).expect("a String takes any text");
    }

    /// The break found, if any, for the run loop to return.
    pub(super) fn take_broken(&self) -> Result<(), SimError> {
        match self.broken.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Shared {
    /// Runs every invariant after a step that `after` describes; the first that fails is
    /// recorded as the break (returned by the run loop) and dropped.
    #[cold]
    pub(super) fn check_invariants(&self, after: impl FnOnce() -> String) {
        if self.invariants.broken.borrow().is_some() || self.torn_down.get() {
            return;
        }
        // Taken out of the cell while they run: a check may declare another invariant.
        let mut checks = std::mem::take(&mut *self.invariants.checks.borrow_mut());
        let failed = checks.iter().position(|(_, holds)| !holds());
        let name = failed.map(|i| checks.remove(i).0);
        let mut cell = self.invariants.checks.borrow_mut();
        checks.append(&mut cell);
        *cell = checks;
        drop(cell);
        if let Some(name) = name {
            let at = SimTime(self.core.borrow().clock.now);
            let error = SimError::InvariantBroken { name: name.into_owned(), at, after: after() };
            *self.invariants.broken.borrow_mut() = Some(error);
        }
    }

    /// After a task's step (a poll, or dropping an aborted task): what its code did is visible
    /// to every invariant. The break, if it made one.
    pub(super) fn check_invariants_after_poll(&self) -> Result<(), SimError> {
        self.check_invariants(|| self.invariants.step.borrow().clone());
        self.invariants.take_broken()
    }

    /// After interrupts and timers delivered while no task is polled.
    #[inline(always)]
    pub(super) fn check_invariants_after_events(&self) {
        if self.invariants.armed() && self.core.borrow().poll.running.is_none() {
            self.check_invariants(|| "interrupts and timers".to_owned());
        }
    }

    /// The break found, if any, as a run ends (one found while it stopped or landed on its
    /// limit, after its last step).
    pub(super) fn take_broken_invariant(&self) -> Result<(), SimError> {
        if self.invariants.armed() { self.invariants.take_broken() } else { Ok(()) }
    }
}
