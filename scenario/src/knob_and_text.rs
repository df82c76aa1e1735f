//! The steps for a rotary encoder (`turn`) and a character display (`expect-text`).

use fwsim::SimTime;

use crate::app::Part;
use crate::duration::Duration;
use crate::run::Runner;
use crate::scenario::Pattern;
use crate::step::StepError;

impl Runner<'_, '_> {
    /// Schedules the quadrature of `steps` detents from `now`: per detent the leading contact
    /// closes, the other closes a quarter period later, the leading one opens at half, the
    /// other at three quarters. A leads when `steps` is positive.
    pub(crate) fn turn(&self, part: &str, steps: i32, period: Duration, now: SimTime) {
        let Some(Part::Encoder(a, b)) = self.parts.get(part) else { unreachable!("checked by the loader") };
        let (lead, follow) = if steps > 0 { (a, b) } else { (b, a) };
        let quarter = period.0 / 4;
        for k in 0..u64::from(steps.unsigned_abs()) {
            // Detents that would start after the scenario's end never matter.
            let t0 = k.checked_mul(period.0).and_then(|d| d.checked_add(now.as_nanos()));
            let Some(t0) = t0.filter(|t| *t <= self.deadline().as_nanos()) else { break };
            lead.press_at(SimTime(t0));
            follow.press_at(SimTime(t0 + quarter));
            lead.release_at(SimTime(t0 + 2 * quarter));
            follow.release_at(SimTime(t0 + 3 * quarter));
        }
    }

    /// Whether the display shows `pattern` (in `row`, or in the rows joined by newlines), now
    /// or within `within`.
    pub(crate) fn expect_display_text(
        &self,
        part: &str,
        pattern: &Pattern,
        row: Option<usize>,
        within: Option<Duration>,
    ) -> Result<(), StepError> {
        let Some(Part::TextDisplay(rows)) = self.parts.get(part) else { unreachable!("checked by the loader") };
        let now = self.sim.now();
        self.run_to(now)?;
        let shown = || -> Option<String> {
            let all = rows();
            match row {
                Some(r) => all.get(r).cloned(),
                None => Some(all.join("\n")),
            }
        };
        if row.is_some() && shown().is_none() {
            return Err(self.fail(format!("display `{part}` has {} rows; expected `row:` below that", rows().len())));
        }
        let matches = || {
            let text = shown().unwrap_or_default();
            match pattern {
                Pattern::Text(t) => text.contains(t.as_str()),
                Pattern::Regex(r) => r.is_match(text.as_bytes()),
            }
        };
        let (end, capped) = self.wait_end(within);
        let held = match within {
            None => matches(),
            Some(_) => self.wait_until(end, matches)?,
        };
        if held {
            return Ok(());
        }
        let what = pattern.describe();
        let place = row.map(|r| format!(" in row {r}")).unwrap_or_default();
        let message = format!("expected {what}{place} on `{part}`; it shows {:?}", rows());
        if capped && within.is_some() {
            let timeout = self.timeout(&format!("{what}{place} on `{part}`"));
            Err(StepError { message: format!("{}; it shows {:?}", timeout.message, rows()), ..timeout })
        } else if let Some(w) = within {
            Err(self.fail(format!("{message} (waited {w})")))
        } else {
            Err(self.fail(message))
        }
    }
}
