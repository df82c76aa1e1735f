//! Device models that enforce their datasheets.
//!
//! Each model answers on its bus as the part does — including its refusals (an HTU21D
//! NACKs a read while it converts; a 24Cxx NACKs everything during its write cycle) — and
//! reports what would be a bug on the bench as a [`Hardware`](fwsim::Diagnostic::Hardware)
//! diagnostic (an unknown command, a page write that wraps over its own start).

mod bme280;
mod eeprom;
mod gps;
mod hd44780;
mod htu21d;
mod nec_remote;
mod ssd1306;

pub use bme280::{Bme280, Calibration};
pub use eeprom::Eeprom24;
pub use gps::{Gps, Mtk, Track, gps_version};
pub use hd44780::{Hd44780, Pcf8574Backpack};
pub use htu21d::{Htu21d, crc8_131};
pub use nec_remote::NecRemote;
pub use ssd1306::Ssd1306;
