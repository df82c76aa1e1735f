//! The file format as serde reads it: every key a scenario may hold, with its location.
//!
//! These types mirror the YAML one to one (kebab-case keys, unknown keys refused), so that
//! serde-saphyr's errors point at the offending key or value. [`crate::load`] turns them into
//! a checked [`Scenario`](crate::Scenario).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::duration::Duration;

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

/// Parameters of one part, by the part's name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PartParams {
    pub temperature: Option<Spanned<Quantity>>,
    pub humidity: Option<Spanned<Quantity>>,
    pub pressure: Option<Spanned<Quantity>>,
    pub bounce: Option<BounceParams>,
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
    pub delay: Option<Duration>,
    pub wait_serial: Option<Spanned<SerialWait>>,
    pub write_serial: Option<Spanned<SerialWrite>>,
    pub expect_pin: Option<Spanned<ExpectPin>>,
    pub set_control: Option<Spanned<SetControl>>,
    pub take_screenshot: Option<Spanned<Screenshot>>,
    pub press: Option<Spanned<Press>>,
    pub set_sensor: Option<Spanned<SetSensor>>,
    pub i2c_fault: Option<Spanned<I2cFault>>,
    pub serial_error: Option<Spanned<SerialError>>,
    pub power_cycle: Option<bool>,
    pub expect_no_diagnostics: Option<bool>,
    pub expect_task: Option<Spanned<ExpectTask>>,
}

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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SerialWriteMap {
    text: String,
    part_id: Option<Spanned<String>>,
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
text_or_map!(SerialWrite, SerialWriteMap, |text| SerialWrite { text, part_id: None }, |m: SerialWriteMap| {
    SerialWrite { text: m.text, part_id: m.part_id }
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

/// A pin name: Wokwi writes numbers (`12`) as often as names (`A`, `GP25`).
#[derive(Debug, Clone)]
pub struct PinName(pub String);

impl<'de> Deserialize<'de> for PinName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PinName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a pin name or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PinName, E> {
                Ok(PinName(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PinName, E> {
                Ok(PinName(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PinName, E> {
                Ok(PinName(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A logic level: `1`/`0`, `high`/`low`, `true`/`false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level(pub bool);

const LEVEL: &str = "a level: 1 or 0, high or low, true or false";

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Level;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(LEVEL)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Level, E> {
                Ok(Level(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Level, E> {
                match v {
                    0 | 1 => Ok(Level(v == 1)),
                    _ => Err(E::custom(format!("`{v}` is not a level; expected {LEVEL}"))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Level, E> {
                Err(E::custom(format!("`{v}` is not a level; expected {LEVEL}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Level, E> {
                Err(E::custom(format!("`{v}` is not a level; expected {LEVEL}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Level, E> {
                match v {
                    "1" | "high" | "HIGH" | "true" => Ok(Level(true)),
                    "0" | "low" | "LOW" | "false" => Ok(Level(false)),
                    _ => Err(E::custom(format!("`{v}` is not a level; expected {LEVEL}"))),
                }
            }
        }
        d.deserialize_any(V)
    }
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
}

/// `press`: a click of a button, held for `hold`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Press {
    pub part_id: Spanned<String>,
    pub hold: Option<Duration>,
}

/// `set-sensor`: a quantity of a sensor becomes a value, or follows a curve from now.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetSensor {
    pub part_id: Spanned<String>,
    pub quantity: Spanned<String>,
    pub value: Spanned<Quantity>,
}

/// A sensor quantity: a constant, or a curve `[[time, value], …]` (times from its start).
#[derive(Debug, Clone)]
pub enum Quantity {
    /// Always this value.
    Constant(f64),
    /// Linear between the points, held after the last.
    Curve(Vec<(Duration, f64)>),
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, or a curve: a list of [time, value] pairs such as [[0s, 21.0], [10min, 16.5]]")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity::Constant(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity::Constant(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity::Constant(v as f64))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Quantity, A::Error> {
                let mut points = Vec::new();
                while let Some((t, v)) = seq.next_element::<(Duration, f64)>()? {
                    if points.last().is_some_and(|(last, _): &(Duration, f64)| t < *last) {
                        return Err(de::Error::custom(format!(
                            "the curve's times go back ({t} after {}); expected them in increasing order",
                            points.last().map(|p: &(Duration, f64)| p.0).unwrap_or_default()
                        )));
                    }
                    points.push((t, v));
                }
                if points.is_empty() {
                    return Err(de::Error::custom("the curve has no points; expected at least one [time, value] pair"));
                }
                Ok(Quantity::Curve(points))
            }
        }
        d.deserialize_any(V)
    }
}

/// `i2c-fault`: the next transaction on a bus fails.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct I2cFault {
    pub part_id: Spanned<String>,
    pub fault: FaultKind,
    /// For `stuck-sda`: how long the line stays low.
    pub duration: Option<Duration>,
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

/// Whether a task has finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskState {
    /// Not finished.
    Running,
    /// Returned (or panicked).
    Finished,
}
