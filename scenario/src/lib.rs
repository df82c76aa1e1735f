//! # fwsim-scenario — scenario files
//!
//! A scenario is a YAML file: which firmware app to run, on which run order and seed, and a
//! timeline of steps — stimuli (`press`, `write-serial`, `set-sensor`, faults) and checks
//! (`wait-serial`, `expect-pin`, `take-screenshot`…) — in virtual time. It is data: nothing
//! in it runs code. The steps are a superset of Wokwi's automation scenarios, so a Wokwi
//! scenario whose part ids match the app runs unchanged.
//!
//! ```yaml
//! name: units button
//! app: thermostat
//! steps:
//!   - wait-serial: "T=21.0C"
//!   - press: { part-id: units }
//!   - delay: 5s
//!   - take-screenshot: { part-id: oled, save-to: fahrenheit.png }
//! ```
//!
//! Three stages, each its own module: [`mod@load`] reads a file into a checked [`Scenario`]
//! (every name resolved against the [`App`]; bad input is an [`InputError`] with
//! `file:line:col`), [`run()`] runs it and returns a [`Report`], [`artifacts`] writes what the
//! run recorded. Every key is documented, with an example, in `scenarios/README.md`.

#![warn(missing_docs)]

mod app;
pub mod artifacts;
mod duration;
mod error;
mod format;
pub mod fuzz;
mod hung;
mod knob_and_text;
pub mod load;
pub mod progress;
pub mod replay;
mod report;
mod reset;
mod resolve;
mod run;
mod scenario;
mod screenshot;
mod shape;
mod step;
mod values;
mod watch;

pub use app::{App, Part, PartInfo, PartKind, Parts, SensorSetter};
pub use duration::Duration;
pub use error::{InputError, did_you_mean, suggest};
pub use hung::hung;
pub use load::{load, parse};
pub use replay::ReplayFile;
pub use report::{Failure, Outcome, Report, RunChoices, StepReport, counted};
pub use run::{
    Exploring, REPORT_SERIAL_LIMIT, RunOptions, SERIAL_LIMIT, SIGNAL_LIMIT, artifact_dir, artifact_dirs, run,
};
pub use scenario::{Action, FaultKind, LineError, PartParam, Pattern, PolicyName, Quantity, Scenario, Step, TaskState};
