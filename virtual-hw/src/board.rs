//! The board: one shared state behind every peripheral handle.

use std::cell::{RefCell, RefMut};
use std::io;
use std::path::Path;
use std::rc::Rc;

use fwsim::Irq;
use fwsim::rng::SimRng;

use crate::gpio::Gpio;
use crate::i2c::I2cBuses;
use crate::signal::{Recorder, Signals};
use crate::spi::SpiBuses;
use crate::uart::Uarts;

/// A simulated board: the factory for pins, nets, buttons, UARTs and buses, and the keeper of
/// their signal record.
///
/// A board belongs to the simulation that is current when it is built (its seed drives
/// contact bounce and injected faults) and is used on that simulation's thread. Handles are
/// cheap: each holds a reference to the board's shared state. Stimuli (`press_at`, `send_at`)
/// are interrupt handlers scheduled on that simulation, so build and stimulate the board
/// where the simulation is current: inside [`fwsim::test`](fn@fwsim::test), a task, or after
/// [`Sim::enter`](fwsim::Sim::enter).
///
/// Every pin, bus, UART (`name.tx`, `name.rx`) and PWM channel records a signal under its
/// name, and [`expect`](Board::expect), [`signals`](Board::signals) and the VCD find signals
/// by name: making a second one of a name already taken panics, at the line that makes it.
///
/// ```
/// use fwsim_hw::{Board, Level, Pull};
/// use embedded_hal::digital::InputPin;
///
/// fwsim::test(|sim| {
///     let board = Board::new();
///     let mut key = board.input("KEY", Pull::Up);
///     let button = board.button("B1", &key, Level::Low);
///     button.press_at(fwsim::SimTime::from_millis(10));
///     sim.run_for(fwsim::ms(20)).unwrap();
///     assert!(key.is_low().unwrap());
/// });
/// ```
#[derive(Clone)]
pub struct Board {
    pub(crate) inner: Rc<RefCell<Inner>>,
}

pub(crate) struct Inner {
    pub(crate) rec: Recorder,
    pub(crate) rng: SimRng,
    pub(crate) gpio: Gpio,
    pub(crate) uarts: Uarts,
    pub(crate) i2c: I2cBuses,
    pub(crate) spi: SpiBuses,
    /// Interrupt numbers handed out so far.
    pub(crate) irqs: u16,
    /// The PWM channels, by name: what [`Board::reclaim_pwm`] hands out again.
    pub(crate) pwms: Vec<crate::analog::PwmState>,
    /// What else a power cycle does (parts that are not on a bus: flash, watchdog).
    pub(crate) power_hooks: Vec<Rc<dyn Fn()>>,
    /// Why the MCU last started, and a reset asked for (see `reset`).
    pub(crate) reset: crate::reset::ResetState,
}

/// The first interrupt number a board hands out. Numbers below belong to the timer alarm (0)
/// and tests' own handlers.
pub const FIRST_BOARD_IRQ: u16 = 1000;

impl Board {
    /// A board on the current simulation, seeded from its seed. Panics outside a simulation.
    pub fn new() -> Self {
        // A fixed offset keeps the board's stream apart from the policies' (also seeded).
        let seed = fwsim::seed() ^ 0xb0a2_d5ee_d000_0001;
        let board = Board {
            inner: Rc::new(RefCell::new(Inner {
                rec: Recorder::default(),
                rng: SimRng::new(seed),
                gpio: Gpio::default(),
                uarts: Uarts::default(),
                i2c: I2cBuses::default(),
                spi: SpiBuses::default(),
                irqs: 0,
                power_hooks: Vec::new(),
                pwms: Vec::new(),
                reset: Default::default(),
            })),
        };
        // A failing `fwsim::test` leaves the board's waveform and signal log beside the trace,
        // even when the body's board was dropped as its panic unwound: the simulation keeps
        // the record until it shuts down (the board holds nothing of the simulation, so this
        // makes no cycle).
        let kept = board.clone();
        fwsim::SimHandle::current().add_artifact("board", move |dir| kept.write_artifacts(dir));
        board
    }

    /// Cuts the power and restores it, now: every device model forgets its volatile state
    /// (registers, display RAM, a transfer under way) and keeps its non-volatile memory
    /// (EEPROM, flash), with busy times counted from this power-on; the UARTs' receive FIFOs
    /// empty. The firmware restarts too, which the board cannot do for you: abort its tasks
    /// ([`Sim::abort_all`](fwsim::Sim::abort_all)) and boot it again on pins, UARTs and PWM
    /// channels taken back with [`reclaim_pin`](Board::reclaim_pin),
    /// [`reclaim_uart`](Board::reclaim_uart) and [`reclaim_pwm`](Board::reclaim_pwm).
    /// The cycle is a mark (`power_cycle`) in the trace, and the next boot's
    /// [reset cause](Board::reset_cause) is the power.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use fwsim_hw::{Board, devices::Eeprom24, i2c::I2cDevice};
    ///
    /// fwsim::test(|sim| {
    ///     let board = Board::new();
    ///     let eeprom = Rc::new(RefCell::new(Eeprom24::c02()));
    ///     eeprom.borrow_mut().load(0, b"cfg");
    ///     board.i2c_bus("I2C0", 100_000).attach_shared(0x50, "eeprom", eeprom.clone());
    ///     board.power_cycle();
    ///     assert_eq!(&eeprom.borrow().memory()[..3], b"cfg", "non-volatile");
    /// });
    /// ```
    pub fn power_cycle(&self) {
        let (devices, targets) = (self.i2c_devices(), self.spi_targets());
        for d in devices {
            d.borrow_mut().power_cycle();
        }
        for t in targets {
            t.borrow_mut().power_cycle();
        }
        self.uart_power_cycle();
        let hooks = self.borrow().power_hooks.clone();
        for hook in hooks {
            hook();
        }
        self.reset_on_power_up();
        fwsim::mark("power_cycle", 0);
    }

    /// Writes the board's record into `dir`: `board.vcd` (the waveform) and `signals.txt`
    /// (every change, one line each: time, signal, value).
    pub fn write_artifacts(&self, dir: &Path) -> io::Result<()> {
        self.write_vcd(&dir.join("board.vcd"))?;
        let signals = self.signals();
        let mut log = String::new();
        if signals.dropped > 0 {
            log.push_str(&format!("# the {} earliest changes were dropped (signal record limit)\n", signals.dropped));
        }
        for c in &signals.changes {
            let value = match &c.value {
                crate::signal::Value::Logic(l) => format!("{l:?}"),
                crate::signal::Value::Text(t) => t.clone(),
            };
            log.push_str(&format!("{}  {} = {value}\n", c.at, signals.names[c.signal].0));
        }
        std::fs::write(dir.join("signals.txt"), log)
    }

    /// A new interrupt source at `priority`: a number no other source of this board has
    /// (every pin, button, UART and bus takes one when it is created), for device models of
    /// your own. Numbers count up from [`FIRST_BOARD_IRQ`]. The board's own parts name their
    /// sources in the trace; [`fwsim::isr::name`] names yours.
    pub fn allocate_irq(&self, priority: u8) -> Irq {
        self.borrow().allocate_irq(priority)
    }

    /// A number below `n` (at least 1) from the board's seeded stream, for device contexts.
    pub(crate) fn random_below(&self, n: u64) -> u64 {
        self.borrow().rng.below(n.max(1))
    }

    pub(crate) fn borrow(&self) -> RefMut<'_, Inner> {
        self.inner.borrow_mut()
    }

    /// A delay for firmware: embedded-hal 1.0 `DelayNs` (blocking: busy time), its async
    /// twin (a timer), and embedded-hal 0.2 `DelayMs`/`DelayUs`. The same as [`fwsim::Delay`].
    pub fn delay(&self) -> fwsim::Delay {
        fwsim::Delay
    }

    /// A copy of the signal record so far.
    pub fn signals(&self) -> Signals {
        self.inner.borrow().rec.signals.clone()
    }

    /// Keeps only about the latest `limit` signal changes (between `limit` and 1.25 × `limit`),
    /// counting the dropped ones in [`Signals::dropped`], so that a long run stays in bounded
    /// memory; `None` (the default) keeps every change. VCD and `signals.txt` then start at
    /// the earliest change kept, and say how many were dropped.
    pub fn set_signal_limit(&self, limit: Option<usize>) {
        self.borrow().rec.limit = limit.map(|l| l.max(1));
    }

    /// Writes the signal record as a VCD file (see [`signal`](crate::signal)).
    pub fn write_vcd(&self, path: &Path) -> io::Result<()> {
        let file = io::BufWriter::new(std::fs::File::create(path)?);
        self.inner.borrow().rec.signals.write_vcd(file)
    }
}

impl Default for Board {
    fn default() -> Self {
        Board::new()
    }
}

impl Inner {
    pub(crate) fn allocate_irq(&mut self, priority: u8) -> Irq {
        let number = FIRST_BOARD_IRQ
            .checked_add(self.irqs)
            .expect("fwsim-hw: a board ran out of interrupt numbers (64,535 sources)");
        self.irqs += 1;
        Irq::new(priority, number)
    }

    /// [`allocate_irq`](Self::allocate_irq) for the part called `name`, which the trace and
    /// the reports then name with it (`irq1004 (UART0)`).
    pub(crate) fn allocate_named_irq(&mut self, priority: u8, name: &str) -> Irq {
        let irq = self.allocate_irq(priority);
        fwsim::isr::name(irq, name);
        irq
    }
}

/// The index of the part called `name` among `names` (a board's pins, UARTs or PWM channels,
/// each a `kind`); panics at the caller's line, naming them all, if none is called `name`.
#[track_caller]
pub(crate) fn index_named<'a>(names: impl Iterator<Item = &'a str>, name: &str, kind: &str) -> usize {
    let names: Vec<&str> = names.collect();
    match names.iter().position(|n| *n == name) {
        Some(i) => i,
        None => panic!("fwsim-hw: the board has no {kind} called `{name}`; its {kind}s: {}", names.join(", ")),
    }
}
