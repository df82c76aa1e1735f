//! [`Pin`]: a pin handle, its edge waits, and [`Probe`], a read-only view of its net.

use super::*;

/// A GPIO pin. Every pin of a board is this one type, whatever its mode (some driver crates,
/// e.g. ag-lcd, take all their pins as one type parameter).
///
/// Implements embedded-hal 1.0 `InputPin`, `OutputPin`, `StatefulOutputPin`, embedded-hal-async
/// `Wait`, and embedded-hal 0.2's `digital::v2` traits. Reads return the *net's* level; an
/// output reads back what its net resolves to (a shorted output reads the short).
pub struct Pin {
    pub(super) board: Board,
    pub(super) id: usize,
}

impl Pin {
    pub(super) fn net(&self) -> usize {
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

    pub(super) fn reconfigure(&mut self, f: impl FnOnce(&mut PinState)) {
        let net = {
            let mut b = self.board.borrow();
            f(&mut b.gpio.pins[self.id]);
            b.gpio.pins[self.id].net
        };
        self.board.settle(net);
    }

    pub(super) fn write(&mut self, level: Level) {
        let cost = self.board.inner.borrow().gpio.write_cost_ns;
        if cost > 0 {
            fwsim::busy_wait(std::time::Duration::from_nanos(cost));
        }
        self.reconfigure(|p| p.latch = level);
    }

    pub(super) fn read(&self) -> Level {
        // Firmware may read a pin in a loop until it changes (a busy-wait for a button): past
        // the spin threshold each read spends a tick, so the loop sees the change when it comes.
        fwsim::spin_point(|| format!("pin {}", self.board.borrow().gpio.pins[self.id].name));
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

    /// Another handle on the same pin, for a device model that drives it later.
    pub(crate) fn handle(&self) -> Pin {
        Pin { board: self.board.clone(), id: self.id }
    }

    /// The board this pin belongs to.
    pub(crate) fn board(&self) -> &Board {
        &self.board
    }

    /// The interrupt this pin's edges (and [`drive_at`](Pin::drive_at)) are delivered on.
    pub fn irq(&self) -> Irq {
        self.board.inner.borrow().gpio.pins[self.id].irq
    }

    pub(super) fn wait(&mut self, want: Want) -> PinWait<'_> {
        PinWait { pin: self, want, slot: None }
    }
}

/// A wait armed on a pin; disarmed when dropped.
pub(super) struct PinWait<'a> {
    pub(super) pin: &'a Pin,
    pub(super) want: Want,
    pub(super) slot: Option<usize>,
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
    pub(super) board: Board,
    pub(super) pin: usize,
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
