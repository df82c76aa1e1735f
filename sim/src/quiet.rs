//! Keeping the panic hook quiet for the panics a simulation catches.
//!
//! A task's panic is caught by the kernel and reported as a diagnostic, with its message; the
//! process-wide panic hook still prints it first. A fuzz loop or a batch of scenarios would
//! flood its output with them. With [`SimConfig::quiet_panics`](crate::SimConfig) the kernel
//! marks the thread while it polls a task or runs an interrupt handler, and a hook installed
//! once, in front of whatever hook was there, stays silent for panics raised while marked.
//! Every other panic — in the test body, on other threads, in simulations that are not quiet
//! — reaches the previous hook as before.

use std::cell::{Cell, RefCell};
use std::sync::Once;

thread_local! {
    /// How many quiet sections this thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the panics kept quiet on this thread were raised (`file:line:column`), in order
    /// (the first few).
    static LOCATIONS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// How many panic locations a thread keeps between two [`take_locations`].
const KEPT: usize = 64;

/// Where the panics kept quiet on this thread since the last call were raised, in order.
pub(crate) fn take_locations() -> Vec<String> {
    LOCATIONS.with(|l| {
        let mut kept = l.borrow_mut();
        // Mostly none: an empty list is then built in the result, not copied out of the cell
        // through a temporary (which would be read back across its own stores, a stall).
        if kept.is_empty() { Vec::new() } else { std::mem::take(&mut *kept) }
    })
}

/// Forgets the panic locations kept so far on this thread.
pub(crate) fn forget_locations() {
    LOCATIONS.with(|l| {
        let mut kept = l.borrow_mut();
        if !kept.is_empty() {
            kept.clear();
        }
    });
}

static INSTALL: Once = Once::new();

/// Installs the filtering hook (once per process).
fn install() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                previous(info);
            } else if let Some(l) = info.location() {
                LOCATIONS.with(|kept| {
                    let mut kept = kept.borrow_mut();
                    if kept.len() < KEPT {
                        kept.push(l.to_string());
                    }
                });
            }
        }));
    });
}

/// A quiet section: panics on this thread reach no hook until it is dropped.
pub(crate) struct Quiet(());

impl Quiet {
    /// Enters a quiet section if `quiet`.
    pub(crate) fn enter(quiet: bool) -> Option<Quiet> {
        if !quiet {
            return None;
        }
        install();
        DEPTH.with(|d| d.set(d.get() + 1));
        Some(Quiet(()))
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}
