//! I2C: a bus of addressed device models, timed from the bus clock, with injected faults.
//!
//! ## Timing
//!
//! A transaction costs one bit time for each START (and repeated START), nine for the
//! address byte and for each data byte (eight bits and the acknowledge), and one for the
//! STOP; adjacent operations of the same direction share one address phase, as
//! embedded-hal specifies. At 400 kHz a bit takes 2,500 ns, so writing one command byte
//! takes (1 + 9 + 9 + 1) × 2.5 µs = 50 µs. A NACK ends the transaction early (the master
//! sends STOP after it). Devices may stretch the clock ([`I2cContext::stretch_until`]).
//!
//! The blocking `embedded_hal::i2c::I2c` (and embedded-hal 0.2's `blocking::i2c`) spends the
//! transfer as busy time; the async `embedded_hal_async::i2c::I2c` lets other tasks run and
//! returns when the STOP ends. A device sees a transaction at its START.
//!
//! ## Devices
//!
//! A model implements [`I2cDevice`], either byte by byte (`start`/`write`/`read`/`stop`,
//! with exact times from the context) or a whole transaction at once (as the
//! [`MockDevice`] adapter for embedded-hal-mock does). An address nobody answers is NACKed.
//!
//! ## Faults
//!
//! [`I2cBus::inject_at`] makes the first transaction at or after a time fail with a NACK,
//! an arbitration loss, or a stuck SDA line (bus errors until it is released);
//! [`I2cBus::random_faults`] draws NACKs and arbitration losses from the simulation's seed.
//!
//! ## Cancel safety
//!
//! Dropping an async transaction's future after its first poll does not undo it: the device
//! has seen it, and the bus stays busy until its STOP (a transfer under way on hardware
//! finishes or is cut at a byte boundary; either way the device has acted on what it got).
//! A transaction started later waits for the bus.
//!
//! ```
//! use embedded_hal_async::i2c::I2c;
//! use fwsim_hw::Board;
//! use fwsim_hw::devices::Eeprom24;
//!
//! fwsim::test(|sim| {
//!     let board = Board::new();
//!     let bus = board.i2c_bus("I2C0", 400_000);
//!     bus.attach(0x50, "eeprom", Eeprom24::c02());
//!     let mut i2c = bus.handle();
//!     let task = sim.spawn("rw", async move {
//!         i2c.write(0x50, &[0x10, 1, 2, 3]).await.unwrap();
//!         embassy_time::Timer::after_millis(5).await; // the write cycle
//!         let mut back = [0u8; 3];
//!         i2c.write_read(0x50, &[0x10], &mut back).await.unwrap();
//!         back
//!     });
//!     sim.run_for(fwsim::ms(10)).unwrap();
//!     assert_eq!(sim.join(task).unwrap(), [1, 2, 3]);
//! });
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation};
use fwsim::{Irq, SimTime};

use crate::bit_time_ns;
use crate::board::Board;
use crate::signal::{SignalKind, Value};

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
    start: u64,
    hz: u64,
    bits: u64,
    stretched: u64,
    device: String,
    address: u8,
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

    fn clock(&mut self, bits: u64) {
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

struct BusState {
    /// The bus's interrupt (transfer complete).
    irq: Irq,
    name: String,
    hz: u64,
    devices: BTreeMap<u8, (String, Rc<RefCell<dyn I2cDevice>>)>,
    busy_until: u64,
    faults: Vec<(SimTime, I2cFault)>,
    stuck_until: u64,
    random: Option<u32>,
    signal: usize,
    transactions: u64,
}

/// The I2C buses of a board.
#[derive(Default)]
pub(crate) struct I2cBuses {
    all: Vec<BusState>,
}

impl Board {
    /// An I2C bus called `name` clocked at `hz`.
    pub fn i2c_bus(&self, name: &str, hz: u32) -> I2cBus {
        assert!(hz > 0, "fwsim-hw: an I2C bus needs a clock");
        let mut b = self.borrow();
        let b = &mut *b;
        let signal = b.rec.add(name, SignalKind::Text);
        let irq = b.allocate_irq(I2C_IRQ_PRIORITY);
        b.i2c.all.push(BusState {
            irq,
            name: name.to_string(),
            hz: hz as u64,
            devices: BTreeMap::new(),
            busy_until: 0,
            faults: Vec::new(),
            stuck_until: 0,
            random: None,
            signal,
            transactions: 0,
        });
        I2cBus { board: self.clone(), id: b.i2c.all.len() - 1 }
    }
}

/// An I2C bus: attach devices, inject faults, and hand out [`I2c`] handles.
#[derive(Clone)]
pub struct I2cBus {
    board: Board,
    id: usize,
}

impl I2cBus {
    /// The interrupt its transfers complete on.
    pub fn irq(&self) -> Irq {
        self.board.borrow().i2c.all[self.id].irq
    }

    /// Attaches `device` at 7-bit `address`, named `name` in diagnostics.
    ///
    /// Returns a handle to the device, for the test to inspect or change it while it runs
    /// (`eeprom.borrow().memory()`): nothing to share by hand.
    pub fn attach<D: I2cDevice + 'static>(&self, address: u8, name: &str, device: D) -> Rc<RefCell<D>> {
        let device = Rc::new(RefCell::new(device));
        self.attach_shared(address, name, device.clone());
        device
    }

    /// Attaches a device the test keeps a handle to (to inspect or change it while it runs).
    pub fn attach_shared(&self, address: u8, name: &str, device: Rc<RefCell<dyn I2cDevice>>) {
        assert!(address < 0x80, "fwsim-hw: I2C address {address:#x} is not a 7-bit address");
        let mut b = self.board.borrow();
        let bus = &mut b.i2c.all[self.id];
        let label = format!("{name}@{address:#04x} on {}", bus.name);
        if let Some((other, _)) = bus.devices.insert(address, (label, device)) {
            panic!("fwsim-hw: two devices at I2C address {address:#04x}: {other} and {name}");
        }
    }

    /// Attaches one device at `span` consecutive addresses from `address` (a 24C04/08/16
    /// EEPROM answers at one address per 256-byte block:
    /// [`Eeprom24::address_span`](crate::devices::Eeprom24::address_span)).
    pub fn attach_span(&self, address: u8, span: u8, name: &str, device: Rc<RefCell<dyn I2cDevice>>) {
        for a in address..address.checked_add(span).expect("fwsim-hw: an I2C address span past 0x7F") {
            self.attach_shared(a, name, device.clone());
        }
    }

    /// A handle for firmware: implements the blocking and async `I2c` traits.
    pub fn handle(&self) -> I2c {
        I2c { board: self.board.clone(), bus: self.id }
    }

    /// The first transaction that starts at or after `at` suffers `fault`.
    pub fn inject_at(&self, at: SimTime, fault: I2cFault) {
        let mut b = self.board.borrow();
        let faults = &mut b.i2c.all[self.id].faults;
        faults.push((at, fault));
        faults.sort_by_key(|f| f.0);
    }

    /// Each transaction fails with probability `per_million` / 10⁶, with a NACK or an
    /// arbitration loss, drawn from the simulation's seed.
    pub fn random_faults(&self, per_million: u32) {
        self.board.borrow().i2c.all[self.id].random = Some(per_million);
    }

    /// Transactions on the bus so far.
    pub fn transactions(&self) -> u64 {
        self.board.inner.borrow().i2c.all[self.id].transactions
    }
}

/// Bits on the wire for `ops`, through the NACK if there is one.
fn wire_bits(ops: &[Operation<'_>], nack: Option<Nack>) -> u64 {
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

fn describe(address: u8, ops: &[Operation<'_>], result: &Result<(), ErrorKind>) -> String {
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
    board: Board,
    bus: usize,
}

impl I2c {
    /// Runs the transaction at the device now; returns the result and when the STOP ends.
    fn execute(&self, address: u8, ops: &mut [Operation<'_>]) -> (Result<(), ErrorKind>, u64) {
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
            let mut ctx = I2cContext { start, hz, bits: 0, stretched: 0, device: name, address };
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

    fn blocking(&mut self, address: u8, ops: &mut [Operation<'_>]) -> Result<(), ErrorKind> {
        let (result, end) = self.execute(address, ops);
        crate::block_until(end);
        result
    }
}

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
    mock: embedded_hal_mock::eh1::i2c::Mock,
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

impl Board {
    /// Every device on every I2C bus, once each (a device at several addresses too).
    pub(crate) fn i2c_devices(&self) -> Vec<Rc<RefCell<dyn I2cDevice>>> {
        let b = self.borrow();
        let mut out: Vec<Rc<RefCell<dyn I2cDevice>>> = Vec::new();
        for (_, d) in b.i2c.all.iter().flat_map(|bus| bus.devices.values()) {
            if !out.iter().any(|o| Rc::ptr_eq(o, d)) {
                out.push(d.clone());
            }
        }
        out
    }
}
