//! Buses on the board: making them and attaching targets behind chip selects.

use super::*;

pub(super) struct Attached {
    pub(super) name: String,
    pub(super) cs: Probe,
    pub(super) target: Rc<RefCell<dyn SpiTarget>>,
}

pub(super) struct BusState {
    /// The bus's interrupt (transfer complete).
    pub(super) irq: Irq,
    pub(super) name: String,
    pub(super) hz: u64,
    pub(super) targets: Vec<Attached>,
    pub(super) busy_until: u64,
    pub(super) signal: usize,
}

/// The SPI buses of a board.
#[derive(Default)]
pub(crate) struct SpiBuses {
    pub(super) all: Vec<BusState>,
}

impl Board {
    /// An SPI bus called `name` clocked at `hz`.
    #[track_caller]
    pub fn spi_bus(&self, name: &str, hz: u32) -> SpiBus {
        assert!(hz > 0, "fwsim-hw: an SPI bus needs a clock");
        let mut b = self.borrow();
        let b = &mut *b;
        let signal = b.rec.add(name, SignalKind::Text);
        let irq = b.allocate_named_irq(SPI_IRQ_PRIORITY, name);
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
    pub(super) board: Board,
    pub(super) id: usize,
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
