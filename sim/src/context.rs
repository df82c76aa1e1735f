//! Which simulation is *current* on this thread.
//!
//! embassy-time's driver is one global symbol, but many simulations run at once in parallel
//! tests. The driver therefore asks this thread-local which simulation the calling thread is
//! running. A [`Sim`](crate::Sim) is current while one of its `run_*` methods runs, inside
//! [`fwsim::test`](fn@crate::test) and [`fwsim::scope`](crate::scope) bodies, and inside the
//! closure given to [`Sim::enter`](crate::Sim::enter). Building an embassy `Timer` (which
//! reads `Instant::now()` at construction) with no current simulation panics with a message
//! saying so.
//!
//! # Why a closure and not a guard
//!
//! The thread-local holds a plain pointer to the simulation's state, so that a wake (the
//! hottest path of all) costs one load. That pointer must never outlive the state, nor the
//! `'env` data its tasks and interrupt handlers borrow. A guard returned to the caller cannot
//! promise that: safe code may `std::mem::forget` it, leaving the pointer installed after the
//! `Sim` is dropped (a use-after-free) or forgotten (its handlers would then run after their
//! borrowed data is gone). `std::thread::scope` takes a closure for the same reason.
//!
//! So the pointer is installed only by [`Entered`], a guard that exists solely as a local
//! variable of this crate's own functions, each of which holds a borrow of the `Rc` that owns
//! the state for the guard's whole life, and none of which leaks it: the pointer is removed
//! when that function returns or unwinds. Consequently, whenever a pointer is installed, some
//! `&Sim<'env>` (or `&Rc` of its state) is borrowed further up this thread's stack: the state
//! is alive, and so is `'env`.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr;
use std::rc::Rc;

use crate::kernel::Shared;

thread_local! {
    static CURRENT: Cell<*const Shared> = const { Cell::new(ptr::null()) };
}

/// Keeps a simulation current while it lives, then restores the previous one.
///
/// Only this crate creates it, only as a local variable that is never leaked (see the module
/// docs); it borrows the `Rc` that owns the state, which therefore outlives it.
pub(crate) struct Entered<'a> {
    prev: *const Shared,
    // Borrows the owner of the state; !Send, since it restores *this* thread's state.
    _owner: PhantomData<(&'a Rc<Shared>, *const ())>,
}

impl<'a> Entered<'a> {
    #[inline]
    pub(crate) fn new(shared: &'a Rc<Shared>) -> Self {
        let prev = CURRENT.with(|c| c.replace(Rc::as_ptr(shared)));
        Entered { prev, _owner: PhantomData }
    }
}

impl Drop for Entered<'_> {
    #[inline]
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.prev));
    }
}

/// Runs `f` with `shared` current on this thread.
pub(crate) fn enter<R>(shared: &Rc<Shared>, f: impl FnOnce() -> R) -> R {
    let _entered = Entered::new(shared);
    f()
}

/// Runs `f` with the current simulation, or `None`.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Shared>) -> R) -> R {
    let p = CURRENT.with(|c| c.get());
    // SAFETY: a non-null pointer was installed by an `Entered` that still lives further up
    // this thread's stack, borrowing the `Rc` that owns the state (module docs): the state is
    // alive for the duration of `f`, which cannot keep the reference.
    f(unsafe { p.as_ref() })
}

/// A new strong reference to the current simulation's state, or `None`.
pub(crate) fn current_rc() -> Option<Rc<Shared>> {
    let p = CURRENT.with(|c| c.get());
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` came from `Rc::as_ptr` of an `Rc<Shared>` that an `Entered` up the stack
    // still borrows (module docs), so the allocation is alive with a strong count ≥ 1, and
    // incrementing it before `from_raw` makes the new `Rc` an owner of its own.
    unsafe {
        Rc::increment_strong_count(p);
        Some(Rc::from_raw(p))
    }
}

pub(crate) const NO_SIM: &str = "fwsim: no simulation is current on this thread. \
Build embassy Timers, Instants and Tickers inside a task spawned on a Sim, inside \
fwsim::test(|sim| ...), or inside sim.enter(|| ...)";

/// Runs `f` with the current simulation; panics with a helpful message if there is none.
#[inline]
pub(crate) fn expect_current<R>(f: impl FnOnce(&Shared) -> R) -> R {
    with_current(|s| f(s.expect(NO_SIM)))
}
