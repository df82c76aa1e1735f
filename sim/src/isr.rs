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

/// Whether the calling code runs in interrupt context.
pub fn in_interrupt() -> bool {
    with_current(|s| s.is_some_and(|s| s.in_interrupt()))
}
