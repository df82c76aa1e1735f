//! [`UartDevice`](crate::uart::UartDevice): device models on a UART line.

use super::*;

/// A device model at the far end of a UART — a GPS, a modem, a sensor with a serial
/// protocol — in one file of your own, wired with [`UartPeer::attach`]. It hears every byte
/// the firmware sends (when its stop bit ends), can ask to be woken at a time (a periodic
/// report), and answers through its [`UartContext`] at the line's exact byte timing.
///
/// ```
/// use embedded_io_async::{Read, Write};
/// use fwsim_hw::{Board, uart::{UartConfig, UartContext, UartDevice}};
///
/// /// Answers `?` with `OK\r\n`, as an AT modem would.
/// struct Modem;
///
/// impl UartDevice for Modem {
///     fn on_byte(&mut self, ctx: &mut UartContext<'_>, byte: u8) {
///         if byte == b'?' {
///             ctx.send_at(ctx.now(), b"OK\r\n");
///         }
///     }
/// }
///
/// fwsim::test(|sim| {
///     let board = Board::new();
///     let mut uart = board.uart("MODEM", UartConfig::new(115_200));
///     let modem = uart.peer().attach("modem", Modem);
///     let reply = sim.spawn("firmware", async move {
///         uart.write_all(b"?").await.unwrap();
///         let mut buf = [0u8; 4];
///         uart.read_exact(&mut buf).await.unwrap();
///         buf
///     });
///     sim.run_for(fwsim::ms(5)).unwrap();
///     assert_eq!(&sim.join(reply).unwrap(), b"OK\r\n");
///     let _ = modem;
/// });
/// ```
pub trait UartDevice {
    /// It was attached: start what it does on its own (ask for a first wake-up, say).
    fn attached(&mut self, ctx: &mut UartContext<'_>) {
        let _ = ctx;
    }

    /// A byte the firmware sent has arrived (its stop bit ended).
    fn on_byte(&mut self, ctx: &mut UartContext<'_>, byte: u8) {
        let _ = (ctx, byte);
    }

    /// A wake-up it asked for with [`UartContext::wake_at`] is due.
    fn on_wake(&mut self, ctx: &mut UartContext<'_>) {
        let _ = ctx;
    }

    /// The board lost power and got it back: as
    /// [`I2cDevice::power_cycle`](crate::i2c::I2cDevice::power_cycle). Keeps everything by
    /// default.
    fn power_cycle(&mut self) {}
}

/// What a [`UartDevice`] may do: read the time, send bytes on the line, ask for a wake-up,
/// report violations.
pub struct UartContext<'a> {
    peer: &'a UartPeer,
    name: &'a str,
    device: &'a Rc<RefCell<dyn UartDevice>>,
    irq: Irq,
}

impl UartContext<'_> {
    /// The virtual time.
    pub fn now(&self) -> SimTime {
        fwsim::now()
    }

    /// Sends `bytes` back to back from `at` on (after anything still being sent); returns
    /// when the last one will have arrived.
    pub fn send_at(&self, at: SimTime, bytes: &[u8]) -> SimTime {
        self.peer.send_at(at, bytes)
    }

    /// Asks for [`UartDevice::on_wake`] at `at`.
    pub fn wake_at(&self, at: SimTime) {
        let (peer, name, device, irq) = (self.peer.clone(), self.name.to_owned(), self.device.clone(), self.irq);
        fwsim::isr::schedule(at, irq, move || {
            let mut ctx = UartContext { peer: &peer, name: &name, device: &device, irq };
            device.borrow_mut().on_wake(&mut ctx);
        });
    }

    /// Reports a protocol or timing violation by this device.
    pub fn violation(&self, rule: &'static str, detail: impl Into<String>) {
        fwsim::diag::report_hardware(self.name, rule, detail);
    }
}

impl crate::DeviceContext for UartContext<'_> {
    fn now(&self) -> SimTime {
        fwsim::now()
    }
    fn line_hz(&self) -> Option<u64> {
        Some(u64::from(self.peer.board.inner.borrow().uarts.all[self.peer.id].cfg.baud))
    }
    fn report(&self, rule: &'static str, detail: String) {
        self.violation(rule, detail);
    }
    fn random_below(&self, n: u64) -> u64 {
        self.peer.board.random_below(n)
    }
}

/// A device attached to a UART.
#[derive(Clone)]
pub(super) struct Attached {
    pub(super) name: String,
    pub(super) device: Rc<RefCell<dyn UartDevice>>,
    pub(super) irq: Irq,
}

impl UartPeer {
    /// Puts `device` at this end of the line and returns it, for the test to inspect. It gets
    /// every byte the firmware sends from now on (they are still kept in
    /// [`received`](UartPeer::received)), and its wake-ups run on an interrupt of their own.
    pub fn attach<D: UartDevice + 'static>(&self, name: &str, device: D) -> Rc<RefCell<D>> {
        let typed = Rc::new(RefCell::new(device));
        let device: Rc<RefCell<dyn UartDevice>> = typed.clone();
        let irq = self.board.borrow().allocate_named_irq(UART_IRQ_PRIORITY + 1, name);
        let attached = Attached { name: name.to_owned(), device: device.clone(), irq };
        self.board.borrow().uarts.all[self.id].device = Some(attached);
        let kept = device.clone();
        self.board.borrow().power_hooks.push(Rc::new(move || kept.borrow_mut().power_cycle()));
        let mut ctx = UartContext { peer: self, name, device: &device, irq };
        device.borrow_mut().attached(&mut ctx);
        typed
    }

    /// Hands a byte the firmware sent to the attached device, if any.
    pub(super) fn deliver(&self, byte: u8) {
        let attached = self.board.inner.borrow().uarts.all[self.id].device.clone();
        if let Some(a) = attached {
            let mut ctx = UartContext { peer: self, name: &a.name, device: &a.device, irq: a.irq };
            a.device.borrow_mut().on_byte(&mut ctx, byte);
        }
    }
}
