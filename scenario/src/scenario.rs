//! A checked scenario: every name resolved against its app, every time and pattern valid.

use std::path::PathBuf;

use crate::duration::Duration;
pub use crate::format::{FaultKind, LineError, Quantity, TaskState};

/// The run order a scenario asks for (`policy:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyName {
    /// embassy-executor's order (the default).
    Embassy,
    /// MicroPython asyncio's order.
    MicroPython,
    /// First in, first out.
    Fifo,
    /// Any runnable task next, drawn from the seed.
    Random,
}

impl PolicyName {
    /// The names a file may use.
    pub const NAMES: [&'static str; 4] = ["embassy", "micropython", "fifo", "random"];

    /// Parses a name.
    pub fn parse(name: &str) -> Option<PolicyName> {
        Some(match name {
            "embassy" => PolicyName::Embassy,
            "micropython" => PolicyName::MicroPython,
            "fifo" => PolicyName::Fifo,
            "random" => PolicyName::Random,
            _ => return None,
        })
    }

    /// The fwsim policy, with `seed` for the random order.
    pub fn policy(self, seed: u64) -> fwsim::Policy {
        match self {
            PolicyName::Embassy => fwsim::Policy::Embassy,
            PolicyName::MicroPython => fwsim::Policy::MicroPython,
            PolicyName::Fifo => fwsim::Policy::Fifo,
            PolicyName::Random => fwsim::Policy::Random { seed },
        }
    }

    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            PolicyName::Embassy => "embassy",
            PolicyName::MicroPython => "micropython",
            PolicyName::Fifo => "fifo",
            PolicyName::Random => "random",
        }
    }
}

/// A scenario ready to run.
#[derive(Debug)]
pub struct Scenario {
    /// The file it came from.
    pub path: PathBuf,
    /// [`fingerprint`](crate::replay::fingerprint) of the file's text.
    pub fingerprint: String,
    /// Its `name:` (the file stem when absent).
    pub name: String,
    /// The app it runs.
    pub app: String,
    /// The run order.
    pub policy: PolicyName,
    /// The seed (bounce, random order).
    pub seed: u64,
    /// The virtual-time limit: a wait still pending then fails.
    pub timeout: Duration,
    /// Part parameters, applied at time zero.
    pub params: Vec<PartParam>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// A parameter of a part, set before the firmware starts.
#[derive(Debug, Clone)]
pub enum PartParam {
    /// A sensor quantity follows a curve from time zero.
    Sensor {
        /// The sensor.
        part: String,
        /// Which quantity.
        quantity: String,
        /// Its values.
        value: Quantity,
    },
    /// A button bounces.
    Bounce {
        /// The button.
        part: String,
        /// How long the chatter lasts.
        window: Duration,
        /// The most extra open/close pairs.
        max_pairs: u32,
    },
}

/// One step: where it is in the file, its name, what it does.
#[derive(Debug)]
pub struct Step {
    /// 1-based line of the step in its file.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// Its `name:`, if any.
    pub name: Option<String>,
    /// For a stimulus: the virtual time it happens at (`at:`), instead of when the step runs.
    pub at: Option<Duration>,
    /// What it does.
    pub action: Action,
}

/// What serial output or display text to wait for.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// This text, anywhere in the output not yet matched.
    Text(String),
    /// A match of this regular expression.
    Regex(regex::bytes::Regex),
}

impl Pattern {
    /// The pattern as messages show it: `"text"` or `regex /…/`.
    pub fn describe(&self) -> String {
        match self {
            Pattern::Text(t) => format!("{t:?}"),
            Pattern::Regex(r) => format!("regex /{}/", r.as_str()),
        }
    }
}

/// What a step does.
#[derive(Debug)]
pub enum Action {
    /// Let virtual time pass.
    Delay(Duration),
    /// Wait until the output of a serial port shows a pattern (within a time, or until the
    /// scenario's timeout).
    WaitSerial {
        /// The port.
        part: String,
        /// What to wait for.
        pattern: Pattern,
        /// How long at most.
        within: Option<Duration>,
    },
    /// Send bytes to the firmware.
    WriteSerial {
        /// The port.
        part: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// A pin's level now, or within a time.
    ExpectPin {
        /// The pin.
        part: String,
        /// The expected level (`true` = high).
        high: bool,
        /// How long it may take to get there.
        within: Option<Duration>,
    },
    /// Close or open a button's contact now.
    SetButton {
        /// The button.
        part: String,
        /// Closed?
        pressed: bool,
    },
    /// Press a button now and release it `hold` later.
    Press {
        /// The button.
        part: String,
        /// How long it is held.
        hold: Duration,
    },
    /// A sensor quantity becomes a value or follows a curve from now.
    SetSensor {
        /// The sensor.
        part: String,
        /// The quantity.
        quantity: String,
        /// The value or curve (times from now).
        value: Quantity,
    },
    /// Saves a display's image and/or compares it with a golden PNG.
    Screenshot {
        /// The display.
        part: String,
        /// File name in the scenario's artifact directory.
        save_to: Option<String>,
        /// Golden image, relative to the scenario file.
        compare_with: Option<PathBuf>,
        /// How long the display may take to match the golden image.
        within: Option<Duration>,
    },
    /// The bus's next transaction fails.
    I2cFault {
        /// The bus.
        part: String,
        /// How.
        fault: FaultKind,
        /// For a stuck SDA line: how long.
        duration: Duration,
    },
    /// A UART line error reaches the firmware now.
    SerialError {
        /// The port.
        part: String,
        /// Which error.
        error: LineError,
    },
    /// The board loses power and gets it back: device models reset, and with `restart` the
    /// firmware's tasks stop and it boots again ([`Parts::boot`](crate::Parts::boot)).
    PowerCycle {
        /// The MCU loses power too (`power-cycle: true`), not only the devices (`peripherals`).
        restart: bool,
    },
    /// No diagnostic has been recorded so far.
    ExpectNoDiagnostics,
    /// The core was idle at least this share of the time so far (per cent).
    ExpectIdle {
        /// The least idle share, per cent.
        at_least_percent: f64,
    },
    /// A rotary encoder turns `steps` detents from now, one every `period`.
    Turn {
        /// The encoder.
        part: String,
        /// Detents, positive clockwise.
        steps: i32,
        /// Time per detent.
        period: Duration,
    },
    /// A character display shows a pattern (in one row, or anywhere), now or within a time.
    ExpectText {
        /// The display.
        part: String,
        /// What to look for.
        pattern: Pattern,
        /// The row (from 0), or every row joined by newlines.
        row: Option<usize>,
        /// How long it may take.
        within: Option<Duration>,
    },
    /// The scenario drives an input line: to `high` from then on, or (with `width`) for
    /// `width`, then to the other level.
    DrivePin {
        /// The line.
        part: String,
        /// The level driven (`true` = high).
        high: bool,
        /// For a pulse: how long.
        width: Option<Duration>,
    },
    /// A task is running or has finished.
    ExpectTask {
        /// The task's name.
        name: String,
        /// Its expected state.
        state: TaskState,
    },
    /// The watchdog of this name resets the MCU (and the firmware boots again) within the time,
    /// or before the scenario's timeout.
    ExpectReset {
        /// The watchdog's name (`Board::watchdog`'s).
        watchdog: String,
        /// How long to wait for it.
        within: Option<Duration>,
    },
}

impl Action {
    /// The step's key, as written in files.
    pub fn key(&self) -> &'static str {
        match self {
            Action::Delay(_) => "delay",
            Action::WaitSerial { .. } => "wait-serial",
            Action::WriteSerial { .. } => "write-serial",
            Action::ExpectPin { .. } => "expect-pin",
            Action::SetButton { .. } => "set-control",
            Action::SetSensor { .. } => "set-sensor",
            Action::Press { .. } => "press",
            Action::Screenshot { .. } => "take-screenshot",
            Action::I2cFault { .. } => "i2c-fault",
            Action::SerialError { .. } => "serial-error",
            Action::PowerCycle { .. } => "power-cycle",
            Action::ExpectNoDiagnostics => "expect-no-diagnostics",
            Action::ExpectIdle { .. } => "expect-idle",
            Action::ExpectTask { .. } => "expect-task",
            Action::ExpectReset { .. } => "expect-reset",
            Action::Turn { .. } => "turn",
            Action::ExpectText { .. } => "expect-text",
            Action::DrivePin { width: None, .. } => "drive-pin",
            Action::DrivePin { width: Some(_), .. } => "pulse-pin",
        }
    }
}
