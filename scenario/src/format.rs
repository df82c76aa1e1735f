//! The file format as serde reads it: every key a scenario may hold, with its location.
//!
//! These types mirror the YAML one to one (kebab-case keys, unknown keys refused), so that
//! serde-saphyr's errors point at the offending key or value. [`crate::load`] turns them into
//! a checked [`Scenario`](crate::Scenario).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_saphyr::Spanned;

use crate::duration::Duration;
pub use crate::values::{Level, PinName, PowerCycle, Quantity};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct File {
    pub name: Option<String>,
    /// Wokwi's format version, Wokwi's author, a description: accepted, not used.
    #[serde(rename = "version")]
    pub _version: Option<u32>,
    #[serde(rename = "author")]
    pub _author: Option<String>,
    #[serde(rename = "description")]
    pub _description: Option<String>,
    pub app: Option<Spanned<String>>,
    pub policy: Option<Spanned<String>>,
    pub seed: Option<u64>,
    pub timeout: Option<Duration>,
    #[serde(default)]
    pub parts: BTreeMap<String, Spanned<PartParams>>,
    pub steps: Vec<Spanned<Step>>,
}

/// Parameters of one part, by the part's name: a button's `bounce`, or a sensor's quantities
/// by the names its app gives them (`temperature`, or an app's own `co2`), checked against
/// the part by the loader.
#[derive(Debug, Default)]
pub struct PartParams {
    /// The quantities, in the file's order.
    pub quantities: Vec<(String, Spanned<Quantity>)>,
    pub bounce: Option<BounceParams>,
}

impl<'de> Deserialize<'de> for PartParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PartParams;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of the part's parameters: a sensor's quantities, or a button's `bounce`")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<PartParams, A::Error> {
                let mut params = PartParams::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "bounce" {
                        params.bounce = Some(map.next_value()?);
                    } else {
                        params.quantities.push((key, map.next_value()?));
                    }
                }
                Ok(params)
            }
        }
        d.deserialize_map(V)
    }
}

/// Contact bounce of a button.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BounceParams {
    pub window: Duration,
    pub max_pairs: u32,
}

/// One step: an optional name and exactly one action (checked by the loader).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Step {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub delay: Option<Duration>,
    #[serde(default, deserialize_with = "present")]
    pub wait_serial: Option<Spanned<SerialWait>>,
    #[serde(default, deserialize_with = "present")]
    pub write_serial: Option<Spanned<SerialWrite>>,
    #[serde(default, deserialize_with = "present")]
    pub expect_pin: Option<Spanned<ExpectPin>>,
    #[serde(default, deserialize_with = "present")]
    pub set_control: Option<Spanned<SetControl>>,
    #[serde(default, deserialize_with = "present")]
    pub take_screenshot: Option<Spanned<Screenshot>>,
    #[serde(default, deserialize_with = "present")]
    pub press: Option<Spanned<Press>>,
    #[serde(default, deserialize_with = "present")]
    pub set_sensor: Option<Spanned<SetSensor>>,
    #[serde(default, deserialize_with = "present")]
    pub i2c_fault: Option<Spanned<I2cFault>>,
    #[serde(default, deserialize_with = "present")]
    pub serial_error: Option<Spanned<SerialError>>,
    #[serde(default, deserialize_with = "present")]
    pub power_cycle: Option<PowerCycle>,
    #[serde(default, deserialize_with = "present")]
    pub expect_no_diagnostics: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    pub expect_task: Option<Spanned<ExpectTask>>,
    #[serde(default, deserialize_with = "present")]
    pub expect_reset: Option<Spanned<ExpectReset>>,
    #[serde(default, deserialize_with = "present")]
    pub expect_idle: Option<Spanned<ExpectIdle>>,
    #[serde(default, deserialize_with = "present")]
    pub turn: Option<Spanned<Turn>>,
    #[serde(default, deserialize_with = "present")]
    pub expect_text: Option<Spanned<ExpectText>>,
    #[serde(default, deserialize_with = "present")]
    pub drive_pin: Option<Spanned<DrivePin>>,
    #[serde(default, deserialize_with = "present")]
    pub pulse_pin: Option<Spanned<PulsePin>>,
}

/// A step's action key with a value: `press:` left empty (or `~`) is an error at the key, not
/// a step with no action. (A key that is absent never reaches this: `default` gives `None`.)
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    match Option::<T>::deserialize(d)? {
        Some(value) => Ok(Some(value)),
        None => Err(de::Error::custom(NO_VALUE)),
    }
}

/// The message of [`present`]'s error, which the loader rewrites with the key's example.
pub(crate) const NO_VALUE: &str = "the action has no value";

/// `wait-serial`: text (Wokwi's form), or a map.
#[derive(Debug)]
pub struct SerialWait {
    pub text: Option<String>,
    pub regex: Option<Spanned<String>>,
    pub part_id: Option<Spanned<String>>,
    pub within: Option<Duration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SerialWaitMap {
    text: Option<String>,
    regex: Option<Spanned<String>>,
    part_id: Option<Spanned<String>>,
    within: Option<Duration>,
}

/// `write-serial`: text (Wokwi's form), or a map.
#[derive(Debug)]
pub struct SerialWrite {
    pub text: String,
    pub part_id: Option<Spanned<String>>,
    pub at: Option<Spanned<Duration>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SerialWriteMap {
    text: String,
    part_id: Option<Spanned<String>>,
    at: Option<Spanned<Duration>>,
}

/// Text or a map: both forms of the serial steps.
macro_rules! text_or_map {
    ($ty:ident, $map:ident, $from_text:expr, $from_map:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("text, or a map of the step's keys")
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        Ok($from_text(v.to_string()))
                    }
                    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<$ty, A::Error> {
                        let m = $map::deserialize(de::value::MapAccessDeserializer::new(map))?;
                        Ok($from_map(m))
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

text_or_map!(
    SerialWait,
    SerialWaitMap,
    |text| SerialWait { text: Some(text), regex: None, part_id: None, within: None },
    |m: SerialWaitMap| SerialWait { text: m.text, regex: m.regex, part_id: m.part_id, within: m.within }
);
text_or_map!(SerialWrite, SerialWriteMap, |text| SerialWrite { text, part_id: None, at: None }, |m: SerialWriteMap| {
    SerialWrite { text: m.text, part_id: m.part_id, at: m.at }
});

/// `expect-pin`: a pin's level now, or within a window.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExpectPin {
    pub part_id: Spanned<String>,
    pub pin: Option<Spanned<PinName>>,
    pub value: Level,
    pub within: Option<Duration>,
}

/// `set-control`: Wokwi's way to move a part's control (`pressed` of a button, a sensor's
/// quantity).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetControl {
    pub part_id: Spanned<String>,
    pub control: Spanned<String>,
    pub value: f64,
}

/// `take-screenshot`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Screenshot {
    pub part_id: Spanned<String>,
    pub save_to: Option<String>,
    pub compare_with: Option<Spanned<String>>,
    pub within: Option<Duration>,
}

/// `press`: a click of a button, held for `hold`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Press {
    pub part_id: Spanned<String>,
    pub hold: Option<Duration>,
    pub at: Option<Spanned<Duration>>,
}

/// `set-sensor`: a quantity of a sensor becomes a value, or follows a curve from now.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetSensor {
    pub part_id: Spanned<String>,
    pub quantity: Spanned<String>,
    pub value: Spanned<Quantity>,
}

/// `i2c-fault`: the next transaction on a bus fails.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct I2cFault {
    pub part_id: Spanned<String>,
    pub fault: FaultKind,
    /// For `stuck-sda`: how long the line stays low.
    pub duration: Option<Duration>,
    pub at: Option<Spanned<Duration>>,
}

/// What goes wrong on the bus.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The address is not acknowledged.
    Nack,
    /// Another master wins arbitration.
    ArbitrationLoss,
    /// SDA is held low for the step's `duration`.
    StuckSda,
}

/// `serial-error`: a line error reaches the firmware's receiver now.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SerialError {
    pub part_id: Option<Spanned<String>>,
    pub error: LineError,
    pub at: Option<Spanned<Duration>>,
}

/// A UART line error.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineError {
    /// A stop bit missing.
    Framing,
    /// A parity mismatch.
    Parity,
    /// Noise inside a frame.
    Noise,
    /// The line held low longer than a frame.
    Break,
    /// A byte lost to a full receive FIFO.
    Overrun,
}

/// `expect-task`: a firmware task's state.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExpectTask {
    pub name: Spanned<String>,
    pub state: TaskState,
}

/// `expect-reset`: a watchdog resets the MCU and the firmware boots again, within a time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExpectReset {
    pub watchdog: Spanned<String>,
    pub within: Option<Duration>,
}

/// `expect-idle`: the share of the time so far that the core was idle, in per cent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExpectIdle {
    pub at_least: f64,
}

/// Whether a task has finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskState {
    /// Not finished.
    Running,
    /// Returned (or panicked).
    Finished,
}

/// `turn`: a rotary encoder's knob turns `steps` detents (negative: anticlockwise), one every
/// `period`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Turn {
    pub part_id: Spanned<String>,
    pub steps: i32,
    pub period: Option<Duration>,
    pub at: Option<Spanned<Duration>>,
}

/// `expect-text`: a character display shows text (in a row, or anywhere), now or within a
/// window.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExpectText {
    pub part_id: Spanned<String>,
    pub text: Option<String>,
    pub regex: Option<Spanned<String>>,
    pub row: Option<Spanned<usize>>,
    pub within: Option<Duration>,
}

/// `drive-pin`: the scenario drives an input line to a level, from now (or `at`) on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DrivePin {
    pub part_id: Spanned<String>,
    pub value: Level,
    pub at: Option<Spanned<Duration>>,
}

/// `pulse-pin`: the scenario drives an input line to `value` for `width`, then to the other
/// level.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PulsePin {
    pub part_id: Spanned<String>,
    pub value: Level,
    pub width: Duration,
    pub at: Option<Spanned<Duration>>,
}
