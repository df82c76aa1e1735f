//! The device side of a bus: the [`I2cDevice`] trait a model implements, its context, NACKs
//! and the faults a test can inject.

use super::*;

/// The priority of I2C completion interrupts.
pub const I2C_IRQ_PRIORITY: u8 = 3;

/// Where a device refused a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nack {
    /// The address byte was not acknowledged.
    Address,
    /// Data byte `byte` of operation `op` was not acknowledged.
    Data {
        /// The operation's index.
        op: usize,
        /// The byte's index in it.
        byte: usize,
    },
}

/// What a device model knows while it answers: the time on the bus, and a way to stretch
/// the clock or report a protocol violation.
pub struct I2cContext {
    pub(super) start: u64,
    pub(super) hz: u64,
    pub(super) bits: u64,
    pub(super) stretched: u64,
    pub(super) device: String,
    pub(super) address: u8,
    pub(super) board: Board,
}

impl crate::DeviceContext for I2cContext {
    fn now(&self) -> SimTime {
        I2cContext::now(self)
    }
    fn line_hz(&self) -> Option<u64> {
        Some(self.hz)
    }
    fn report(&self, rule: &'static str, detail: String) {
        self.violation(rule, detail);
    }
    fn random_below(&self, n: u64) -> u64 {
        self.board.random_below(n)
    }
}

impl I2cContext {
    /// The time at the bus's current bit: the START plus the bits clocked so far (exact for
    /// devices that answer byte by byte; the START for whole-transaction devices).
    pub fn now(&self) -> SimTime {
        SimTime(self.start + bit_time_ns(self.bits, self.hz) + self.stretched)
    }

    /// The bus clock in Hz.
    pub fn bus_hz(&self) -> u64 {
        self.hz
    }

    /// The 7-bit address the transaction was sent to.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// Holds SCL low until `t` (clock stretching): the transaction lasts that much longer.
    pub fn stretch_until(&mut self, t: SimTime) {
        self.stretched += t.as_nanos().saturating_sub(self.now().as_nanos());
    }

    /// Reports a protocol or timing violation by this device (a
    /// [`Hardware`](fwsim::Diagnostic::Hardware) diagnostic naming it).
    pub fn violation(&self, rule: &'static str, detail: impl Into<String>) {
        fwsim::diag::report_hardware(self.device.clone(), rule, detail);
    }

    pub(super) fn clock(&mut self, bits: u64) {
        self.bits += bits;
    }
}

/// A device on an I2C bus. Implement the byte-level methods (the default `transaction`
/// drives them with exact times), or override `transaction` to take whole transactions.
pub trait I2cDevice {
    /// A START (or repeated START) addressed to this device, `read` being the R/W bit.
    /// Return `false` to NACK the address.
    fn start(&mut self, ctx: &mut I2cContext, read: bool) -> bool {
        let _ = (ctx, read);
        false
    }

    /// A byte from the master; return `false` to NACK it.
    fn write(&mut self, ctx: &mut I2cContext, byte: u8) -> bool {
        let _ = (ctx, byte);
        false
    }

    /// A byte the master reads.
    fn read(&mut self, ctx: &mut I2cContext) -> u8 {
        let _ = ctx;
        0xff
    }

    /// The STOP that ends a transaction this device took part in (also after a data NACK).
    fn stop(&mut self, ctx: &mut I2cContext) {
        let _ = ctx;
    }

    /// The board lost power and got it back ([`Board::power_cycle`](crate::Board::power_cycle)):
    /// forget what is volatile (registers, RAM, a transfer under way), keep what is not
    /// (EEPROM, flash), and count any busy time from now. By default the part keeps
    /// everything: override it for a part with volatile state.
    fn power_cycle(&mut self) {}

    /// One whole transaction addressed to this device. The default calls the byte-level
    /// methods, a START per change of direction as on the wire.
    fn transaction(&mut self, ctx: &mut I2cContext, ops: &mut [Operation<'_>]) -> Result<(), Nack> {
        let mut direction: Option<bool> = None;
        for (i, op) in ops.iter_mut().enumerate() {
            let read = matches!(op, Operation::Read(_));
            if direction != Some(read) {
                ctx.clock(1);
                let ack = self.start(ctx, read);
                ctx.clock(9);
                if !ack {
                    return Err(Nack::Address);
                }
                direction = Some(read);
            }
            match op {
                Operation::Write(bytes) => {
                    for (j, &b) in bytes.iter().enumerate() {
                        let ack = self.write(ctx, b);
                        ctx.clock(9);
                        if !ack {
                            self.stop(ctx);
                            return Err(Nack::Data { op: i, byte: j });
                        }
                    }
                }
                Operation::Read(buf) => {
                    for b in buf.iter_mut() {
                        *b = self.read(ctx);
                        ctx.clock(9);
                    }
                }
            }
        }
        self.stop(ctx);
        Ok(())
    }
}

/// A fault to inject into an I2C transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I2cFault {
    /// The address is not acknowledged (noise, a device in reset).
    Nack,
    /// Another master won arbitration.
    ArbitrationLoss,
    /// SDA is held low until the given time: every transaction fails with a bus error.
    StuckSda {
        /// When the line is released.
        until: SimTime,
    },
}
