//! [`SpiDeviceHandle`]: a bus plus a chip select, embedded-hal's `SpiDevice`.

use super::*;

/// An SPI device: `embedded_hal::spi::SpiDevice` (and async) that asserts its chip select
/// for each transaction.
pub struct SpiDeviceHandle {
    pub(super) bus: SpiBusHandle,
    pub(super) cs: Pin,
}

/// Releases chip select even if the transaction's future is dropped.
pub(super) struct Release<'a>(&'a mut Pin);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        let _: Result<(), Infallible> = self.0.set_high();
    }
}

impl embedded_hal::spi::ErrorType for SpiDeviceHandle {
    type Error = ErrorKind;
}

impl embedded_hal::spi::SpiDevice for SpiDeviceHandle {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        let _ = self.cs.set_low();
        let _release = Release(&mut self.cs);
        for op in operations {
            SpiBusHandle::block_until(self.bus.operation(op));
        }
        Ok(())
    }
}

impl embedded_hal_async::spi::SpiDevice for SpiDeviceHandle {
    async fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        let _ = self.cs.set_low();
        let release = Release(&mut self.cs);
        for op in operations {
            let end = self.bus.operation(op);
            self.bus.wait_until(end).await;
        }
        drop(release);
        Ok(())
    }
}
