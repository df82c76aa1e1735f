//! Interrupt context.
//!
//! Peripherals (and tests) run handlers "in an ISR": wakes they make are attributed to the
//! interrupt in the trace, and the policy treats them as interrupt wakes:
//!
//! * **scheduled** interrupts ([`Sim::schedule_isr`](crate::Sim::schedule_isr)) are events on
//!   the clock; same-instant events from different sources run in `(priority, number)` order,
//!   a choice point that exploring policies may reorder;
//! * **raised** interrupts ([`raise`]) are caused by the running code at the current instant
//!   (a pin write on a wired net, a loopback UART byte): they run nested at the point of the
//!   cause, or — while a critical section is held — when the outermost section ends, as on a
//!   Cortex-M with interrupts masked. Under the `MicroPython` order their wakes join the queue
//!   at the next loop step with key = now (asyncio notices interrupt work at its next
//!   `ipoll`).

use crate::config::Irq;
use crate::context::{expect_current, with_current};

/// Raises an interrupt now. See the [module docs](self).
pub fn raise(irq: Irq, handler: impl FnOnce() + 'static) {
    expect_current(|s| s.raise_irq(irq, Box::new(handler)));
}

/// Schedules `handler` to run in interrupt context at virtual time `at` on the current
/// simulation: [`Sim::schedule_isr`](crate::Sim::schedule_isr) for code that holds no `&Sim`
/// (a peripheral model finishing a transfer, a task arming a hardware timer). An `at` in the
/// past runs at the next event check. Panics outside a simulation.
pub fn schedule(at: crate::SimTime, irq: Irq, handler: impl FnOnce() + 'static) {
    expect_current(|s| s.schedule_isr(at.as_nanos(), irq, Box::new(handler)));
}

/// Names interrupt source `irq` in the current simulation's trace and reports: `irq1004
/// (UART0)` where they would say `irq1004` (a board names each source it creates). Nothing
/// outside a simulation, or when the trace is off.
///
/// ```
/// let sim = fwsim::Sim::new();
/// let irq = fwsim::Irq::new(2, 7);
/// sim.enter(|| fwsim::isr::name(irq, "sensor ready"));
/// sim.schedule_isr(fwsim::SimTime::from_millis(1), irq, || {});
/// sim.run_for(fwsim::ms(2)).unwrap();
/// let names = sim.trace_names();
/// let interrupt = sim.trace_records().into_iter().find(|r| r.kind == fwsim::trace::Kind::Interrupt).unwrap();
/// assert_eq!(names.describe(interrupt.source_ref()), "irq7 (sensor ready)");
/// ```
pub fn name(irq: Irq, name: &str) {
    with_current(|s| {
        if let Some(s) = s {
            s.core.borrow_mut().trace.name_irq(irq.number, name);
        }
    });
}

/// Whether the calling code runs in interrupt context.
pub fn in_interrupt() -> bool {
    with_current(|s| s.is_some_and(|s| s.in_interrupt()))
}

/// A [`RawMutex`](embassy_sync::blocking_mutex::raw::RawMutex) for primitives that only tasks
/// may touch, which reports [`IsrMisuse`](crate::Diagnostic::IsrMisuse) when interrupt code
/// locks one.
///
/// On a board such a primitive uses `NoopRawMutex`: cheap, and wrong the day an interrupt
/// handler calls it while a task is halfway through an update. Build the primitive on this
/// mutex in simulation and that day comes in a test instead:
///
/// ```
/// use embassy_sync::blocking_mutex::Mutex;
/// use fwsim::{Irq, IsrCheckedRawMutex, Sim, SimTime, ms};
/// use std::cell::Cell;
///
/// let count = Mutex::<IsrCheckedRawMutex, _>::new(Cell::new(0));
/// let sim = Sim::new();
/// sim.schedule_isr(SimTime::from_millis(1), Irq::new(1, 7), || count.lock(|c| c.set(c.get() + 1)));
/// sim.run_for(ms(2)).unwrap();
/// let d = &sim.diagnostics()[0];
/// assert_eq!(d.kind(), "IsrMisuse");
/// assert!(d.to_string().starts_with("0.001000000s: interrupt 7 locked "));
/// ```
///
/// Outside interrupt context it behaves as `NoopRawMutex` (no exclusion is needed: a
/// simulation runs on one thread).
///
/// The report names the primitive by `N` ([`PrimitiveName`]) when you give one, which is
/// exact; otherwise by the locking method as the compiler spells its closure's type (for
/// instance `Event::set`), which is a best effort: Rust does not promise that spelling.
///
/// ```
/// use embassy_sync::blocking_mutex::Mutex;
/// use fwsim::{Irq, IsrCheckedRawMutex, Sim, SimTime, ms};
///
/// fwsim::primitive_name!(Counter = "the press counter");
/// let presses = Mutex::<IsrCheckedRawMutex<Counter>, _>::new(std::cell::Cell::new(0));
/// let sim = Sim::new();
/// sim.schedule_isr(SimTime::from_millis(1), Irq::new(1, 7), || presses.lock(|c| c.set(1)));
/// sim.run_for(ms(2)).unwrap();
/// assert!(sim.diagnostics()[0].to_string().contains("interrupt 7 locked the press counter"));
/// ```
pub struct IsrCheckedRawMutex<N: PrimitiveName = Unnamed> {
    // !Send + !Sync, like NoopRawMutex: the primitive stays on the simulation's thread.
    _not_sync: core::marker::PhantomData<(*mut (), N)>,
}

/// The name an [`IsrCheckedRawMutex`] gives its primitive in
/// [`IsrMisuse`](crate::Diagnostic::IsrMisuse) reports. Declare one with
/// [`primitive_name!`](crate::primitive_name).
pub trait PrimitiveName {
    /// The name; empty for [`Unnamed`].
    const NAME: &'static str;
}

/// No name: reports take the locking method's name from its closure's type (best effort).
pub struct Unnamed;

impl PrimitiveName for Unnamed {
    const NAME: &'static str = "";
}

/// Declares a [`PrimitiveName`](crate::isr::PrimitiveName):
/// `fwsim::primitive_name!(pub ButtonEvent = "the button Event");`.
#[macro_export]
macro_rules! primitive_name {
    ($vis:vis $name:ident = $text:literal) => {
        /// A primitive's name in fwsim's interrupt-misuse reports.
        $vis struct $name;
        impl $crate::isr::PrimitiveName for $name {
            const NAME: &'static str = $text;
        }
    };
}

// SAFETY: like `NoopRawMutex`, mutual exclusion comes from the type being `!Sync` (one thread)
// and `lock` not being re-entered by embassy-sync's users.
unsafe impl<N: PrimitiveName> embassy_sync::blocking_mutex::raw::RawMutex for IsrCheckedRawMutex<N> {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = IsrCheckedRawMutex { _not_sync: core::marker::PhantomData };

    fn lock<R>(&self, f: impl FnOnce() -> R) -> R {
        with_current(|s| {
            if let Some(s) = s
                && s.in_interrupt()
            {
                let name = if N::NAME.is_empty() {
                    primitive_name(core::any::type_name_of_val(&f))
                } else {
                    N::NAME.to_owned()
                };
                s.report_isr_misuse(name);
            }
        });
        f()
    }
}

/// `Event::set` from the closure type `fwsim_primitives::event::Event<M>::set::{{closure}}`:
/// generic arguments and closure suffixes removed, the last two path segments kept. Through
/// embassy-sync's `blocking_mutex::Mutex::lock<R, F>`, whose own closure wraps the caller's,
/// the name is the caller's closure `F`.
fn primitive_name(closure_type: &str) -> String {
    if let Some(caller) = mutex_lock_caller(closure_type) {
        return primitive_name(caller);
    }
    let mut plain = String::new();
    let mut depth = 0u32;
    for ch in closure_type.chars() {
        match ch {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(ch),
            _ => {}
        }
    }
    let segments: Vec<&str> = plain.split("::").filter(|s| !s.is_empty() && !s.starts_with('{')).collect();
    segments[segments.len().saturating_sub(2)..].join("::")
}

/// The `F` of `...blocking_mutex::Mutex<..>::lock<R, F>::{{closure}}`, if that is the shape.
fn mutex_lock_caller(closure_type: &str) -> Option<&str> {
    let start = closure_type.find(">::lock<")? + ">::lock<".len();
    let (mut depth, mut last_comma) = (1u32, start);
    for (i, ch) in closure_type[start..].char_indices() {
        match ch {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(closure_type[last_comma..start + i].trim_start_matches([',', ' ']));
                }
            }
            ',' if depth == 1 => last_comma = start + i,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn primitive_names_are_short() {
        assert_eq!(
            super::primitive_name("fwsim_primitives::event::Event<fwsim::isr::IsrCheckedRawMutex>::set::{{closure}}"),
            "Event::set"
        );
        assert_eq!(super::primitive_name("a::b<c::d<e>>::f::{{closure}}::{{closure}}"), "b::f");
        assert_eq!(super::primitive_name("main"), "main");
        assert_eq!(
            super::primitive_name(
                "embassy_sync::blocking_mutex::Mutex<fwsim::isr::IsrCheckedRawMutex, core::cell::RefCell<x::Inner>>\
                 ::lock<(), fwsim_primitives::event::Event<fwsim::isr::IsrCheckedRawMutex>::set::{{closure}}>::{{closure}}"
            ),
            "Event::set"
        );
    }
}
