//! Busy-wait loops: a poll that reads the clock or a [spin point](crate::spin_point) over and
//! over, with no busy time of its own between the reads, is spinning, and each further read
//! spends a tick of busy time, so the loop sees the change it waits for when it comes, as on a
//! board.
//!
//! A spin that reads only spin points, with nothing left on the clock that could change what
//! it reads, would spin for ever: the task panics with the reason instead of the run hanging.
//! Only the clock and the clock's events move a simulation while one poll holds the CPU (the
//! test or scenario that drives it gets control back only when the poll returns), so this is
//! certain, not a guess.

use super::*;

/// The spin a poll is in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spin {
    /// Since when (ns).
    pub(super) from: u64,
    /// Whether the loop reads the clock too (then it may end on a deadline of its own).
    pub(super) reads_clock: bool,
}

impl PollState {
    /// Counts a read that a busy-wait loop would repeat (the clock, a spin point), made by a
    /// task's poll (`outside_isr`); true past `threshold` such reads since the poll began or
    /// last spent busy time of its own: the poll spins.
    pub(super) fn counts_spin_read(&mut self, outside_isr: bool, threshold: u32) -> bool {
        if self.running.is_none() || !outside_isr {
            return false;
        }
        self.spin_reads += 1;
        self.spin_reads > threshold
    }
}

impl Shared {
    /// A read of something only time or the world outside can change ([`crate::spin_point`]).
    pub(crate) fn spin_point(&self, on: &dyn Fn() -> String) {
        let spinning = {
            let mut core = self.core.borrow_mut();
            let c = &mut *core;
            c.poll.counts_spin_read(c.irq.stack.is_empty(), self.config.spin_threshold)
        };
        if spinning {
            self.spin_tick(on, false);
        }
    }

    /// One tick of a spinning poll's busy time (after a read of the clock when `clock`); the
    /// first is reported in strict mode.
    #[inline(never)]
    pub(super) fn spin_tick(&self, on: &dyn Fn() -> String, clock: bool) {
        let (first, next_tick, reads) = {
            let mut c = self.core.borrow_mut();
            let now = c.clock.now;
            let first = c.poll.spin.is_none();
            let spin = c.poll.spin.get_or_insert(Spin { from: now, reads_clock: false });
            spin.reads_clock |= clock;
            (first, ticks_to_ns(ns_to_ticks(now) + 1), c.poll.spin_reads)
        };
        if first && self.config.strict {
            self.report(Diagnostic::Spin { task: self.running_label(), at: self.clock_now(), on: on() });
        }
        // Past twice the threshold, any clock read the loop makes has been seen. An event due
        // now still counts as one that could change the read: the tick below delivers it.
        if !clock && reads > self.config.spin_threshold.saturating_mul(2) {
            let mut c = self.core.borrow_mut();
            let nothing_due = c.next_event_time().is_none() && c.irq.armed.is_none();
            let forever = nothing_due && c.poll.spin.is_some_and(|s| !s.reads_clock);
            drop(c);
            if forever {
                panic!(
                    "fwsim: task {} spins on {} at {}, and nothing scheduled can change it: it would spin for ever. A \
                     test step or scenario stimulus still to come cannot reach it either, as none runs until this \
                     poll returns; await the change instead (`wait_for_low`, an async read), or schedule the stimulus \
                     before the run",
                    self.running_label(),
                    on(),
                    self.clock_now()
                );
            }
        }
        self.advance_to(next_tick);
    }

    fn running_label(&self) -> String {
        let c = self.core.borrow();
        c.label(c.poll.running.expect("a spin is a poll's"))
    }

    fn clock_now(&self) -> SimTime {
        SimTime(self.core.borrow().clock.now)
    }
}
