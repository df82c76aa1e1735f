//! Buses on the board: making them, attaching devices, injecting faults.

use super::*;

pub(super) struct BusState {
    /// The bus's interrupt (transfer complete).
    pub(super) irq: Irq,
    pub(super) name: String,
    pub(super) hz: u64,
    pub(super) devices: BTreeMap<u8, (String, Rc<RefCell<dyn I2cDevice>>)>,
    pub(super) busy_until: u64,
    pub(super) faults: Vec<(SimTime, I2cFault)>,
    pub(super) stuck_until: u64,
    pub(super) random: Option<u32>,
    pub(super) signal: usize,
    pub(super) transactions: u64,
}

/// The I2C buses of a board.
#[derive(Default)]
pub(crate) struct I2cBuses {
    pub(super) all: Vec<BusState>,
}

impl Board {
    /// An I2C bus called `name` clocked at `hz`.
    #[track_caller]
    pub fn i2c_bus(&self, name: &str, hz: u32) -> I2cBus {
        assert!(hz > 0, "fwsim-hw: an I2C bus needs a clock");
        let mut b = self.borrow();
        let b = &mut *b;
        let signal = b.rec.add(name, SignalKind::Text);
        let irq = b.allocate_named_irq(I2C_IRQ_PRIORITY, name);
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
    pub(super) board: Board,
    pub(super) id: usize,
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
