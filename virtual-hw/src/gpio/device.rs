//! [`PinDevice`](crate::PinDevice): device models on plain wires.

use super::*;

/// A device model wired to pins, in one file of your own.
///
/// The I2C and SPI buses take models through [`I2cDevice`](crate::i2c::I2cDevice) and
/// [`SpiTarget`](crate::spi::SpiTarget); a part that hangs on plain wires (a logic gate, a
/// one-wire sensor, a keypad matrix, a display on parallel GPIO) implements `PinDevice` and
/// is wired with [`Board::attach_pins`]. It hears every level change of its pins, in that
/// pin's interrupt, and drives its outputs through its [`PinContext`].
///
/// ```
/// use embedded_hal::digital::{InputPin, OutputPin};
/// use fwsim::SimTime;
/// use fwsim_hw::{Board, Drive, Level, PinContext, PinDevice, Pull};
///
/// /// A 74HC1G04 inverter: pin 1 follows the inverse of pin 0, 7 ns later.
/// struct Inverter;
///
/// impl PinDevice for Inverter {
///     fn on_edge(&mut self, ctx: &mut PinContext<'_>, index: usize, level: Level) {
///         if index == 0 {
///             let out = if level == Level::High { Level::Low } else { Level::High };
///             ctx.drive_at(1, ctx.now() + std::time::Duration::from_nanos(7), Some(out));
///         }
///     }
/// }
///
/// fwsim::test(|sim| {
///     let board = Board::new();
///     let mut a = board.output("A", Drive::PushPull, Level::Low);
///     let mut y = board.input("Y", Pull::None);
///     board.attach_pins("U3", &[&a, &y], Inverter);
///     a.set_high().unwrap();
///     sim.run_for(fwsim::ms(1)).unwrap();
///     assert!(y.is_low().unwrap());
///     assert_eq!(board.expect("Y").falls().after(SimTime::ZERO).unwrap(), SimTime::from_nanos(7));
/// });
/// ```
pub trait PinDevice {
    /// Pin `index` (in the order given to [`Board::attach_pins`]) changed to `level`. Runs in
    /// that pin's interrupt; drives made through `ctx` take effect in a later interrupt, so a
    /// model never sees its own output change while it is still handling an input.
    fn on_edge(&mut self, ctx: &mut PinContext<'_>, index: usize, level: Level);

    /// The board lost power and got it back ([`Board::power_cycle`]): as
    /// [`I2cDevice::power_cycle`](crate::i2c::I2cDevice::power_cycle). Keeps everything by
    /// default.
    fn power_cycle(&mut self) {}
}

/// What a [`PinDevice`] may do while it handles an edge: read the time and its pins, drive
/// its pins, report violations.
pub struct PinContext<'a> {
    pub(super) name: &'a str,
    pub(super) pins: &'a [Pin],
}

impl PinContext<'_> {
    /// The virtual time.
    pub fn now(&self) -> SimTime {
        fwsim::now()
    }

    /// The level pin `index`'s net has now, as the part sees it (floating and contention
    /// read low, and, unlike the firmware's reads, are not reported: see [`logic`](Self::logic)).
    pub fn level(&self, index: usize) -> Level {
        if self.logic(index) == Logic::High { Level::High } else { Level::Low }
    }

    /// Pin `index`'s net's resolved level, including floating and contention.
    pub fn logic(&self, index: usize) -> Logic {
        self.pins[index].probe().logic()
    }

    /// Drives pin `index`'s net from `at` on (`None`: stops driving), as the part's output.
    pub fn drive_at(&self, index: usize, at: SimTime, level: Option<Level>) {
        self.pins[index].drive_at(at.max(fwsim::now()), level);
    }

    /// Reports a protocol or timing violation by this part (a
    /// [`Hardware`](fwsim::Diagnostic::Hardware) diagnostic naming it).
    pub fn violation(&self, rule: &'static str, detail: impl Into<String>) {
        fwsim::diag::report_hardware(self.name, rule, detail);
    }
}

impl crate::DeviceContext for PinContext<'_> {
    fn now(&self) -> SimTime {
        fwsim::now()
    }
    fn line_hz(&self) -> Option<u64> {
        None
    }
    fn report(&self, rule: &'static str, detail: String) {
        self.violation(rule, detail);
    }
    fn random_below(&self, n: u64) -> u64 {
        self.pins[0].board.random_below(n)
    }
}

impl Board {
    /// Wires `device` to `pins` (its pin 0, 1, … in this order) and returns it, for the test
    /// to inspect. Attach before the firmware takes the pins.
    pub fn attach_pins<D: PinDevice + 'static>(&self, name: &str, pins: &[&Pin], device: D) -> Rc<RefCell<D>> {
        assert!(!pins.is_empty(), "fwsim-hw: a pin device needs at least one pin");
        let device = Rc::new(RefCell::new(device));
        let own: Rc<[Pin]> = pins.iter().map(|p| Pin { board: self.clone(), id: p.id }).collect();
        let name: Rc<str> = name.into();
        for (index, pin) in own.iter().enumerate() {
            let (device, own, name) = (device.clone(), own.clone(), name.clone());
            pin.on_edge(Edge::Any, move |level| {
                let mut ctx = PinContext { name: &name, pins: &own };
                device.borrow_mut().on_edge(&mut ctx, index, level);
            });
        }
        let kept = device.clone();
        self.borrow().power_hooks.push(Rc::new(move || kept.borrow_mut().power_cycle()));
        device
    }
}
