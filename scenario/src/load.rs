//! Reading a scenario file: YAML to [`Scenario`], every name checked against the app.
//!
//! Nothing in a file runs code: it is parsed into data, and every part, quantity, pattern,
//! time and file it names is checked here, before a simulation starts, so that a scenario
//! that loads fails only on what the firmware does.

use std::path::Path;

use serde_saphyr::Spanned;

use crate::app::{App, PartInfo, PartKind};
use crate::duration::Duration;
use crate::error::{InputError, did_you_mean, yaml_error};
use crate::format::{self, File};
use crate::scenario::{Action, PolicyName, Scenario, Step};

/// How long a scenario may run when its file sets no `timeout`: ten virtual minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration(600_000_000_000);
/// How long one detent of a `turn` takes when the step gives no `period`.
pub const DEFAULT_DETENT: Duration = Duration(40_000_000);
/// How long `press` holds a button when the step gives no `hold`.
pub const DEFAULT_HOLD: Duration = Duration(100_000_000);
/// The most detents one `turn` may take either way (its edges are scheduled when it runs,
/// so a count from the file bounds the memory the run takes).
pub const MAX_DETENTS: u32 = 100_000;
/// The most extra open/close pairs a button's `bounce` may draw per press or release (a
/// contact chatters a few to a few dozen times; likewise a bound on the edges scheduled).
pub const MAX_BOUNCE_PAIRS: u32 = 1_000;

/// Reads and checks the scenario at `path`. `default_app` is used when the file names none
/// (as Wokwi scenarios don't).
pub fn load(path: &Path, apps: &[&dyn App], default_app: Option<&str>) -> Result<Scenario, InputError> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read the scenario: {e}; expected a readable YAML file")))?;
    parse(path, &source, apps, default_app).map_err(|e| e.with_source(&source))
}

/// Checks the scenario text `source` as if read from `path`.
pub fn parse(path: &Path, source: &str, apps: &[&dyn App], default_app: Option<&str>) -> Result<Scenario, InputError> {
    let file: File = serde_saphyr::from_str(source).map_err(|e| yaml_error(path, source, &e))?;
    let mut scenario = Loader { path, apps }.scenario(file, default_app)?;
    scenario.fingerprint = crate::replay::fingerprint(source);
    Ok(scenario)
}

pub(crate) struct Loader<'a> {
    pub(crate) path: &'a Path,
    apps: &'a [&'a dyn App],
}

pub(crate) fn at<T>(s: &Spanned<T>) -> (u32, u32) {
    (s.referenced.line() as u32, s.referenced.column() as u32)
}

impl Loader<'_> {
    pub(crate) fn err(&self, (line, col): (u32, u32), message: impl Into<String>) -> InputError {
        InputError::at(self.path, line, col, message)
    }

    fn scenario(&self, file: File, default_app: Option<&str>) -> Result<Scenario, InputError> {
        let app = self.app(&file, default_app)?;
        let parts = app.parts();
        let policy = match &file.policy {
            None => PolicyName::Embassy,
            Some(p) => PolicyName::parse(&p.value).ok_or_else(|| {
                self.err(
                    at(p),
                    format!(
                        "unknown policy `{}`; expected one of {}{}",
                        p.value,
                        PolicyName::NAMES.join(", "),
                        did_you_mean(&p.value, PolicyName::NAMES)
                    ),
                )
            })?,
        };
        let r = Resolver { loader: self, parts: &parts, app: app.name() };
        let mut params = Vec::new();
        for (name, p) in &file.parts {
            params.extend(r.params(name, p)?);
        }
        if file.steps.is_empty() {
            return Err(self.err((1, 1), "the scenario has no steps; expected at least one under `steps:`"));
        }
        let steps = file.steps.into_iter().map(|s| r.step(s)).collect::<Result<Vec<_>, _>>()?;
        let stem = self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Scenario {
            path: self.path.to_path_buf(),
            fingerprint: String::new(),
            name: file.name.unwrap_or(stem),
            app: app.name().to_string(),
            policy,
            seed: file.seed.unwrap_or(0),
            timeout: file.timeout.unwrap_or(DEFAULT_TIMEOUT),
            params,
            steps,
        })
    }

    fn app(&self, file: &File, default_app: Option<&str>) -> Result<&dyn App, InputError> {
        let names: Vec<&str> = self.apps.iter().map(|a| a.name()).collect();
        let (name, place) = match (&file.app, default_app) {
            (Some(a), _) => (a.value.as_str(), at(a)),
            (None, Some(d)) => (d, (1, 1)),
            (None, None) => {
                return Err(self.err(
                    (1, 1),
                    format!("the scenario names no app; expected `app:` with one of {}", names.join(", ")),
                ));
            }
        };
        self.apps.iter().copied().find(|a| a.name() == name).ok_or_else(|| {
            self.err(
                place,
                format!(
                    "unknown app `{name}`; expected one of {}{}",
                    names.join(", "),
                    did_you_mean(name, names.iter().copied())
                ),
            )
        })
    }
}

/// Resolves part names of one app.
pub(crate) struct Resolver<'a> {
    pub(crate) loader: &'a Loader<'a>,
    pub(crate) parts: &'a [PartInfo],
    pub(crate) app: &'a str,
}

impl Resolver<'_> {
    /// The part named `id`, which must be of the kind `want` (`step` says who asks).
    pub(crate) fn part(&self, id: &Spanned<String>, want: PartKind, step: &str) -> Result<String, InputError> {
        self.named(&id.value, at(id), want, step)
    }

    pub(crate) fn named(&self, id: &str, place: (u32, u32), want: PartKind, step: &str) -> Result<String, InputError> {
        let of_kind: Vec<&str> = self.parts.iter().filter(|p| p.kind.same_kind(&want)).map(|p| p.id).collect();
        match self.parts.iter().find(|p| p.id == id) {
            None => Err(self.loader.err(
                place,
                format!(
                    "app `{}` has no part `{id}`; expected one of its {}s: {}{}",
                    self.app,
                    want.describe_plain(),
                    list(&of_kind),
                    did_you_mean(id, self.parts.iter().map(|p| p.id))
                ),
            )),
            Some(p) if !p.kind.same_kind(&want) => Err(self.loader.err(
                place,
                format!(
                    "`{id}` is a {}, and {step} needs a {}; this app's {}s: {}",
                    p.kind.describe(),
                    want.describe_plain(),
                    want.describe_plain(),
                    list(&of_kind)
                ),
            )),
            Some(p) => Ok(p.id.to_string()),
        }
    }

    /// The serial part named, or the app's only one.
    pub(crate) fn serial(
        &self,
        id: &Option<Spanned<String>>,
        place: (u32, u32),
        step: &str,
    ) -> Result<String, InputError> {
        if let Some(id) = id {
            return self.part(id, PartKind::Serial, step);
        }
        let serial: Vec<&str> = self.parts.iter().filter(|p| p.kind == PartKind::Serial).map(|p| p.id).collect();
        match serial.as_slice() {
            [one] => Ok(one.to_string()),
            [] => Err(self.loader.err(place, format!("{step}: app `{}` has no serial port", self.app))),
            many => Err(self.loader.err(
                place,
                format!(
                    "{step}: app `{}` has {} serial ports; expected `part-id:` with one of {}",
                    self.app,
                    many.len(),
                    list(many)
                ),
            )),
        }
    }

    pub(crate) fn quantity(&self, part: &str, quantity: &str, place: (u32, u32)) -> Result<String, InputError> {
        let known = match self.parts.iter().find(|p| p.id == part).map(|p| p.kind) {
            Some(PartKind::Sensor(q)) => q,
            _ => &[][..],
        };
        if known.contains(&quantity) {
            Ok(quantity.to_string())
        } else {
            Err(self.loader.err(
                place,
                format!(
                    "sensor `{part}` has no quantity `{quantity}`; expected one of {}{}",
                    list(known),
                    did_you_mean(quantity, known.iter().copied())
                ),
            ))
        }
    }

    fn step(&self, s: Spanned<format::Step>) -> Result<Step, InputError> {
        let place = at(&s);
        let step = s.value;
        let name = step.name.clone();
        let mut actions = Vec::new();
        // A stimulus may say when it happens.
        let when = [
            step.write_serial.as_ref().and_then(|w| w.value.at.as_ref()),
            step.press.as_ref().and_then(|p| p.value.at.as_ref()),
            step.i2c_fault.as_ref().and_then(|f| f.value.at.as_ref()),
            step.serial_error.as_ref().and_then(|e| e.value.at.as_ref()),
            step.turn.as_ref().and_then(|t| t.value.at.as_ref()),
            step.drive_pin.as_ref().and_then(|d| d.value.at.as_ref()),
            step.pulse_pin.as_ref().and_then(|p| p.value.at.as_ref()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|a| a.value);
        if let Some(d) = step.delay {
            actions.push(Action::Delay(d));
        }
        if let Some(w) = &step.wait_serial {
            actions.push(self.wait_serial(w)?);
        }
        if let Some(w) = &step.write_serial {
            let part = self.serial(&w.value.part_id, at(w), "write-serial")?;
            actions.push(Action::WriteSerial { part, bytes: w.value.text.clone().into_bytes() });
        }
        if let Some(e) = &step.expect_pin {
            let part = self.part(&e.value.part_id, PartKind::Pin, "expect-pin")?;
            if let Some(pin) = &e.value.pin
                && pin.value.0 != part
            {
                return Err(self.loader.err(
                    at(pin),
                    format!("part `{part}` is one pin; expected no `pin:` or `pin: {part}` (got `{}`)", pin.value.0),
                ));
            }
            actions.push(Action::ExpectPin { part, high: e.value.value.0, within: e.value.within });
        }
        if let Some(c) = &step.set_control {
            actions.push(self.set_control(c)?);
        }
        if let Some(t) = &step.take_screenshot {
            actions.push(self.screenshot(t)?);
        }
        if let Some(p) = &step.press {
            let part = self.part(&p.value.part_id, PartKind::Button, "press")?;
            actions.push(Action::Press { part, hold: p.value.hold.unwrap_or(DEFAULT_HOLD) });
        }
        if let Some(v) = &step.set_sensor {
            let part = self.part(&v.value.part_id, PartKind::Sensor(&[]), "set-sensor")?;
            let quantity = self.quantity(&part, &v.value.quantity.value, at(&v.value.quantity))?;
            actions.push(Action::SetSensor { part, quantity, value: v.value.value.value.clone() });
        }
        if let Some(f) = &step.i2c_fault {
            let part = self.part(&f.value.part_id, PartKind::I2cBus, "i2c-fault")?;
            let duration = match (f.value.fault, f.value.duration) {
                (format::FaultKind::StuckSda, Some(d)) => d,
                (format::FaultKind::StuckSda, None) => {
                    return Err(self
                        .loader
                        .err(at(f), "a `stuck-sda` fault needs `duration:` (how long SDA stays low)"));
                }
                (_, Some(_)) => {
                    return Err(self.loader.err(at(f), "only a `stuck-sda` fault takes a `duration:`"));
                }
                (_, None) => Duration(0),
            };
            actions.push(Action::I2cFault { part, fault: f.value.fault, duration });
        }
        if let Some(e) = &step.serial_error {
            let part = self.serial(&e.value.part_id, at(e), "serial-error")?;
            actions.push(Action::SerialError { part, error: e.value.error });
        }
        match step.power_cycle {
            Some(format::PowerCycle::Board) => actions.push(Action::PowerCycle { restart: true }),
            Some(format::PowerCycle::Peripherals) => actions.push(Action::PowerCycle { restart: false }),
            Some(format::PowerCycle::Nothing) | None => {}
        }
        if step.expect_no_diagnostics == Some(true) {
            actions.push(Action::ExpectNoDiagnostics);
        }
        if let Some(t) = &step.expect_task {
            actions.push(Action::ExpectTask { name: t.value.name.value.clone(), state: t.value.state });
        }
        if let Some(r) = &step.expect_reset {
            actions.push(Action::ExpectReset { watchdog: r.value.watchdog.value.clone(), within: r.value.within });
        }
        if let Some(i) = &step.expect_idle {
            let percent = i.value.at_least;
            if !(0.0..=100.0).contains(&percent) {
                return Err(self
                    .loader
                    .err(at(i), format!("`at-least: {percent}` is not a share; expected 0 to 100 (per cent)")));
            }
            actions.push(Action::ExpectIdle { at_least_percent: percent });
        }
        if let Some(t) = &step.turn {
            let part = self.part(&t.value.part_id, PartKind::Encoder, "turn")?;
            let period = t.value.period.unwrap_or(DEFAULT_DETENT);
            if t.value.steps == 0 {
                return Err(self
                    .loader
                    .err(at(t), "`steps: 0` turns nothing; expected a positive (clockwise) or negative count"));
            }
            if period.0 < 4 {
                return Err(self
                    .loader
                    .err(at(t), format!("a detent of {period} is too short; expected at least 4ns")));
            }
            // Every detent's four edges are scheduled when the step runs.
            if t.value.steps.unsigned_abs() > MAX_DETENTS {
                return Err(self.loader.err(
                    at(t),
                    format!(
                        "`steps: {}` is more than one turn may take; expected at most {MAX_DETENTS} detents either way",
                        t.value.steps
                    ),
                ));
            }
            actions.push(Action::Turn { part, steps: t.value.steps, period });
        }
        if let Some(e) = &step.expect_text {
            let v = &e.value;
            let part = self.part(&v.part_id, PartKind::TextDisplay, "expect-text")?;
            let pattern = self.pattern(&v.text, &v.regex, at(e), "expect-text")?;
            actions.push(Action::ExpectText { part, pattern, row: v.row.as_ref().map(|r| r.value), within: v.within });
        }
        if let Some(d) = &step.drive_pin {
            let part = self.part(&d.value.part_id, PartKind::Line, "drive-pin")?;
            actions.push(Action::DrivePin { part, high: d.value.value.0, width: None });
        }
        if let Some(p) = &step.pulse_pin {
            let part = self.part(&p.value.part_id, PartKind::Line, "pulse-pin")?;
            if p.value.width.0 == 0 {
                return Err(self.loader.err(at(p), "a pulse of `width: 0` is no pulse; expected a positive width"));
            }
            actions.push(Action::DrivePin { part, high: p.value.value.0, width: Some(p.value.width) });
        }
        let mut actions = actions.into_iter();
        match (actions.next(), actions.next()) {
            (Some(action), None) => Ok(Step { line: place.0, col: place.1, name, at: when, action }),
            (None, _) => Err(self.loader.err(
                place,
                "the step has no action; expected one of delay, wait-serial, write-serial, expect-pin, set-control, \
                 take-screenshot, press, set-sensor, i2c-fault, serial-error, power-cycle, expect-no-diagnostics, expect-task, \
                 expect-reset, expect-idle, turn, expect-text, drive-pin, pulse-pin",
            )),
            (Some(a), Some(b)) => Err(self.loader.err(
                place,
                format!("the step has two actions, `{}` and `{}`; expected one action per step", a.key(), b.key()),
            )),
        }
    }

    fn wait_serial(&self, w: &Spanned<format::SerialWait>) -> Result<Action, InputError> {
        let v = &w.value;
        let part = self.serial(&v.part_id, at(w), "wait-serial")?;
        let pattern = self.pattern(&v.text, &v.regex, at(w), "wait-serial")?;
        Ok(Action::WaitSerial { part, pattern, within: v.within })
    }
}

pub(crate) fn list(names: &[&str]) -> String {
    if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
}
