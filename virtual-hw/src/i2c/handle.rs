//! [`I2c`], the firmware's handle: a transaction on the wire, timed bit by bit, and its
//! record.

use super::*;

/// Bits on the wire for `ops`, through the NACK if there is one.
pub(super) fn wire_bits(ops: &[Operation<'_>], nack: Option<Nack>) -> u64 {
    let mut bits = 0;
    let mut direction = None;
    for (i, op) in ops.iter().enumerate() {
        let read = matches!(op, Operation::Read(_));
        if direction != Some(read) {
            bits += 10;
            if nack == Some(Nack::Address) {
                return bits + 1;
            }
            direction = Some(read);
        }
        let len = match op {
            Operation::Read(b) => b.len(),
            Operation::Write(b) => b.len(),
        };
        if let Some(Nack::Data { op, byte }) = nack
            && op == i
        {
            return bits + 9 * (byte as u64 + 1) + 1;
        }
        bits += 9 * len as u64;
    }
    bits + 1
}

pub(super) fn describe(address: u8, ops: &[Operation<'_>], result: &Result<(), ErrorKind>) -> String {
    let mut s = String::new();
    for op in ops {
        let (dir, bytes): (char, &[u8]) = match op {
            Operation::Read(b) => ('R', b),
            Operation::Write(b) => ('W', b),
        };
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
        s.push_str(&format!("{dir}{address:02X}[{}]", hex.join(" ")));
    }
    if let Err(e) = result {
        s.push_str(&format!(" {e:?}"));
    }
    s
}

/// An I2C controller on a bus. Cloning gives another handle on the same bus (as
/// embedded-hal-bus's sharing would on a board).
#[derive(Clone)]
pub struct I2c {
    pub(super) board: Board,
    pub(super) bus: usize,
}

impl I2c {
    /// Runs the transaction at the device now; returns the result and when the STOP ends.
    pub(super) fn execute(&self, address: u8, ops: &mut [Operation<'_>]) -> (Result<(), ErrorKind>, u64) {
        let now = fwsim::now().as_nanos();
        let (start, hz, fault, device) = {
            let mut board = self.board.borrow();
            let b = &mut *board;
            let bus = &mut b.i2c.all[self.bus];
            bus.transactions += 1;
            let start = now.max(bus.busy_until);
            let mut fault = None;
            while bus.faults.first().is_some_and(|f| f.0.as_nanos() <= start) {
                fault = Some(bus.faults.remove(0).1);
            }
            if let Some(I2cFault::StuckSda { until }) = fault {
                bus.stuck_until = bus.stuck_until.max(until.as_nanos());
            }
            if let Some(p) = bus.random
                && b.rng.below(1_000_000) < p as u64
            {
                let arbitration = b.rng.below(2) == 0;
                fault.get_or_insert(if arbitration { I2cFault::ArbitrationLoss } else { I2cFault::Nack });
            }
            let device = bus.devices.get(&address).map(|(n, d)| (n.clone(), d.clone()));
            (start, bus.hz, fault, device)
        };
        let stuck = start < self.board.inner.borrow().i2c.all[self.bus].stuck_until;
        let (result, bits, stretch) = if stuck {
            (Err(ErrorKind::Bus), 1, 0)
        } else if let Some(f) = fault {
            let err = match f {
                I2cFault::Nack => ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address),
                I2cFault::ArbitrationLoss => ErrorKind::ArbitrationLoss,
                I2cFault::StuckSda { .. } => ErrorKind::Bus,
            };
            (Err(err), 11, 0)
        } else if let Some((name, device)) = device {
            let mut ctx =
                I2cContext { start, hz, bits: 0, stretched: 0, device: name, address, board: self.board.clone() };
            let r = device.borrow_mut().transaction(&mut ctx, ops);
            let stretch = ctx.stretched;
            let result = r.map_err(|n| {
                ErrorKind::NoAcknowledge(match n {
                    Nack::Address => NoAcknowledgeSource::Address,
                    Nack::Data { .. } => NoAcknowledgeSource::Data,
                })
            });
            (result, wire_bits(ops, r.err()), stretch)
        } else {
            (Err(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)), wire_bits(ops, Some(Nack::Address)), 0)
        };
        let end = start + bit_time_ns(bits, hz) + stretch;
        let mut board = self.board.borrow();
        let b = &mut *board;
        let bus = &mut b.i2c.all[self.bus];
        bus.busy_until = end;
        let signal = bus.signal;
        b.rec.record(signal, Value::Text(describe(address, ops, &result)));
        (result, end)
    }

    pub(super) fn blocking(&mut self, address: u8, ops: &mut [Operation<'_>]) -> Result<(), ErrorKind> {
        let (result, end) = self.execute(address, ops);
        crate::block_until(end);
        result
    }
}
