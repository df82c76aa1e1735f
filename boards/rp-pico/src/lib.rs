//! What the Pico binaries share: an I2C bus that several drivers hold at once.
#![no_std]

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::mutex::Mutex;
use embedded_hal_async::i2c::{ErrorType, I2c, Operation, SevenBitAddress};

/// A handle on an I2C bus shared by the tasks of one executor: `Clone`, as the thermostat's
/// drivers (a sensor and a display on one bus) need; each transaction holds the bus alone.
pub struct SharedI2c<BUS: 'static>(pub &'static Mutex<NoopRawMutex, BUS>);

impl<BUS> Clone for SharedI2c<BUS> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<BUS> Copy for SharedI2c<BUS> {}

impl<BUS: ErrorType> ErrorType for SharedI2c<BUS> {
    type Error = BUS::Error;
}

impl<BUS: I2c> I2c for SharedI2c<BUS> {
    async fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), Self::Error> {
        self.0.lock().await.transaction(address, operations).await
    }
}
