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
    /// Whether `LOCATIONS` may hold any. Read first, since most executions keep none: this
    /// one is a plain load, where every access to `LOCATIONS` checks that its destructor is
    /// registered and borrows it.
    static KEPT_ANY: Cell<bool> = const { Cell::new(false) };
}

/// How many panic locations a thread keeps between two [`take_locations`].
const KEPT: usize = 64;

/// Where the panics kept quiet on this thread since the last call (or [`forget_locations`])
/// were raised, in order.
#[inline]
pub(crate) fn take_locations() -> Vec<String> {
    if KEPT_ANY.replace(false) { take_kept() } else { Vec::new() }
}

/// The kept locations, out of line: most executions keep none.
#[cold]
#[inline(never)]
fn take_kept() -> Vec<String> {
    LOCATIONS.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// Forgets the panic locations kept so far on this thread.
#[inline]
pub(crate) fn forget_locations() {
    if KEPT_ANY.replace(false) {
        drop(take_kept());
    }
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
                        KEPT_ANY.set(true);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Panics `n` times inside a quiet section, each from its own line.
    fn panic_quietly(n: usize) -> Vec<u32> {
        let _quiet = Quiet::enter(true);
        (0..n)
            .map(|_| {
                let line = line!() + 1;
                let caught = std::panic::catch_unwind(|| panic!("kept quiet"));
                assert!(caught.is_err());
                line
            })
            .collect()
    }

    #[test]
    fn locations_are_taken_once_and_forgotten_on_request() {
        forget_locations();
        assert_eq!(take_locations(), Vec::<String>::new());
        let lines = panic_quietly(2);
        let taken = take_locations();
        assert_eq!(taken.len(), 2, "{taken:?}");
        for (location, line) in taken.iter().zip(lines) {
            assert!(location.starts_with(&format!("sim/src/quiet.rs:{line}:")), "{location}");
        }
        assert_eq!(take_locations(), Vec::<String>::new(), "taken already");
        panic_quietly(1);
        forget_locations();
        assert_eq!(take_locations(), Vec::<String>::new(), "forgotten");
        panic_quietly(KEPT + 3);
        assert_eq!(take_locations().len(), KEPT, "only the first few are kept");
    }
}
