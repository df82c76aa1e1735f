//! Scalar values of the format with their own reading rules: levels, pin names, sensor
//! quantities, what a power cycle cuts. Each says what it expected when a value does not fit.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::duration::Duration;

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

/// What `power-cycle` cuts: `true`, the whole board (the devices reset and the firmware boots
/// again); `peripherals`, the devices only (a brown-out the MCU rides through); `false`,
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerCycle {
    /// `true`.
    Board,
    /// `peripherals`.
    Peripherals,
    /// `false`.
    Nothing,
}

const POWER_CYCLE: &str = "true (the whole board: the devices reset and the firmware boots again), \
                           `peripherals` (the devices only) or false";

impl<'de> Deserialize<'de> for PowerCycle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PowerCycle;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(POWER_CYCLE)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<PowerCycle, E> {
                Ok(if v { PowerCycle::Board } else { PowerCycle::Nothing })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PowerCycle, E> {
                match v {
                    "peripherals" => Ok(PowerCycle::Peripherals),
                    _ => Err(E::custom(format!("`{v}` is not what a power cycle cuts; expected {POWER_CYCLE}"))),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PowerCycle, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PowerCycle, E> {
                self.visit_str(&v.to_string())
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
                    if let Some(&(last, _)) = points.last()
                        && t <= last
                    {
                        let problem = if t < last {
                            format!("the curve's times go back ({t} after {last})")
                        } else {
                            format!("the curve has two points at {t}")
                        };
                        return Err(de::Error::custom(format!("{problem}; expected each time after the one before")));
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
