//! Running virtual time in slices, so that a long wait reports progress. The slices do not
//! change the run: with or without a progress callback the same events run in the same order.

use std::fmt;
use std::sync::Arc;

use fwsim::SimTime;

use crate::duration::Duration;
use crate::run::Runner;
use crate::step::StepError;

/// How much virtual time a slice covers.
pub const SLICE: Duration = Duration(60_000_000_000);

/// Called with the virtual time after each slice of a long wait (the CLI's progress bar).
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(SimTime) + Send + Sync>);

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

impl Runner<'_, '_> {
    /// Runs until `condition` holds (`true`) or the clock reaches `end` (`false`, the clock
    /// on `end`), slice by slice, carrying out resets on the way (the condition is looked at
    /// again once the firmware has booted).
    pub(crate) fn wait_until(&self, end: SimTime, mut condition: impl FnMut() -> bool) -> Result<bool, StepError> {
        loop {
            let now = self.sim.now();
            let slice_end = SimTime(end.as_nanos().min(now.as_nanos().saturating_add(SLICE.0)));
            let left = Duration(slice_end.as_nanos().saturating_sub(now.as_nanos()));
            let stop = || self.board.reset_requested() || condition();
            if self.sim.run_until_true_within(left, stop).map_err(|e| self.sim_error(e))? {
                if self.carry_out_reset()? {
                    continue;
                }
                return Ok(true);
            }
            if let Some(Progress(report)) = &self.options.progress {
                report(self.sim.now());
            }
            if self.sim.now() >= end {
                return Ok(false);
            }
        }
    }
}
