//! The HD44780 character LCD controller (Hitachi), on GPIO pins or behind a PCF8574 I2C
//! backpack.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use fwsim::SimTime;

use crate::gpio::{Pin, PinContext, PinDevice};
use crate::i2c::{I2cContext, I2cDevice};
use crate::{DeviceContext, Level};

mod controller;
mod display;
mod timing;
mod wiring;

pub use display::Hd44780;
pub use timing::*;
pub use wiring::Pcf8574Backpack;

use controller::*;
use wiring::*;
