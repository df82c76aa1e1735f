//! [`MockSpiDevice`]: embedded-hal-mock transactions standing in as a device.

use super::*;

/// An embedded-hal-mock SPI device on a simulated bus. See [`SpiBus::mock_device`].
pub struct MockSpiDevice {
    pub(super) bus: SpiBusHandle,
    pub(super) mock: embedded_hal_mock::eh1::spi::Mock<u8>,
}

impl MockSpiDevice {
    /// Takes the bus for the transaction's bytes and records it; returns when it ends.
    pub(super) fn clock(&self, operations: &[Operation<'_, u8>]) -> u64 {
        let bytes: usize = operations
            .iter()
            .map(|op| match op {
                Operation::Read(r) => r.len(),
                Operation::Write(w) => w.len(),
                Operation::Transfer(r, w) => r.len().max(w.len()),
                Operation::TransferInPlace(b) => b.len(),
                Operation::DelayNs(_) => 0,
            })
            .sum();
        let delay: u64 = operations.iter().map(|op| if let Operation::DelayNs(ns) = op { *ns as u64 } else { 0 }).sum();
        let mut b = self.bus.board.borrow();
        let b = &mut *b;
        let bus = &mut b.spi.all[self.bus.bus];
        let start = fwsim::now().as_nanos().max(bus.busy_until);
        let end = start + bit_time_ns(8 * bytes as u64, bus.hz) + delay;
        bus.busy_until = end;
        let signal = bus.signal;
        b.rec.record(signal, Value::Text(format!("mock device: {bytes} bytes")));
        end
    }
}

impl embedded_hal::spi::ErrorType for MockSpiDevice {
    type Error = ErrorKind;
}

impl embedded_hal::spi::SpiDevice for MockSpiDevice {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        let end = self.clock(operations);
        embedded_hal::spi::SpiDevice::transaction(&mut self.mock, operations)
            .map_err(|e| embedded_hal::spi::Error::kind(&e))?;
        SpiBusHandle::block_until(end);
        Ok(())
    }
}

impl embedded_hal_async::spi::SpiDevice for MockSpiDevice {
    async fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        let end = self.clock(operations);
        embedded_hal::spi::SpiDevice::transaction(&mut self.mock, operations)
            .map_err(|e| embedded_hal::spi::Error::kind(&e))?;
        self.bus.wait_until(end).await;
        Ok(())
    }
}
