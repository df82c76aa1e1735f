//! [`App`]: firmware plus the host wiring that puts it on a simulated board, and its [`Parts`].

use std::collections::BTreeMap;

use fwsim::Sim;
use fwsim_hw::display::Image;
use fwsim_hw::i2c::I2cBus;
use fwsim_hw::uart::UartPeer;
use fwsim_hw::{Board, Button, Curve, Probe};

/// Firmware plus the host wiring that puts it on a simulated board.
///
/// A scenario names an app (`app: thermostat`) and addresses the board through the app's
/// *parts* (`part-id: units`). An [`App`] says which parts it has ([`App::parts`], enough to
/// check a scenario without running it) and, when a scenario runs, builds the board and hands
/// back a [`Parts`] with the live handle of every part and how the firmware boots
/// ([`Parts::boot`]): the runner boots it then, and again after each `power-cycle: true`.
///
/// ```
/// use fwsim::Sim;
/// use fwsim_hw::{Board, Drive, Level};
/// use fwsim_scenario::{App, PartInfo, PartKind, Parts};
///
/// /// Firmware that lights its LED after one second.
/// struct Late;
///
/// impl App for Late {
///     fn name(&self) -> &str { "late" }
///     fn about(&self) -> &str { "lights the LED after a second" }
///     fn parts(&self) -> Vec<PartInfo> {
///         vec![PartInfo::new("led", PartKind::Pin, "the LED")]
///     }
///     fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
///         let led = board.output("LED", Drive::PushPull, Level::Low);
///         let mut parts = Parts::new();
///         parts.pin("led", led.probe());
///         let board = board.clone();
///         parts.boot(move |sim| {
///             // The firmware takes its pin as the wiring made it, at every boot.
///             let mut led = board.reclaim_pin("LED");
///             sim.spawn("late", async move {
///                 embassy_time::Timer::after_secs(1).await;
///                 embedded_hal::digital::OutputPin::set_high(&mut led).unwrap();
///             });
///         });
///         parts
///     }
/// }
///
/// // A scenario for it, checked against its parts and run: the LED lights a second after
/// // each boot, and the power cut darkens it.
/// let yaml = "steps:
///   - expect-pin: { part-id: led, value: 1, within: 2s }
///   - power-cycle: true
///   - expect-pin: { part-id: led, value: 0 }
///   - expect-pin: { part-id: led, value: 1, within: 2s }
/// ";
/// let scenario = fwsim_scenario::parse("late.yaml".as_ref(), yaml, &[&Late], Some("late")).unwrap();
/// let report = fwsim_scenario::run(&scenario, &Late, &Default::default());
/// assert!(report.passed(), "{}", report.human(true));
/// assert_eq!(report.steps[0].end_ns, 1_000_000_000);
/// assert_eq!(report.steps[3].end_ns, 2_000_000_000);
/// ```
pub trait App: Send + Sync {
    /// The name scenarios use (`app: thermostat`).
    fn name(&self) -> &str;
    /// One line for `fwsim list`.
    fn about(&self) -> &str;
    /// Every part a scenario may address. [`start`](App::start) must return exactly these.
    fn parts(&self) -> Vec<PartInfo>;
    /// Builds the board's parts on `board` and returns their handles, with how the firmware
    /// boots ([`Parts::boot`]). Called inside the simulation, at time zero. (Spawning the
    /// firmware here on `sim` works too, but such an app cannot take `power-cycle: true`.)
    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts;
    /// What running code costs on the board this app stands for ([`fwsim::CostModel`]):
    /// virtual time charged per poll and per wake. `None` (the default): code takes no time.
    fn cost(&self) -> Option<fwsim::CostModel> {
        None
    }
}

/// What kind of part a name stands for: which steps accept it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// A pin or an LED: `expect-pin`.
    Pin,
    /// A push button: `set-control` (`pressed`), `press`, the `bounce` parameter.
    Button,
    /// A UART's far end: `wait-serial`, `write-serial`, `serial-error`.
    Serial,
    /// A display: `take-screenshot`.
    Display,
    /// A sensor with these quantities: `set-sensor`, `set-control`, part parameters.
    Sensor(&'static [&'static str]),
    /// An I2C bus: `i2c-fault`.
    I2cBus,
    /// A rotary encoder's two contacts: `turn`.
    Encoder,
    /// A character display: `expect-text`.
    TextDisplay,
    /// A line the scenario drives into the board (an interrupt line, a contact, a data-ready
    /// signal): `drive-pin`, `pulse-pin`.
    Line,
}

impl PartKind {
    /// The kind in words, for messages and `fwsim list`: `sensor (temperature, humidity)`.
    pub fn describe(&self) -> String {
        match self {
            PartKind::Sensor(q) => format!("sensor ({})", q.join(", ")),
            other => other.describe_plain().to_string(),
        }
    }

    /// The kind without its details (`sensor`, not `sensor (temperature)`).
    pub fn describe_plain(&self) -> &'static str {
        match self {
            PartKind::Pin => "pin",
            PartKind::Button => "button",
            PartKind::Serial => "serial port",
            PartKind::Display => "display",
            PartKind::Sensor(_) => "sensor",
            PartKind::I2cBus => "I2C bus",
            PartKind::Encoder => "rotary encoder",
            PartKind::TextDisplay => "character display",
            PartKind::Line => "input line",
        }
    }

    /// Whether two kinds are the same, whatever a sensor's quantities.
    pub(crate) fn same_kind(&self, other: &PartKind) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// A part's name, kind and a line about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartInfo {
    /// The name scenarios use.
    pub id: &'static str,
    /// Its kind.
    pub kind: PartKind,
    /// What it is on the board (`BME280 at 0x76 on I2C0`).
    pub about: &'static str,
}

impl PartInfo {
    /// A part.
    pub const fn new(id: &'static str, kind: PartKind, about: &'static str) -> Self {
        PartInfo { id, kind, about }
    }
}

/// How a scenario sets a sensor quantity: the quantity's name and its curve (absolute times).
pub type SensorSetter = Box<dyn Fn(&str, Curve)>;

/// A part's live handle.
pub enum Part {
    /// A pin's level.
    Pin(Probe),
    /// A button.
    Button(Button),
    /// The far end of a UART.
    Serial(UartPeer),
    /// What a display shows now.
    Display(Box<dyn Fn() -> Image>),
    /// Sets a quantity (one of the kind's) to a curve.
    Sensor(SensorSetter),
    /// An I2C bus.
    I2cBus(I2cBus),
    /// A rotary encoder: its A and B contacts (each closes to ground).
    Encoder(Button, Button),
    /// What a character display shows now, row by row.
    TextDisplay(Box<dyn Fn() -> Vec<String>>),
    /// A pin on the line's net whose [`drive`](fwsim_hw::Pin::drive) is the scenario's.
    Line(fwsim_hw::Pin),
}

impl Part {
    /// Its kind (a sensor's quantities left empty).
    fn kind(&self) -> PartKind {
        match self {
            Part::Pin(_) => PartKind::Pin,
            Part::Button(_) => PartKind::Button,
            Part::Serial(_) => PartKind::Serial,
            Part::Display(_) => PartKind::Display,
            Part::Sensor(_) => PartKind::Sensor(&[]),
            Part::I2cBus(_) => PartKind::I2cBus,
            Part::Encoder(..) => PartKind::Encoder,
            Part::TextDisplay(_) => PartKind::TextDisplay,
            Part::Line(_) => PartKind::Line,
        }
    }
}

/// How an app's firmware boots: see [`Parts::boot`].
type Boot = Box<dyn for<'s> Fn(&'s Sim<'s>)>;

/// The live parts of a started app, by name, and how its firmware boots.
#[derive(Default)]
pub struct Parts {
    map: BTreeMap<String, Part>,
    boot: Option<Boot>,
}

impl Parts {
    /// No parts yet.
    pub fn new() -> Self {
        Parts::default()
    }

    /// Adds a pin (or an LED's pin).
    pub fn pin(&mut self, id: &str, probe: Probe) -> &mut Self {
        self.add(id, Part::Pin(probe))
    }

    /// Adds a button.
    pub fn button(&mut self, id: &str, button: Button) -> &mut Self {
        self.add(id, Part::Button(button))
    }

    /// Adds a UART's far end.
    pub fn serial(&mut self, id: &str, peer: UartPeer) -> &mut Self {
        self.add(id, Part::Serial(peer))
    }

    /// Adds a display, read through `panel` when a screenshot is taken.
    pub fn display(&mut self, id: &str, panel: impl Fn() -> Image + 'static) -> &mut Self {
        self.add(id, Part::Display(Box::new(panel)))
    }

    /// Adds a sensor; `set` receives a quantity's name and its new curve.
    pub fn sensor(&mut self, id: &str, set: impl Fn(&str, Curve) + 'static) -> &mut Self {
        self.add(id, Part::Sensor(Box::new(set)))
    }

    /// Adds an I2C bus.
    pub fn i2c_bus(&mut self, id: &str, bus: I2cBus) -> &mut Self {
        self.add(id, Part::I2cBus(bus))
    }

    /// Adds a rotary encoder: the buttons that are its A and B contacts (A leads B when the
    /// knob turns clockwise, a positive `turn`).
    pub fn encoder(&mut self, id: &str, a: Button, b: Button) -> &mut Self {
        self.add(id, Part::Encoder(a, b))
    }

    /// Adds a character display, read through `rows` when a step looks at it.
    pub fn text_display(&mut self, id: &str, rows: impl Fn() -> Vec<String> + 'static) -> &mut Self {
        self.add(id, Part::TextDisplay(Box::new(rows)))
    }

    /// Adds a line the scenario drives: `source` is a pin on the firmware pin's net (joined by
    /// [`Board::jumper`]), standing for whatever outside the MCU drives it.
    pub fn line(&mut self, id: &str, source: fwsim_hw::Pin) -> &mut Self {
        self.add(id, Part::Line(source))
    }

    /// How the firmware boots: spawns its tasks on pins, UARTs and PWM channels it takes from
    /// the board with [`Board::reclaim_pin`], [`Board::reclaim_uart`] and
    /// [`Board::reclaim_pwm`] (as the wiring made them), and on buses, executors and the
    /// board captured by clone. The runner calls it once the parts are built, and again after
    /// each `power-cycle: true` step and each watchdog bite, when the firmware that ran before
    /// is gone ([`Sim::abort_all`]), as a board boots after a reset; the boot can read why it
    /// runs from [`Board::reset_cause`]. An app that spawns its firmware in [`App::start`]
    /// instead runs the same until such a step or bite, which it fails: nothing says how its
    /// firmware boots again.
    pub fn boot(&mut self, boot: impl for<'s> Fn(&'s Sim<'s>) + 'static) -> &mut Self {
        self.boot = Some(Box::new(boot));
        self
    }

    /// Whether the app said how its firmware boots.
    pub(crate) fn boots(&self) -> bool {
        self.boot.is_some()
    }

    /// Boots the firmware, if the app said how; the panic's message if the boot panicked.
    pub(crate) fn run_boot<'s>(&self, sim: &'s Sim<'s>) -> Result<(), String> {
        let Some(boot) = &self.boot else { return Ok(()) };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| boot(sim))).map_err(|p| fwsim::panic_message(&*p))
    }

    fn add(&mut self, id: &str, part: Part) -> &mut Self {
        let previous = self.map.insert(id.to_string(), part);
        assert!(previous.is_none(), "fwsim-scenario: the app added part `{id}` twice");
        self
    }

    /// The part named `id`.
    pub fn get(&self, id: &str) -> Option<&Part> {
        self.map.get(id)
    }

    /// Every part, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Part)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Checks that these are exactly the parts `declared` (an app bug otherwise).
    pub fn check_against(&self, declared: &[PartInfo]) -> Result<(), String> {
        for info in declared {
            match self.map.get(info.id) {
                None => return Err(format!("the app declares part `{}` but did not build it", info.id)),
                Some(p) if !p.kind().same_kind(&info.kind) => {
                    return Err(format!(
                        "the app declares `{}` as a {} but built a {}",
                        info.id,
                        info.kind.describe(),
                        p.kind().describe_plain()
                    ));
                }
                Some(_) => {}
            }
        }
        match self.map.keys().find(|k| !declared.iter().any(|d| d.id == k.as_str())) {
            Some(extra) => Err(format!("the app built part `{extra}` but does not declare it")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_must_build_exactly_the_parts_it_declares() {
        let declared = [PartInfo::new("led", PartKind::Pin, "the LED")];
        assert_eq!(
            Parts::new().check_against(&declared),
            Err("the app declares part `led` but did not build it".into())
        );
        fwsim::scope(fwsim::SimConfig::new(), |_| {
            let board = Board::new();
            let pin = board.output("LED", fwsim_hw::Drive::PushPull, fwsim_hw::Level::Low);
            let mut parts = Parts::new();
            parts.pin("led", pin.probe());
            assert_eq!(parts.check_against(&declared), Ok(()));
            let as_button = [PartInfo::new("led", PartKind::Button, "")];
            assert_eq!(
                parts.check_against(&as_button),
                Err("the app declares `led` as a button but built a pin".into())
            );
            assert_eq!(parts.check_against(&[]), Err("the app built part `led` but does not declare it".into()));
        });
    }
}
