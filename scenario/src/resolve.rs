//! Resolving the parts of steps that need more than a name: part parameters, patterns,
//! controls, golden images.

use std::path::Path;

use serde_saphyr::Spanned;

use crate::app::PartKind;
use crate::error::InputError;
use crate::format::{self, Quantity};
use crate::load::{Resolver, at};
use crate::scenario::{Action, PartParam, Pattern};

impl Resolver<'_> {
    pub(crate) fn params(&self, name: &str, p: &Spanned<format::PartParams>) -> Result<Vec<PartParam>, InputError> {
        let place = at(p);
        let mut out = Vec::new();
        for (quantity, v) in &p.value.quantities {
            let part = self.named(name, place, PartKind::Sensor(&[]), &format!("`{quantity}`"))?;
            let quantity = self.quantity(&part, quantity, at(v))?;
            out.push(PartParam::Sensor { part, quantity, value: v.value.clone() });
        }
        if let Some(b) = &p.value.bounce {
            let part = self.named(name, place, PartKind::Button, "`bounce`")?;
            if b.max_pairs > crate::load::MAX_BOUNCE_PAIRS {
                return Err(self.loader.err(
                    place,
                    format!(
                        "`max-pairs: {}` is more chatter than a contact makes; expected at most {}",
                        b.max_pairs,
                        crate::load::MAX_BOUNCE_PAIRS
                    ),
                ));
            }
            out.push(PartParam::Bounce { part, window: b.window, max_pairs: b.max_pairs });
        }
        Ok(out)
    }

    /// `text:` or `regex:`, exactly one.
    pub(crate) fn pattern(
        &self,
        text: &Option<String>,
        regex: &Option<Spanned<String>>,
        place: (u32, u32),
        step: &str,
    ) -> Result<Pattern, InputError> {
        match (text, regex) {
            (Some(t), None) => Ok(Pattern::Text(t.clone())),
            (None, Some(r)) => Ok(Pattern::Regex(regex::bytes::Regex::new(&r.value).map_err(|e| {
                let detail = e.to_string().lines().last().unwrap_or("").trim().to_string();
                self.loader
                    .err(at(r), format!("the regex `{}` does not compile ({detail}); expected a Rust regex", r.value))
            })?)),
            (Some(_), Some(_)) => {
                Err(self.loader.err(place, format!("{step} has both `text:` and `regex:`; expected one")))
            }
            (None, None) => {
                Err(self.loader.err(place, format!("{step} has neither `text:` nor `regex:`; expected one")))
            }
        }
    }

    pub(crate) fn set_control(&self, c: &Spanned<format::SetControl>) -> Result<Action, InputError> {
        let v = &c.value;
        let info = self.parts.iter().find(|p| p.id == v.part_id.value);
        match info.map(|p| p.kind) {
            Some(PartKind::Button) => {
                if v.control.value != "pressed" {
                    return Err(self
                        .loader
                        .err(at(&v.control), format!("a button's control is `pressed`, not `{}`", v.control.value)));
                }
                if v.value != 0.0 && v.value != 1.0 {
                    return Err(self.loader.err(at(c), format!("`pressed` is 1 or 0, not {}", v.value)));
                }
                Ok(Action::SetButton { part: v.part_id.value.clone(), pressed: v.value == 1.0 })
            }
            Some(PartKind::Sensor(_)) => {
                let quantity = self.quantity(&v.part_id.value, &v.control.value, at(&v.control))?;
                Ok(Action::SetSensor { part: v.part_id.value.clone(), quantity, value: Quantity::Constant(v.value) })
            }
            Some(kind) => Err(self.loader.err(
                at(&v.part_id),
                format!(
                    "`{}` is a {}; set-control moves a button (`pressed`) or a sensor's quantity",
                    v.part_id.value,
                    kind.describe()
                ),
            )),
            None => Err(self.part(&v.part_id, PartKind::Button, "set-control").expect_err("the part does not exist")),
        }
    }

    pub(crate) fn screenshot(&self, t: &Spanned<format::Screenshot>) -> Result<Action, InputError> {
        let v = &t.value;
        let part = self.part(&v.part_id, PartKind::Display, "take-screenshot")?;
        let compare_with = match &v.compare_with {
            None => None,
            Some(c) => {
                let base = self.loader.path.parent().unwrap_or(Path::new("."));
                let golden = base.join(&c.value);
                if !golden.is_file() {
                    return Err(self.loader.err(
                        at(c),
                        format!(
                            "golden image `{}` not found; expected a PNG path relative to the scenario file",
                            golden.display()
                        ),
                    ));
                }
                Some(golden)
            }
        };
        if let Some(s) = &v.save_to
            && (s.contains("..") || Path::new(s).is_absolute())
        {
            return Err(self
                .loader
                .err(at(t), format!("`save-to: {s}` leaves the artifact directory; expected a file name")));
        }
        if v.save_to.is_none() && compare_with.is_none() {
            return Err(self.loader.err(at(t), "take-screenshot needs `save-to:`, `compare-with:` or both"));
        }
        if v.within.is_some() && compare_with.is_none() {
            return Err(self
                .loader
                .err(at(t), "`within:` waits for the display to match `compare-with:`; expected both"));
        }
        Ok(Action::Screenshot { part, save_to: v.save_to.clone(), compare_with, within: v.within })
    }
}
