//! The GPIO state of a board: pins, nets and buttons, how a net's level is resolved from
//! what drives it, and the deliveries that carry a change to waiters and handlers.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    Input,
    Output(Drive),
}

#[derive(Clone, Copy)]
pub(super) enum Want {
    Level(Level),
    Edge(Edge),
}

pub(super) struct Waiter {
    pub(super) want: Want,
    pub(super) waker: Waker,
    pub(super) fired: bool,
}

/// An interrupt handler for a pin's edges, called with the new level.
pub(super) type EdgeHandler = Rc<dyn Fn(Level)>;

pub(super) struct PinState {
    pub(super) name: String,
    pub(super) net: usize,
    pub(super) mode: Mode,
    pub(super) pull: Pull,
    /// The output latch (ODR): what an output drives, kept while the pin is an input.
    pub(super) latch: Level,
    pub(super) signal: usize,
    /// The level last put on record for this pin (a jumper can join it to a net at another
    /// level).
    pub(super) recorded: Logic,
    pub(super) waiters: Vec<Option<Waiter>>,
    pub(super) handlers: Vec<(Edge, EdgeHandler)>,
    /// The pin's interrupt (its edges, `drive_at`).
    pub(super) irq: Irq,
    /// The mode, pull and latch it was made with: what [`Board::reclaim_pin`] restores.
    pub(super) made: (Mode, Pull, Level),
}

pub(super) struct NetState {
    pub(super) level: Logic,
    pub(super) pins: Vec<usize>,
    pub(super) buttons: Vec<usize>,
    pub(super) external: Option<Level>,
    pub(super) floating_reported: bool,
}

pub(super) struct ButtonState {
    pub(super) name: String,
    pub(super) net: usize,
    pub(super) rail: Level,
    pub(super) closed: bool,
    pub(super) bounce: Option<Bounce>,
    /// The button's interrupt (its scheduled presses and releases).
    pub(super) irq: Irq,
}

/// The GPIO part of a board.
#[derive(Default)]
pub(crate) struct Gpio {
    pub(super) write_cost_ns: u64,
    pub(super) pins: Vec<PinState>,
    pub(super) nets: Vec<NetState>,
    pub(super) buttons: Vec<ButtonState>,
}

impl Gpio {
    pub(super) fn resolve(&self, net: usize) -> Logic {
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

    pub(super) fn describe_drivers(&self, net: usize) -> String {
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

    pub(super) fn net_name(&self, net: usize) -> String {
        let names: Vec<&str> = self.nets[net].pins.iter().map(|&p| self.pins[p].name.as_str()).collect();
        names.join("=")
    }
}

/// What a level change delivers, per pin: wakers and interrupt handlers.
pub(super) struct Delivery {
    pub(super) irq: Irq,
    pub(super) wakers: Vec<Waker>,
    pub(super) handlers: Vec<EdgeHandler>,
    pub(super) level: Level,
}

impl Delivery {
    pub(super) fn run(self) {
        for w in self.wakers {
            w.wake();
        }
        for h in self.handlers {
            h(self.level);
        }
    }
}

pub(super) fn read_level(l: Logic) -> Level {
    if l == Logic::High { Level::High } else { Level::Low }
}
