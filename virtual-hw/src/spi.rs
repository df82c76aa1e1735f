//! SPI: a bus with chip-selected targets, timed from the bus clock.
//!
//! Targets are selected by their chip-select *net* being low: the firmware drives the CS
//! pin itself (through [`SpiBusHandle`], an `embedded_hal::spi::SpiBus`, as
//! embedded-hal-bus's `ExclusiveDevice` does) or lets a [`SpiDeviceHandle`] (an
//! `embedded_hal::spi::SpiDevice`) drive it around each transaction. A byte exchanged with no
//! target selected reads 0xFF (MISO floats high); two targets selected at once is reported
//! (`MultipleSelected`), as their MISO drivers fight.
//!
//! Each byte takes 8 bit times; a target sees every byte at its exact time. The blocking
//! traits spend the transfer as busy time, the async ones wait. Dropping an async transfer
//! after its first poll does not undo it: the target has the bytes (cancel safety as for
//! [I2C](crate::i2c)); a dropped `SpiDevice` transaction still releases its chip select.
//!
//! A part with no model can be stood in for by an embedded-hal-mock transaction list:
//! [`SpiBus::mock_device`].

use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;

use embedded_hal::digital::OutputPin;
use embedded_hal::spi::{ErrorKind, Operation};
use fwsim::{Irq, SimTime};

use crate::bit_time_ns;
use crate::board::Board;
use crate::gpio::{Edge, Pin, Probe};
use crate::signal::{SignalKind, Value};

/// The priority of SPI completion interrupts.
pub const SPI_IRQ_PRIORITY: u8 = 3;

/// What a target knows while it exchanges a byte.
pub struct SpiContext {
    now: SimTime,
    hz: u64,
    device: String,
}

impl SpiContext {
    /// When the byte's last bit is clocked.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The bus clock in Hz.
    pub fn bus_hz(&self) -> u64 {
        self.hz
    }

    /// Reports a protocol or timing violation by this target.
    pub fn violation(&self, rule: &'static str, detail: impl Into<String>) {
        fwsim::diag::report_hardware(self.device.clone(), rule, detail);
    }
}

/// A target on an SPI bus.
pub trait SpiTarget {
    /// Exchanges one byte: `mosi` in, the returned byte out.
    fn exchange(&mut self, ctx: &mut SpiContext, mosi: u8) -> u8;

    /// Chip select was released (a frame ended).
    fn deselected(&mut self) {}

    /// The board lost power and got it back: as [`I2cDevice::power_cycle`](crate::i2c::I2cDevice::power_cycle).
    fn power_cycle(&mut self) {}
}

struct Attached {
    name: String,
    cs: Probe,
    target: Rc<RefCell<dyn SpiTarget>>,
}

struct BusState {
    /// The bus's interrupt (transfer complete).
    irq: Irq,
    name: String,
    hz: u64,
    targets: Vec<Attached>,
    busy_until: u64,
    signal: usize,
}

/// The SPI buses of a board.
#[derive(Default)]
pub(crate) struct SpiBuses {
    all: Vec<BusState>,
}

impl Board {
    /// An SPI bus called `name` clocked at `hz`.
    pub fn spi_bus(&self, name: &str, hz: u32) -> SpiBus {
        assert!(hz > 0, "fwsim-hw: an SPI bus needs a clock");
        let mut b = self.borrow();
        let b = &mut *b;
        let signal = b.rec.add(name, SignalKind::Text);
        let irq = b.allocate_irq(SPI_IRQ_PRIORITY);
        b.spi.all.push(BusState {
            irq,
            name: name.to_string(),
            hz: hz as u64,
            targets: Vec::new(),
            busy_until: 0,
            signal,
        });
        SpiBus { board: self.clone(), id: b.spi.all.len() - 1 }
    }
}

/// An SPI bus: attach targets on chip-select pins and hand out handles.
#[derive(Clone)]
pub struct SpiBus {
    board: Board,
    id: usize,
}

impl SpiBus {
    /// The interrupt its transfers complete on.
    pub fn irq(&self) -> Irq {
        self.board.borrow().spi.all[self.id].irq
    }

    /// Attaches `target`, selected while `cs`'s net is low.
    ///
    /// Returns a handle to the target, for the test to inspect it while it runs.
    pub fn attach<T: SpiTarget + 'static>(&self, cs: &Pin, name: &str, target: T) -> Rc<RefCell<T>> {
        let target = Rc::new(RefCell::new(target));
        self.attach_shared(cs, name, target.clone());
        target
    }

    /// Attaches a target the test keeps a handle to.
    pub fn attach_shared(&self, cs: &Pin, name: &str, target: Rc<RefCell<dyn SpiTarget>>) {
        let t = target.clone();
        cs.on_edge(Edge::Rising, move |_| t.borrow_mut().deselected());
        let mut b = self.board.borrow();
        let bus = &mut b.spi.all[self.id];
        let name = format!("{name} on {}", bus.name);
        bus.targets.push(Attached { name, cs: cs.probe(), target });
    }

    /// A bus handle (`SpiBus`): the firmware drives chip selects itself.
    pub fn handle(&self) -> SpiBusHandle {
        SpiBusHandle { board: self.board.clone(), bus: self.id }
    }

    /// A device whose transactions are checked against (and answered from) an
    /// [embedded-hal-mock](embedded_hal_mock) transaction list, on this bus's clock and
    /// record: a stand-in for a part with no model. Keep a clone of the mock to call
    /// `done()` on.
    ///
    /// ```
    /// use embedded_hal::spi::SpiDevice;
    /// use embedded_hal_mock::eh1::spi::{Mock, Transaction};
    /// use fwsim_hw::Board;
    ///
    /// fwsim::test(|_sim| {
    ///     let board = Board::new();
    ///     let bus = board.spi_bus("SPI0", 1_000_000);
    ///     let mut mock = Mock::new(&[
    ///         Transaction::transaction_start(),
    ///         Transaction::transfer_in_place(vec![0x9F, 0, 0], vec![0, 0xEF, 0x40]),
    ///         Transaction::transaction_end(),
    ///     ]);
    ///     let mut flash = bus.mock_device(mock.clone());
    ///     let mut id = [0x9F, 0, 0];
    ///     flash.transfer_in_place(&mut id).unwrap();
    ///     assert_eq!(id, [0, 0xEF, 0x40]);
    ///     assert_eq!(fwsim::now().as_micros(), 24); // 3 bytes at 1 MHz
    ///     mock.done();
    /// });
    /// ```
    pub fn mock_device(&self, mock: embedded_hal_mock::eh1::spi::Mock<u8>) -> MockSpiDevice {
        MockSpiDevice { bus: self.handle(), mock }
    }

    /// A device handle (`SpiDevice`) that drives `cs` low around each transaction.
    pub fn device(&self, mut cs: Pin) -> SpiDeviceHandle {
        let _ = cs.set_high();
        SpiDeviceHandle { bus: self.handle(), cs }
    }
}

/// An SPI controller: `embedded_hal::spi::SpiBus<u8>`, its async twin, and embedded-hal
/// 0.2's `blocking::spi::{Transfer, Write}`.
#[derive(Clone)]
pub struct SpiBusHandle {
    board: Board,
    bus: usize,
}

impl SpiBusHandle {
    /// Exchanges `write` (padded with 0x00) for `read.len().max(write.len())` bytes; returns
    /// when the last bit ends.
    fn exchange(&self, write: &[u8], mut read: Option<&mut [u8]>) -> u64 {
        let len = write.len().max(read.as_deref().map_or(0, <[u8]>::len));
        let (start, hz, selected, signal) = {
            let b = self.board.inner.borrow();
            let bus = &b.spi.all[self.bus];
            let start = fwsim::now().as_nanos().max(bus.busy_until);
            let selected: Vec<(String, Rc<RefCell<dyn SpiTarget>>)> =
                bus.targets.iter().filter(|t| !t.cs.is_high()).map(|t| (t.name.clone(), t.target.clone())).collect();
            (start, bus.hz, selected, bus.signal)
        };
        if selected.len() > 1 {
            let names: Vec<&str> = selected.iter().map(|s| s.0.as_str()).collect();
            fwsim::diag::report_hardware(
                names.join(" + "),
                "MultipleSelected",
                "two chip selects are low at once: their MISO drivers fight",
            );
        }
        let mut miso = Vec::with_capacity(len);
        for i in 0..len {
            let mosi = write.get(i).copied().unwrap_or(0);
            let now = SimTime(start + bit_time_ns(8 * (i as u64 + 1), hz));
            let byte = match selected.first() {
                Some((name, target)) => {
                    let mut ctx = SpiContext { now, hz, device: name.clone() };
                    target.borrow_mut().exchange(&mut ctx, mosi)
                }
                None => 0xff,
            };
            miso.push(byte);
            if let Some(r) = read.as_deref_mut()
                && i < r.len()
            {
                r[i] = byte;
            }
        }
        let end = start + bit_time_ns(8 * len as u64, hz);
        let mut b = self.board.borrow();
        let b = &mut *b;
        b.spi.all[self.bus].busy_until = end;
        let hex = |v: &[u8]| v.iter().map(|x| format!("{x:02X}")).collect::<Vec<_>>().join(" ");
        let text = format!("MOSI[{}] MISO[{}]", hex(&write[..write.len().min(len)]), hex(&miso));
        b.rec.record(signal, Value::Text(text));
        end
    }

    fn block_until(end: u64) {
        crate::block_until(end)
    }

    async fn wait_until(&self, end: u64) {
        let irq = self.board.borrow().spi.all[self.bus].irq;
        crate::wait_until(end, irq).await
    }

    /// Runs one `SpiDevice` operation on the bus; returns when it ends.
    fn operation(&self, op: &mut Operation<'_, u8>) -> u64 {
        match op {
            Operation::Read(r) => self.exchange(&[], Some(r)),
            Operation::Write(w) => self.exchange(w, None),
            Operation::Transfer(r, w) => self.exchange(w, Some(r)),
            Operation::TransferInPlace(words) => {
                let out = words.to_vec();
                self.exchange(&out, Some(words))
            }
            Operation::DelayNs(ns) => fwsim::now().as_nanos() + *ns as u64,
        }
    }
}

impl embedded_hal::spi::ErrorType for SpiBusHandle {
    type Error = ErrorKind;
}

impl embedded_hal::spi::SpiBus for SpiBusHandle {
    fn read(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(&[], Some(words)));
        Ok(())
    }
    fn write(&mut self, words: &[u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(words, None));
        Ok(())
    }
    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(write, Some(read)));
        Ok(())
    }
    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        let out = words.to_vec();
        Self::block_until(self.exchange(&out, Some(words)));
        Ok(())
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl embedded_hal_async::spi::SpiBus for SpiBusHandle {
    async fn read(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        let end = self.exchange(&[], Some(words));
        self.wait_until(end).await;
        Ok(())
    }
    async fn write(&mut self, words: &[u8]) -> Result<(), ErrorKind> {
        let end = self.exchange(words, None);
        self.wait_until(end).await;
        Ok(())
    }
    async fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), ErrorKind> {
        let end = self.exchange(write, Some(read));
        self.wait_until(end).await;
        Ok(())
    }
    async fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        let out = words.to_vec();
        let end = self.exchange(&out, Some(words));
        self.wait_until(end).await;
        Ok(())
    }
    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl embedded_hal_02::blocking::spi::Write<u8> for SpiBusHandle {
    type Error = ErrorKind;
    fn write(&mut self, words: &[u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(words, None));
        Ok(())
    }
}

impl embedded_hal_02::blocking::spi::Transfer<u8> for SpiBusHandle {
    type Error = ErrorKind;
    fn transfer<'w>(&mut self, words: &'w mut [u8]) -> Result<&'w [u8], ErrorKind> {
        let out = words.to_vec();
        Self::block_until(self.exchange(&out, Some(words)));
        Ok(words)
    }
}

/// An SPI device: `embedded_hal::spi::SpiDevice` (and async) that asserts its chip select
/// for each transaction.
pub struct SpiDeviceHandle {
    bus: SpiBusHandle,
    cs: Pin,
}

/// Releases chip select even if the transaction's future is dropped.
struct Release<'a>(&'a mut Pin);

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

/// An embedded-hal-mock SPI device on a simulated bus. See [`SpiBus::mock_device`].
pub struct MockSpiDevice {
    bus: SpiBusHandle,
    mock: embedded_hal_mock::eh1::spi::Mock<u8>,
}

impl MockSpiDevice {
    /// Takes the bus for the transaction's bytes and records it; returns when it ends.
    fn clock(&self, operations: &[Operation<'_, u8>]) -> u64 {
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

impl Board {
    /// Every target on every SPI bus, once each.
    pub(crate) fn spi_targets(&self) -> Vec<Rc<RefCell<dyn SpiTarget>>> {
        let b = self.borrow();
        let mut out: Vec<Rc<RefCell<dyn SpiTarget>>> = Vec::new();
        for a in b.spi.all.iter().flat_map(|bus| bus.targets.iter()) {
            if !out.iter().any(|o| Rc::ptr_eq(o, &a.target)) {
                out.push(a.target.clone());
            }
        }
        out
    }
}
