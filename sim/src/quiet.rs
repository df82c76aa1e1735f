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
    /// Where the last panic kept quiet on this thread was raised (`file:line:column`).
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Where the last panic kept quiet on this thread was raised, if one was since the last call.
pub(crate) fn take_last_location() -> Option<String> {
    LAST_LOCATION.with(|l| l.borrow_mut().take())
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
                LAST_LOCATION.with(|last| *last.borrow_mut() = Some(l.to_string()));
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
