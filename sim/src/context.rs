//! Which simulation is *current* on this thread.
//!
//! embassy-time's driver is one global symbol, but many simulations run at once in parallel
//! tests. The driver therefore asks this thread-local which simulation the calling thread is
//! running. A [`Sim`](crate::Sim) is current while one of its `run_*` methods runs, inside
//! [`fwsim::test`](crate::test) bodies, and while an [`EnterGuard`] from
//! [`Sim::enter`](crate::Sim::enter) lives. Building an embassy `Timer` (which reads
//! `Instant::now()` at construction) with no current simulation panics with a message saying
//! so.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr;

use crate::kernel::Shared;

thread_local! {
    static CURRENT: Cell<*const Shared> = const { Cell::new(ptr::null()) };
}

/// Keeps a simulation current on this thread until dropped; restores the previous one.
#[must_use = "the simulation is current only while the guard lives"]
pub struct EnterGuard<'a> {
    prev: *const Shared,
    // !Send: the guard restores *this* thread's state.
    _not_send: PhantomData<(&'a (), *const ())>,
}

impl EnterGuard<'_> {
    pub(crate) fn new(shared: &Shared) -> Self {
        let prev = CURRENT.with(|c| c.replace(shared as *const Shared));
        EnterGuard { prev, _not_send: PhantomData }
    }
}

impl Drop for EnterGuard<'_> {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.prev));
    }
}

/// Runs `f` with the current simulation, or `None`.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Shared>) -> R) -> R {
    let p = CURRENT.with(|c| c.get());
    // SAFETY: a pointer is installed only by an EnterGuard, which borrows the Shared (kept
    // alive by an Rc inside the Sim) for the guard's lifetime and removes the pointer on drop.
    f(unsafe { p.as_ref() })
}

pub(crate) const NO_SIM: &str = "fwsim: no simulation is current on this thread. \
Build embassy Timers, Instants and Tickers inside a task spawned on a Sim, inside \
fwsim::test(|sim| ...), or after `let _guard = sim.enter();`";

/// Runs `f` with the current simulation; panics with a helpful message if there is none.
#[inline]
pub(crate) fn expect_current<R>(f: impl FnOnce(&Shared) -> R) -> R {
    with_current(|s| f(s.expect(NO_SIM)))
}
