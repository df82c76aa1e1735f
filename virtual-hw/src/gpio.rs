//! GPIO: pins wired into nets, with drivers, pulls, buttons, jumpers and LEDs.
//!
//! Every pin sits on a **net**. A net's level is resolved from everything attached to it,
//! strongest first:
//!
//! 1. *strong* drivers: push-pull outputs (high or low), open-drain outputs that pull low,
//!    closed buttons (to their rail), external drive from a test ([`Pin::drive_at`]);
//! 2. *weak* pulls: a pin's pull-up or pull-down (in any mode);
//! 3. nothing: the net **floats**.
//!
//! A high and a low strong driver on one net is **contention** (a short circuit on a board):
//! reported as a [`Hardware`](fwsim::Diagnostic::Hardware) diagnostic with rule `Contention`
//! and shown as `x` in the VCD. Reading a floating net reports `FloatingRead` (once per
//! floating spell) and reads low; a floating net is `z` in the VCD. Both read as low.
//!
//! [`Board::jumper`] joins two pins' nets (an output looped back to an input); a
//! [`Button`] closes a net to a rail, with optional seeded contact [`Bounce`]; an [`Led`]
//! watches a net.
//!
//! ## Waiting and interrupts
//!
//! [`Pin`] implements `embedded_hal_async::digital::Wait` as embassy's HALs do: an edge
//! counts only while a wait is armed (an edge before the first poll is missed), and
//! `wait_for_high` on a high pin returns at once. Dropping a wait future disarms it.
//! Level changes reach waiters and [`Pin::on_edge`] handlers in interrupt context: a change
//! caused by a task (a write to a jumpered output) raises the pin's interrupt, which runs at
//! the point of the write (or when the task's critical section ends); a change from a
//! stimulus runs in the stimulus's own scheduled interrupt.
//!
//! ```
//! use embedded_hal::digital::OutputPin;
//! use embedded_hal_async::digital::Wait;
//! use fwsim_hw::{Board, Drive, Level, Pull};
//!
//! fwsim::test(|sim| {
//!     let board = Board::new();
//!     let mut out = board.output("OUT", Drive::PushPull, Level::Low);
//!     let mut input = board.input("IN", Pull::None);
//!     board.jumper(&out, &input);
//!     let waiter = sim.spawn("waiter", async move {
//!         input.wait_for_rising_edge().await.unwrap();
//!         fwsim::now()
//!     });
//!     sim.spawn("driver", async move {
//!         embassy_time::Timer::after_millis(3).await;
//!         out.set_high().unwrap();
//!     });
//!     sim.run_for(fwsim::ms(5)).unwrap();
//!     assert_eq!(sim.join(waiter).unwrap(), fwsim::SimTime::from_millis(3));
//! });
//! ```

use std::convert::Infallible;
use std::rc::Rc;
use std::task::{Poll, Waker};

use fwsim::{IntoNanos, Irq, SimTime};

use crate::board::Board;
use crate::signal::{Logic, SignalKind, Value};

/// The priority of GPIO interrupts (lower runs first at one instant; the time driver is 0).
pub const GPIO_IRQ_PRIORITY: u8 = 2;

/// A digital level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Low.
    Low,
    /// High.
    High,
}

impl Level {
    /// The other level.
    pub fn flip(self) -> Level {
        match self {
            Level::Low => Level::High,
            Level::High => Level::Low,
        }
    }
    fn logic(self) -> Logic {
        match self {
            Level::Low => Logic::Low,
            Level::High => Logic::High,
        }
    }
}

impl From<bool> for Level {
    fn from(high: bool) -> Self {
        if high { Level::High } else { Level::Low }
    }
}

/// A pin's internal pull resistor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pull {
    /// None.
    #[default]
    None,
    /// Pull-up.
    Up,
    /// Pull-down.
    Down,
}

/// How an output drives its pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// Drives both levels.
    PushPull,
    /// Drives low; releases the pin for high (a pull must hold it up).
    OpenDrain,
}

/// Which edges an interrupt handler wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// Low to high.
    Rising,
    /// High to low.
    Falling,
    /// Either.
    Any,
}

impl Edge {
    fn matches(self, to: Level) -> bool {
        matches!((self, to), (Edge::Any, _) | (Edge::Rising, Level::High) | (Edge::Falling, Level::Low))
    }
}

/// Contact bounce: on each press or release the contact chatters a seeded number of times
/// within `window` before it settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounce {
    /// How long the chatter lasts.
    pub window: core::time::Duration,
    /// The most extra open/close pairs in one burst (at least one is drawn if non-zero).
    pub max_pairs: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Input,
    Output(Drive),
}

#[derive(Clone, Copy)]
enum Want {
    Level(Level),
    Edge(Edge),
}

struct Waiter {
    want: Want,
    waker: Waker,
    fired: bool,
}

/// An interrupt handler for a pin's edges, called with the new level.
type EdgeHandler = Rc<dyn Fn(Level)>;

struct PinState {
    name: String,
    net: usize,
    mode: Mode,
    pull: Pull,
    /// The output latch (ODR): what an output drives, kept while the pin is an input.
    latch: Level,
    signal: usize,
    /// The level last put on record for this pin (a jumper can join it to a net at another
    /// level).
    recorded: Logic,
    waiters: Vec<Option<Waiter>>,
    handlers: Vec<(Edge, EdgeHandler)>,
    /// The pin's interrupt (its edges, `drive_at`).
    irq: Irq,
}

struct NetState {
    level: Logic,
    pins: Vec<usize>,
    buttons: Vec<usize>,
    external: Option<Level>,
    floating_reported: bool,
}

struct ButtonState {
    name: String,
    net: usize,
    rail: Level,
    closed: bool,
    bounce: Option<Bounce>,
    /// The button's interrupt (its scheduled presses and releases).
    irq: Irq,
}

/// The GPIO part of a board.
#[derive(Default)]
pub(crate) struct Gpio {
    write_cost_ns: u64,
    pins: Vec<PinState>,
    nets: Vec<NetState>,
    buttons: Vec<ButtonState>,
}

impl Gpio {
    fn resolve(&self, net: usize) -> Logic {
        let n = &self.nets[net];
        let (mut strong_hi, mut strong_lo, mut weak_hi, mut weak_lo) = (false, false, false, false);
        let mut drive = |l: Level| match l {
            Level::High => strong_hi = true,
            Level::Low => strong_lo = true,
        };
        for &p in &n.pins {
            let pin = &self.pins[p];
            match (pin.mode, pin.latch) {
                (Mode::Output(Drive::PushPull), l) => drive(l),
                (Mode::Output(Drive::OpenDrain), Level::Low) => drive(Level::Low),
                _ => {}
            }
            match pin.pull {
                Pull::Up => weak_hi = true,
                Pull::Down => weak_lo = true,
                Pull::None => {}
            }
        }
        for &b in &n.buttons {
            let button = &self.buttons[b];
            if button.closed {
                drive(button.rail);
            }
        }
        if let Some(l) = n.external {
            drive(l);
        }
        match (strong_hi, strong_lo, weak_hi, weak_lo) {
            (true, true, _, _) => Logic::Contention,
            (true, false, _, _) => Logic::High,
            (false, true, _, _) => Logic::Low,
            (false, false, true, true) => Logic::Contention,
            (false, false, true, false) => Logic::High,
            (false, false, false, true) => Logic::Low,
            (false, false, false, false) => Logic::Floating,
        }
    }

    fn describe_drivers(&self, net: usize) -> String {
        let n = &self.nets[net];
        let mut parts = Vec::new();
        for &p in &n.pins {
            let pin = &self.pins[p];
            match (pin.mode, pin.latch) {
                (Mode::Output(Drive::PushPull), l) => parts.push(format!("{} drives {l:?}", pin.name)),
                (Mode::Output(Drive::OpenDrain), Level::Low) => parts.push(format!("{} pulls Low", pin.name)),
                _ => {}
            }
            match pin.pull {
                Pull::Up => parts.push(format!("{} pull-up", pin.name)),
                Pull::Down => parts.push(format!("{} pull-down", pin.name)),
                Pull::None => {}
            }
        }
        for &b in &n.buttons {
            let button = &self.buttons[b];
            if button.closed {
                parts.push(format!("button {} closes to {:?}", button.name, button.rail));
            }
        }
        if let Some(l) = n.external {
            parts.push(format!("external drive {l:?}"));
        }
        parts.join(", ")
    }

    fn net_name(&self, net: usize) -> String {
        let names: Vec<&str> = self.nets[net].pins.iter().map(|&p| self.pins[p].name.as_str()).collect();
        names.join("=")
    }
}

/// What a level change delivers, per pin: wakers and interrupt handlers.
struct Delivery {
    irq: Irq,
    wakers: Vec<Waker>,
    handlers: Vec<EdgeHandler>,
    level: Level,
}

impl Delivery {
    fn run(self) {
        for w in self.wakers {
            w.wake();
        }
        for h in self.handlers {
            h(self.level);
        }
    }
}

fn read_level(l: Logic) -> Level {
    if l == Logic::High { Level::High } else { Level::Low }
}

impl Board {
    /// Makes every output write spend `cost` of busy time before the level changes: the CPU
    /// time of a GPIO write on the target MCU (zero by default). With it, back-to-back writes
    /// (an enable pulse with no delay) are as short as on the real chip, not zero.
    pub fn set_gpio_write_cost(&self, cost: impl IntoNanos) {
        self.borrow().gpio.write_cost_ns = cost.into_nanos();
    }

    /// A pin configured as an input with `pull`, on a net of its own.
    pub fn input(&self, name: &str, pull: Pull) -> Pin {
        self.new_pin(name, Mode::Input, pull, Level::Low)
    }

    /// A pin configured as an output driving `initial`, on a net of its own. An open-drain
    /// output gets no pull: add one with [`Board::output_with_pull`] or a button/jumper.
    pub fn output(&self, name: &str, drive: Drive, initial: Level) -> Pin {
        self.new_pin(name, Mode::Output(drive), Pull::None, initial)
    }

    /// An output with an internal pull, e.g. an open-drain line with a pull-up.
    pub fn output_with_pull(&self, name: &str, drive: Drive, pull: Pull, initial: Level) -> Pin {
        self.new_pin(name, Mode::Output(drive), pull, initial)
    }

    fn new_pin(&self, name: &str, mode: Mode, pull: Pull, latch: Level) -> Pin {
        let id = {
            let mut b = self.borrow();
            let b = &mut *b;
            let signal = b.rec.add(name, SignalKind::Wire);
            let (id, net) = (b.gpio.pins.len(), b.gpio.nets.len());
            let irq = b.allocate_irq(GPIO_IRQ_PRIORITY);
            b.gpio.pins.push(PinState {
                name: name.to_string(),
                net,
                mode,
                pull,
                latch,
                signal,
                recorded: Logic::Floating,
                waiters: Vec::new(),
                handlers: Vec::new(),
                irq,
            });
            b.gpio.nets.push(NetState {
                level: Logic::Floating,
                pins: vec![id],
                buttons: Vec::new(),
                external: None,
                floating_reported: false,
            });
            b.rec.record(signal, Value::Logic(Logic::Floating));
            id
        };
        let pin = Pin { board: self.clone(), id };
        self.settle(pin.net());
        pin
    }

    /// Joins the nets of `a` and `b` with a wire.
    pub fn jumper(&self, a: &Pin, b: &Pin) {
        let keep = {
            let mut board = self.borrow();
            let g = &mut board.gpio;
            let (keep, gone) = (g.pins[a.id].net, g.pins[b.id].net);
            if keep == gone {
                return;
            }
            let pins = std::mem::take(&mut g.nets[gone].pins);
            let buttons = std::mem::take(&mut g.nets[gone].buttons);
            let external = g.nets[gone].external.take();
            for &p in &pins {
                g.pins[p].net = keep;
            }
            for &x in &buttons {
                g.buttons[x].net = keep;
            }
            let k = &mut g.nets[keep];
            k.pins.extend(pins);
            k.buttons.extend(buttons);
            k.external = k.external.or(external);
            keep
        };
        // The joined pins may disagree with the net's old level: settle even if it holds.
        self.settle_forced(keep);
    }

    /// A push button between `pin`'s net and the `rail` (`Level::Low` = ground), open at
    /// first.
    pub fn button(&self, name: &str, pin: &Pin, rail: Level) -> Button {
        let id = {
            let mut b = self.borrow();
            let net = b.gpio.pins[pin.id].net;
            let id = b.gpio.buttons.len();
            let irq = b.allocate_irq(GPIO_IRQ_PRIORITY);
            b.gpio.buttons.push(ButtonState { name: name.to_string(), net, rail, closed: false, bounce: None, irq });
            b.gpio.nets[net].buttons.push(id);
            id
        };
        Button { board: self.clone(), id }
    }

    /// An LED on `pin`'s net, lit when the net is at `lit_when`.
    pub fn led(&self, pin: &Pin, lit_when: Level) -> Led {
        Led { probe: pin.probe(), lit_when }
    }

    /// Re-resolves `net`; on a change records it and delivers edges.
    fn settle(&self, net: usize) {
        self.settle_inner(net, false)
    }

    fn settle_forced(&self, net: usize) {
        self.settle_inner(net, true)
    }

    fn settle_inner(&self, net: usize, force_record: bool) {
        let deliveries = {
            let mut board = self.borrow();
            let b = &mut *board;
            let new = b.gpio.resolve(net);
            let old = b.gpio.nets[net].level;
            if new == old && !force_record {
                return;
            }
            let (gpio, rec) = (&mut b.gpio, &mut b.rec);
            gpio.nets[net].level = new;
            gpio.nets[net].floating_reported = false;
            for &p in &gpio.nets[net].pins {
                let pin = &mut gpio.pins[p];
                if pin.recorded != new {
                    pin.recorded = new;
                    rec.record(pin.signal, Value::Logic(new));
                }
            }
            if new == Logic::Contention && old != Logic::Contention {
                let detail = format!("drivers fight on the net: {}", b.gpio.describe_drivers(net));
                fwsim::diag::report_hardware(format!("gpio net {}", b.gpio.net_name(net)), "Contention", detail);
            }
            let (from, to) = (read_level(old), read_level(new));
            if from == to {
                return;
            }
            let mut out = Vec::new();
            let gpio = &mut b.gpio;
            for &p in &gpio.nets[net].pins {
                let pin = &mut gpio.pins[p];
                let mut d = Delivery { irq: pin.irq, wakers: Vec::new(), handlers: Vec::new(), level: to };
                for w in pin.waiters.iter_mut().flatten() {
                    let hit = match w.want {
                        Want::Level(l) => l == to,
                        Want::Edge(e) => e.matches(to),
                    };
                    if hit && !w.fired {
                        w.fired = true;
                        d.wakers.push(w.waker.clone());
                    }
                }
                for (edge, h) in &pin.handlers {
                    if edge.matches(to) {
                        d.handlers.push(h.clone());
                    }
                }
                if !d.wakers.is_empty() || !d.handlers.is_empty() {
                    out.push(d);
                }
            }
            out
        };
        for d in deliveries {
            if fwsim::isr::in_interrupt() {
                d.run();
            } else {
                fwsim::isr::raise(d.irq, move || d.run());
            }
        }
    }

    fn pin_logic(&self, pin: usize) -> Logic {
        let b = self.inner.borrow();
        b.gpio.nets[b.gpio.pins[pin].net].level
    }
}

/// A GPIO pin. Every pin of a board is this one type, whatever its mode (some driver crates,
/// e.g. ag-lcd, take all their pins as one type parameter).
///
/// Implements embedded-hal 1.0 `InputPin`, `OutputPin`, `StatefulOutputPin`, embedded-hal-async
/// `Wait`, and embedded-hal 0.2's `digital::v2` traits. Reads return the *net's* level; an
/// output reads back what its net resolves to (a shorted output reads the short).
pub struct Pin {
    board: Board,
    id: usize,
}

impl Pin {
    fn net(&self) -> usize {
        self.board.inner.borrow().gpio.pins[self.id].net
    }

    /// The pin's name.
    pub fn name(&self) -> String {
        self.board.inner.borrow().gpio.pins[self.id].name.clone()
    }

    /// A read-only observer of this pin's net, for the test to keep while firmware owns the
    /// pin.
    pub fn probe(&self) -> Probe {
        Probe { board: self.board.clone(), pin: self.id }
    }

    /// Makes the pin an input with `pull` (the output latch is kept).
    pub fn set_as_input(&mut self, pull: Pull) {
        self.reconfigure(|p| {
            p.mode = Mode::Input;
            p.pull = pull;
        });
    }

    /// Makes the pin an output driving `level`.
    pub fn set_as_output(&mut self, drive: Drive, level: Level) {
        self.reconfigure(|p| {
            p.mode = Mode::Output(drive);
            p.latch = level;
        });
    }

    fn reconfigure(&mut self, f: impl FnOnce(&mut PinState)) {
        let net = {
            let mut b = self.board.borrow();
            f(&mut b.gpio.pins[self.id]);
            b.gpio.pins[self.id].net
        };
        self.board.settle(net);
    }

    fn write(&mut self, level: Level) {
        let cost = self.board.inner.borrow().gpio.write_cost_ns;
        if cost > 0 {
            fwsim::busy_wait(std::time::Duration::from_nanos(cost));
        }
        self.reconfigure(|p| p.latch = level);
    }

    fn read(&self) -> Level {
        let mut board = self.board.borrow();
        let b = &mut *board;
        let net = b.gpio.pins[self.id].net;
        let n = &mut b.gpio.nets[net];
        if n.level == Logic::Floating && !n.floating_reported {
            n.floating_reported = true;
            let detail = format!("{} read a net that nothing drives or pulls; it reads low", b.gpio.pins[self.id].name);
            fwsim::diag::report_hardware(format!("gpio net {}", b.gpio.net_name(net)), "FloatingRead", detail);
        }
        read_level(b.gpio.nets[net].level)
    }

    /// Runs `handler` in interrupt context on every matching edge of the pin's net, with the
    /// new level.
    pub fn on_edge(&self, edge: Edge, handler: impl Fn(Level) + 'static) {
        self.board.borrow().gpio.pins[self.id].handlers.push((edge, Rc::new(handler)));
    }

    /// Drives the pin's net from outside the MCU (a signal generator) from now on; `None`
    /// stops driving.
    pub fn drive(&self, level: Option<Level>) {
        let net = {
            let mut b = self.board.borrow();
            let net = b.gpio.pins[self.id].net;
            b.gpio.nets[net].external = level;
            net
        };
        self.board.settle(net);
    }

    /// [`drive`](Pin::drive) at virtual time `at`, in the pin's interrupt.
    pub fn drive_at(&self, at: SimTime, level: Option<Level>) {
        let pin = Pin { board: self.board.clone(), id: self.id };
        fwsim::isr::schedule(at, self.irq(), move || pin.drive(level));
    }

    /// The interrupt this pin's edges (and [`drive_at`](Pin::drive_at)) are delivered on.
    pub fn irq(&self) -> Irq {
        self.board.inner.borrow().gpio.pins[self.id].irq
    }

    fn wait(&mut self, want: Want) -> PinWait<'_> {
        PinWait { pin: self, want, slot: None }
    }
}

/// A wait armed on a pin; disarmed when dropped.
struct PinWait<'a> {
    pin: &'a Pin,
    want: Want,
    slot: Option<usize>,
}

impl std::future::Future for PinWait<'_> {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut b = this.pin.board.borrow();
        let b = &mut *b;
        let id = this.pin.id;
        match this.slot {
            None => {
                if let Want::Level(l) = this.want {
                    let net = b.gpio.pins[id].net;
                    if read_level(b.gpio.nets[net].level) == l {
                        return Poll::Ready(());
                    }
                }
                let waiters = &mut b.gpio.pins[id].waiters;
                let w = Waiter { want: this.want, waker: cx.waker().clone(), fired: false };
                let s = match waiters.iter().position(Option::is_none) {
                    Some(s) => {
                        waiters[s] = Some(w);
                        s
                    }
                    None => {
                        waiters.push(Some(w));
                        waiters.len() - 1
                    }
                };
                this.slot = Some(s);
                Poll::Pending
            }
            Some(s) => {
                let w = b.gpio.pins[id].waiters[s].as_mut().expect("armed waiter");
                if w.fired {
                    b.gpio.pins[id].waiters[s] = None;
                    this.slot = None;
                    Poll::Ready(())
                } else {
                    w.waker.clone_from(cx.waker());
                    Poll::Pending
                }
            }
        }
    }
}

impl Drop for PinWait<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.slot.take() {
            self.pin.board.borrow().gpio.pins[self.pin.id].waiters[s] = None;
        }
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pin({})", self.name())
    }
}

/// A read-only view of a pin's net.
#[derive(Clone)]
pub struct Probe {
    board: Board,
    pin: usize,
}

impl Probe {
    /// The net's resolved level, including floating and contention.
    pub fn logic(&self) -> Logic {
        self.board.pin_logic(self.pin)
    }

    /// Whether the net is high (floating and contention count as low; a probe never
    /// reports a floating read).
    pub fn is_high(&self) -> bool {
        self.logic() == Logic::High
    }
}

/// A push button on a net. See [`Board::button`].
#[derive(Clone)]
pub struct Button {
    board: Board,
    id: usize,
}

impl Button {
    /// The interrupt this button's scheduled presses and releases run on.
    pub fn irq(&self) -> Irq {
        self.board.inner.borrow().gpio.buttons[self.id].irq
    }

    /// Adds contact bounce to every later press and release.
    pub fn with_bounce(self, bounce: Bounce) -> Self {
        self.board.borrow().gpio.buttons[self.id].bounce = Some(bounce);
        self
    }

    /// Closes (`true`) or opens the contact now.
    pub fn set(&self, closed: bool) {
        let net = {
            let mut b = self.board.borrow();
            let button = &mut b.gpio.buttons[self.id];
            button.closed = closed;
            button.net
        };
        self.board.settle(net);
    }

    /// Whether the contact is closed now.
    pub fn is_closed(&self) -> bool {
        self.board.inner.borrow().gpio.buttons[self.id].closed
    }

    /// Presses the button at `at` (bouncing if configured).
    pub fn press_at(&self, at: SimTime) {
        self.change_at(at, true);
    }

    /// Releases the button at `at` (bouncing if configured).
    pub fn release_at(&self, at: SimTime) {
        self.change_at(at, false);
    }

    /// Presses at `at` and releases `hold` later.
    pub fn click_at(&self, at: SimTime, hold: impl IntoNanos) {
        self.press_at(at);
        self.release_at(at.saturating_add(hold));
    }

    fn change_at(&self, at: SimTime, closed: bool) {
        let now = fwsim::now();
        assert!(at >= now, "fwsim-hw: a button change at {at} is in the past (now {now})");
        // The burst: the contact reaches its new state at `at`, then chatters (open/close
        // pairs) at seeded instants inside the window, and stays in the new state.
        let mut times = vec![(at, closed)];
        {
            let mut b = self.board.borrow();
            let b = &mut *b;
            if let Some(bounce) = b.gpio.buttons[self.id].bounce
                && bounce.max_pairs > 0
                && bounce.window.into_nanos() > 1
            {
                let pairs = 1 + b.rng.below(bounce.max_pairs as u64) as usize;
                let mut offsets: Vec<u64> =
                    (0..pairs * 2).map(|_| 1 + b.rng.below(bounce.window.into_nanos() - 1)).collect();
                offsets.sort_unstable();
                for (i, off) in offsets.into_iter().enumerate() {
                    times.push((SimTime(at.0 + off), if i % 2 == 0 { !closed } else { closed }));
                }
            }
        }
        let irq = self.irq();
        for (t, state) in times {
            let button = self.clone();
            fwsim::isr::schedule(t, irq, move || button.set(state));
        }
    }
}

/// An LED on a net. See [`Board::led`].
#[derive(Clone)]
pub struct Led {
    probe: Probe,
    lit_when: Level,
}

impl Led {
    /// Whether the LED is lit now.
    pub fn is_on(&self) -> bool {
        self.probe.logic() == self.lit_when.logic()
    }
}

impl embedded_hal::digital::ErrorType for Pin {
    type Error = Infallible;
}

impl embedded_hal::digital::InputPin for Pin {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::High)
    }
    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::Low)
    }
}

impl embedded_hal::digital::OutputPin for Pin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.write(Level::Low);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.write(Level::High);
        Ok(())
    }
}

impl embedded_hal::digital::StatefulOutputPin for Pin {
    fn is_set_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::High)
    }
    fn is_set_low(&mut self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::Low)
    }
}

impl embedded_hal_async::digital::Wait for Pin {
    async fn wait_for_high(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Level(Level::High)).await;
        Ok(())
    }
    async fn wait_for_low(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Level(Level::Low)).await;
        Ok(())
    }
    async fn wait_for_rising_edge(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Edge(Edge::Rising)).await;
        Ok(())
    }
    async fn wait_for_falling_edge(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Edge(Edge::Falling)).await;
        Ok(())
    }
    async fn wait_for_any_edge(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Edge(Edge::Any)).await;
        Ok(())
    }
}

impl embedded_hal_02::digital::v2::InputPin for Pin {
    type Error = Infallible;
    fn is_high(&self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::High)
    }
    fn is_low(&self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::Low)
    }
}

impl embedded_hal_02::digital::v2::OutputPin for Pin {
    type Error = Infallible;
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.write(Level::Low);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.write(Level::High);
        Ok(())
    }
}

impl embedded_hal_02::digital::v2::StatefulOutputPin for Pin {
    fn is_set_high(&self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::High)
    }
    fn is_set_low(&self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::Low)
    }
}

impl embedded_hal_02::digital::v2::ToggleableOutputPin for Pin {
    type Error = Infallible;
    fn toggle(&mut self) -> Result<(), Infallible> {
        let latch = self.board.inner.borrow().gpio.pins[self.id].latch;
        self.write(latch.flip());
        Ok(())
    }
}
