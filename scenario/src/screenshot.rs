//! `take-screenshot`: save a display's image, compare it with a golden PNG, optionally
//! waiting for it to match.

use std::path::Path;

use fwsim_hw::display::Image;

use crate::app::Part;
use crate::duration::Duration;
use crate::run::Runner;
use crate::step::StepError;

impl Runner<'_, '_> {
    pub(crate) fn screenshot(
        &self,
        part: &str,
        save_to: Option<&str>,
        golden: Option<&Path>,
        within: Option<Duration>,
    ) -> Result<(), StepError> {
        let Some(Part::Display(panel)) = self.parts.get(part) else { unreachable!("checked by the loader") };
        let now = self.sim.now();
        self.run_to(now)?;
        if let (Some(golden), Some(w)) = (golden, within) {
            let want = Image::read_png(golden)
                .map_err(|e| self.fail(format!("cannot read the golden image {}: {e}", golden.display())))?;
            let (end, _) = self.wait_end(Some(w));
            self.wait_until(end, || panel() == want)?;
        }
        let image = panel();
        let dir = self.options.artifact_dir.as_deref();
        if let (Some(name), Some(dir)) = (save_to, dir) {
            let _ = std::fs::create_dir_all(dir);
            image
                .write_png(&dir.join(name))
                .map_err(|e| self.fail(format!("cannot save the screenshot {name}: {e}")))?;
        }
        if let Some(golden) = golden
            && let Err(diff) = image.check_golden(golden, false)
        {
            if let Some(dir) = dir {
                let _ = std::fs::create_dir_all(dir);
                let _ = image.write_png(&dir.join(format!("{part}.actual.png")));
            }
            let waited = within.map(|w| format!(" after waiting {w}")).unwrap_or_default();
            return Err(self.fail(format!("display `{part}` differs from {}{waited}: {diff}", golden.display())));
        }
        Ok(())
    }
}
