//! Resets of the MCU during a run: a watchdog's bite, carried out at its instant (the
//! firmware's tasks stop and it boots again, the devices keep their power), and the
//! `expect-reset` step that says a bite is what the scenario tests.
//!
//! Every way the runner moves the clock (`wait_until`, which [`Runner::run_to`] calls too)
//! stops at a bite, carries the reset out, and goes on to where it was going. A bite that no
//! `expect-reset` step claims fails the run as any error diagnostic does, with what the
//! firmware did after its reboot on record.

use fwsim::{Diagnostic, SimTime};
use fwsim_hw::ResetCause;

use crate::duration::Duration;
use crate::run::Runner;
use crate::step::StepError;

/// A reset carried out, and whether an `expect-reset` step has claimed it.
pub(crate) struct Reset {
    watchdog: String,
    at: SimTime,
    claimed: bool,
}

impl Runner<'_, '_> {
    /// Runs to `end` (every event at or before it), carrying out resets on the way.
    pub(crate) fn run_to(&self, end: SimTime) -> Result<(), StepError> {
        self.wait_until(end, || false).map(|_| ())
    }

    /// Carries out the reset the board asks for, if it asks: as `power-cycle: true` without
    /// cutting the devices' power. Returns whether there was one.
    pub(crate) fn carry_out_reset(&self) -> Result<bool, StepError> {
        let Some(cause) = self.board.take_reset_request() else { return Ok(false) };
        let watchdog = match cause {
            ResetCause::Watchdog(name) => name,
            ResetCause::PowerOn => unreachable!("a power cycle asks for no reset: it is one"),
        };
        if !self.parts.boots() {
            // The failure is the bite: not an earlier error to add to it.
            self.resets.borrow_mut().push(Reset { watchdog: watchdog.clone(), at: self.sim.now(), claimed: true });
            return Err(self.fail(format!(
                "the watchdog `{watchdog}` reset the MCU, and the app `{}` does not say how its firmware boots \
                 (`Parts::boot`), so it cannot boot again",
                self.scenario.app
            )));
        }
        self.sim.mark(&format!("watchdog_reset {watchdog}"), 0);
        self.resets.borrow_mut().push(Reset { watchdog, at: self.sim.now(), claimed: false });
        self.reboot().map(|()| true)
    }

    /// Stops every firmware task and boots the firmware again, running until it waits (as at
    /// the first boot), so that the next stimulus finds it ready.
    pub(crate) fn reboot(&self) -> Result<(), StepError> {
        self.sim.abort_all();
        if let Err(message) = self.parts.run_boot(self.sim) {
            return Err(self.fail(format!("the app panicked while its firmware booted again: {message}")));
        }
        self.sim.run_until_stalled().map_err(|e| self.sim_error(e))
    }

    /// `expect-reset`: waits for a reset by `watchdog` that no earlier step claimed, and
    /// claims it.
    pub(crate) fn expect_reset(&self, watchdog: &str, within: Option<Duration>) -> Result<(), StepError> {
        let unclaimed = || self.resets.borrow().iter().position(|r| !r.claimed && r.watchdog == watchdog);
        let (end, capped) = self.wait_end(within);
        if !self.wait_until(end, || unclaimed().is_some())? {
            let what = format!("the watchdog `{watchdog}` to reset the MCU");
            return Err(match within {
                Some(w) if !capped => self.fail(format!("expected {what} within {w}; {}", self.resets_so_far())),
                _ => self.timeout(&what),
            });
        }
        let i = unclaimed().expect("the wait ended on it");
        self.resets.borrow_mut()[i].claimed = true;
        Ok(())
    }

    /// What resets there were, for a step that waited for another.
    fn resets_so_far(&self) -> String {
        let resets = self.resets.borrow();
        if resets.is_empty() {
            return "no watchdog reset it".to_owned();
        }
        let list: Vec<String> = resets.iter().map(|r| format!("`{}` at {}", r.watchdog, r.at)).collect();
        format!("the resets so far: {}", list.join(", "))
    }

    /// `found` without the bites that `expect-reset` steps claimed: those are what the
    /// scenario tests, not errors of the firmware.
    pub(crate) fn unexpected(&self, found: Vec<Diagnostic>) -> Vec<Diagnostic> {
        found.into_iter().filter(|d| !self.claimed(d)).collect()
    }

    /// Every diagnostic, for the report: a claimed bite says so.
    pub(crate) fn diagnostic_lines(&self) -> Vec<String> {
        let line = |d: &Diagnostic| match self.claimed(d) {
            true => format!("{d} (expected: expect-reset)"),
            false => d.to_string(),
        };
        self.sim.diagnostics().iter().map(line).collect()
    }

    /// Whether `d` is a bite an `expect-reset` step claimed.
    fn claimed(&self, d: &Diagnostic) -> bool {
        let Diagnostic::Hardware { device, rule: "WatchdogReset", at, .. } = d else { return false };
        let dog = device.strip_prefix("watchdog ");
        self.resets.borrow().iter().any(|r| r.claimed && r.at == *at && dog == Some(r.watchdog.as_str()))
    }
}
