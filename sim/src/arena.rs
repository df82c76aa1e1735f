//! The per-simulation arena behind [`Sim::alloc`] and [`Sim::alloc_borrowing`]: values that
//! live exactly as long as a simulation, so that its tasks may borrow them, as firmware borrows
//! its `static`s. Why there are two doors, one that drops and one that never does, is in
//! `alloc_borrowing`'s docs; the memory behind both is `kernel::bump`'s.

use crate::sim::Sim;

impl<'env> Sim<'env> {
    /// Moves `value` into storage that lives as long as the simulation and returns a reference
    /// that its tasks may hold — the per-simulation replacement for `static` + `StaticCell`,
    /// which a second run in the same process would find already taken. Available inside
    /// [`fwsim::scope`](crate::scope) and [`fwsim::test`](fn@crate::test).
    ///
    /// The value owns what it holds (`T: 'static`) and is dropped when the simulation ends,
    /// after its tasks. A value that holds references to the simulation's other values (a
    /// callback that logs into an allocated log, a broker holding allocated queues) goes
    /// through [`alloc_borrowing`](Self::alloc_borrowing) instead: whatever the order, a drop
    /// could read a value dropped before it.
    ///
    /// ```
    /// use std::cell::{Cell, RefCell};
    ///
    /// fwsim::scope(fwsim::SimConfig::new(), |sim| {
    ///     let count = &*sim.alloc(Cell::new(0u32));
    ///     let log = &*sim.alloc(RefCell::new(Vec::new())); // freed when the simulation ends
    ///     sim.spawn("counter", async move {
    ///         count.set(count.get() + 1);
    ///         log.borrow_mut().push(count.get());
    ///     });
    ///     sim.run_until_stalled().unwrap();
    ///     assert_eq!(*log.borrow(), [1]);
    /// });
    /// ```
    ///
    /// A value that borrows another one does not compile here: the compiler says the borrowed
    /// data escapes and "requires that `'1` must outlive `'static`". Allocate it with
    /// `alloc_borrowing`:
    ///
    /// ```compile_fail
    /// fwsim::scope(fwsim::SimConfig::new(), |sim| {
    ///     let log = &*sim.alloc(std::cell::RefCell::new(Vec::<u32>::new()));
    ///     sim.alloc(move || log.borrow_mut().push(1)); // use `alloc_borrowing`
    /// });
    /// ```
    #[allow(clippy::mut_from_ref)] // every call moves in a new value: the reference is unique
    pub fn alloc<T: 'static>(&'env self, value: T) -> &'env mut T {
        assert!(!self.shared.torn_down.get(), "fwsim: alloc on a simulation that has been shut down");
        // Shutdown drops the value, after tasks, handlers and invariants; the reference handed
        // out is `'env`, which ends before the memory is reused or freed (after shutdown).
        // SAFETY: `T` borrows nothing, so its drop reads nothing that has ended or been dropped.
        let mut ptr = unsafe { self.shared.arena.borrow_mut().put(value, true) };
        // SAFETY: a value just moved in, alive and unmoved until shutdown: the reference is
        // unique.
        unsafe { ptr.as_mut() }
    }

    /// [`alloc`](Self::alloc) for a value that borrows the simulation's data — other
    /// allocated values, or what the simulation itself borrows — and is **never dropped**, as
    /// a `static` on a board never is: its storage is reused when the simulation ends, but its
    /// drop does not run, and what it owns (a `Vec`'s buffer, a `Box`, a join handle) is never
    /// freed. Keep such a value to references and small plain data, and allocate what it owns
    /// with `alloc`.
    ///
    /// Why not dropped: all allocated values live exactly as long as the simulation, so the
    /// borrow checker lets any of them refer to any other (a value built from an earlier one,
    /// or an earlier one pointed at a later one through a `Cell`), and no order of drops is
    /// safe for every such value whose drop reads what it borrows.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// fwsim::scope(fwsim::SimConfig::new(), |sim| {
    ///     let log = &*sim.alloc(RefCell::new(Vec::new()));
    ///     let record = &*sim.alloc_borrowing(move |n: u32| log.borrow_mut().push(n));
    ///     sim.spawn("sensor", async move { record(21) });
    ///     sim.run_until_stalled().unwrap();
    ///     assert_eq!(*log.borrow(), [21]);
    /// });
    /// ```
    #[allow(clippy::mut_from_ref)] // every call moves in a new value: the reference is unique
    pub fn alloc_borrowing<T: 'env>(&'env self, value: T) -> &'env mut T {
        assert!(!self.shared.torn_down.get(), "fwsim: alloc on a simulation that has been shut down");
        // The reference handed out is `'env`, which ends before the memory is reused or freed.
        // SAFETY: `T: 'env`, and the value is never dropped, so nothing it borrows is used
        // after shutdown, which runs before `'env` can end.
        let mut ptr = unsafe { self.shared.arena.borrow_mut().put(value, false) };
        // SAFETY: a value just moved in, alive and unmoved until shutdown: the reference is
        // unique.
        unsafe { ptr.as_mut() }
    }
}
