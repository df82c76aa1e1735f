//! An I2C bus with fake devices on it.

use core::cell::RefCell;

use embedded_hal_async::i2c::{ErrorKind, ErrorType, I2c, NoAcknowledgeSource, Operation};

use crate::{Bme280, Hd44780, Marks};

/// The BME280's address (SDO to ground).
pub const BME280_ADDRESS: u8 = 0x76;
/// The SSD1306 OLED's address.
pub const OLED_ADDRESS: u8 = 0x3C;
/// The PCF8574 LCD backpack's address.
pub const LCD_ADDRESS: u8 = 0x27;

/// The devices on a [`FakeBus`]; an address with no device answers NACK.
pub struct Devices<'a, M> {
    /// At [`BME280_ADDRESS`].
    pub bme280: Option<Bme280<'a>>,
    /// An SSD1306 at [`OLED_ADDRESS`] that takes every write and draws nothing.
    pub oled: bool,
    /// At [`LCD_ADDRESS`].
    pub lcd: Option<Hd44780<'a, M>>,
}

/// A handle on a bus of fake devices; copies share the bus, as two drivers on one I2C
/// peripheral do. Transactions take no time.
pub struct FakeBus<'a, 'd, M>(pub &'a RefCell<Devices<'d, M>>);

impl<M> Clone for FakeBus<'_, '_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for FakeBus<'_, '_, M> {}

impl<M> ErrorType for FakeBus<'_, '_, M> {
    type Error = ErrorKind;
}

impl<M: Marks> I2c for FakeBus<'_, '_, M> {
    async fn transaction(&mut self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), ErrorKind> {
        let devices = &mut *self.0.borrow_mut();
        let absent = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);
        for op in operations {
            match (address, op) {
                (BME280_ADDRESS, Operation::Write(bytes)) => devices.bme280.as_mut().ok_or(absent)?.write(bytes),
                (BME280_ADDRESS, Operation::Read(buf)) => devices.bme280.as_mut().ok_or(absent)?.read(buf),
                (OLED_ADDRESS, _) if devices.oled => {}
                (LCD_ADDRESS, Operation::Write(bytes)) => {
                    let lcd = devices.lcd.as_mut().ok_or(absent)?;
                    bytes.iter().for_each(|&b| lcd.port(b));
                }
                _ => return Err(absent),
            }
        }
        Ok(())
    }
}
