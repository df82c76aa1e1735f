//! [`MockDevice`]: embedded-hal-mock transactions standing in as a device.

use super::*;

/// Lets an [embedded-hal-mock](embedded_hal_mock) I2C transaction list stand in as a device:
/// every transaction addressed to it is checked against (and answered from) the list. Keep a
/// clone of the mock to call `done()` on at the end of the test.
///
/// ```
/// use embedded_hal::i2c::I2c as _;
/// use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
/// use fwsim_hw::{Board, i2c::MockDevice};
///
/// fwsim::test(|_sim| {
///     let board = Board::new();
///     let bus = board.i2c_bus("I2C0", 100_000);
///     let mut mock = Mock::new(&[Transaction::write_read(0x68, vec![0x75], vec![0x68])]);
///     bus.attach(0x68, "imu", MockDevice::new(mock.clone()));
///     let mut who = [0u8];
///     bus.handle().write_read(0x68, &[0x75], &mut who).unwrap();
///     assert_eq!(who, [0x68]);
///     mock.done();
/// });
/// ```
pub struct MockDevice {
    pub(super) mock: embedded_hal_mock::eh1::i2c::Mock,
}

impl MockDevice {
    /// Wraps `mock`; the address is the one it is attached at.
    pub fn new(mock: embedded_hal_mock::eh1::i2c::Mock) -> Self {
        MockDevice { mock }
    }
}

impl I2cDevice for MockDevice {
    fn transaction(&mut self, ctx: &mut I2cContext, ops: &mut [Operation<'_>]) -> Result<(), Nack> {
        use embedded_hal::i2c::I2c as _;
        let address = ctx.address();
        let last_op = ops.len().saturating_sub(1);
        // The mock expects the method the firmware called: map the shapes that
        // `write`, `read` and `write_read` produce back to them.
        let result = match &mut *ops {
            [Operation::Write(w)] => self.mock.write(address, w),
            [Operation::Read(r)] => self.mock.read(address, r),
            [Operation::Write(w), Operation::Read(r)] => self.mock.write_read(address, w, r),
            ops => self.mock.transaction(address, ops),
        };
        match result {
            Ok(()) => Ok(()),
            Err(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data)) => Err(Nack::Data { op: last_op, byte: 0 }),
            Err(_) => Err(Nack::Address),
        }
    }
}
