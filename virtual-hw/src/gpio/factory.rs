//! The board's GPIO side: making pins, jumpers, buttons and LEDs, and settling a net after
//! a change (recording it, reporting contention and floating reads, delivering edges).

use super::*;

impl Board {
    /// Makes every output write spend `cost` of busy time before the level changes: the CPU
    /// time of a GPIO write on the target MCU (zero by default). With it, back-to-back writes
    /// (an enable pulse with no delay) are as short as on the real chip, not zero.
    pub fn set_gpio_write_cost(&self, cost: impl IntoNanos) {
        self.borrow().gpio.write_cost_ns = cost.into_nanos();
    }

    /// A pin configured as an input with `pull`, on a net of its own.
    #[track_caller]
    pub fn input(&self, name: &str, pull: Pull) -> Pin {
        self.new_pin(name, Mode::Input, pull, Level::Low)
    }

    /// A pin configured as an output driving `initial`, on a net of its own. An open-drain
    /// output gets no pull: add one with [`Board::output_with_pull`] or a button/jumper.
    #[track_caller]
    pub fn output(&self, name: &str, drive: Drive, initial: Level) -> Pin {
        self.new_pin(name, Mode::Output(drive), Pull::None, initial)
    }

    /// An output with an internal pull, e.g. an open-drain line with a pull-up.
    #[track_caller]
    pub fn output_with_pull(&self, name: &str, drive: Drive, pull: Pull, initial: Level) -> Pin {
        self.new_pin(name, Mode::Output(drive), pull, initial)
    }

    #[track_caller]
    pub(super) fn new_pin(&self, name: &str, mode: Mode, pull: Pull, latch: Level) -> Pin {
        let id = {
            let mut b = self.borrow();
            let b = &mut *b;
            let signal = b.rec.add(name, SignalKind::Wire);
            let (id, net) = (b.gpio.pins.len(), b.gpio.nets.len());
            let irq = b.allocate_named_irq(GPIO_IRQ_PRIORITY, name);
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
                made: (mode, pull, latch),
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
            let irq = b.allocate_named_irq(GPIO_IRQ_PRIORITY, name);
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
    pub(super) fn settle(&self, net: usize) {
        self.settle_inner(net, false)
    }

    pub(super) fn settle_forced(&self, net: usize) {
        self.settle_inner(net, true)
    }

    pub(super) fn settle_inner(&self, net: usize, force_record: bool) {
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

    pub(super) fn pin_logic(&self, pin: usize) -> Logic {
        let b = self.inner.borrow();
        b.gpio.nets[b.gpio.pins[pin].net].level
    }
}
