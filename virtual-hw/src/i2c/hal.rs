//! The embedded-hal 1.0, embedded-hal-async and embedded-hal 0.2 I2C traits on [`I2c`].

use super::*;

impl embedded_hal::i2c::ErrorType for I2c {
    type Error = ErrorKind;
}

impl embedded_hal::i2c::I2c for I2c {
    fn transaction(&mut self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), ErrorKind> {
        self.blocking(address, operations)
    }
}

impl embedded_hal_async::i2c::I2c for I2c {
    async fn transaction(&mut self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), ErrorKind> {
        let (result, end) = self.execute(address, operations);
        let irq = self.board.borrow().i2c.all[self.bus].irq;
        crate::wait_until(end, irq).await;
        result
    }
}

impl embedded_hal_02::blocking::i2c::Write for I2c {
    type Error = ErrorKind;
    fn write(&mut self, address: u8, bytes: &[u8]) -> Result<(), ErrorKind> {
        self.blocking(address, &mut [Operation::Write(bytes)])
    }
}

impl embedded_hal_02::blocking::i2c::Read for I2c {
    type Error = ErrorKind;
    fn read(&mut self, address: u8, buffer: &mut [u8]) -> Result<(), ErrorKind> {
        self.blocking(address, &mut [Operation::Read(buffer)])
    }
}

impl embedded_hal_02::blocking::i2c::WriteRead for I2c {
    type Error = ErrorKind;
    fn write_read(&mut self, address: u8, bytes: &[u8], buffer: &mut [u8]) -> Result<(), ErrorKind> {
        self.blocking(address, &mut [Operation::Write(bytes), Operation::Read(buffer)])
    }
}
