//! [`Switch`]: a debounced contact.

use core::cell::Cell;
use core::convert::Infallible;
use core::future::Future;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, Timer};
use embedded_hal::digital::InputPin;
use fwsim_primitives::Event;

/// What a [`Switch`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchEvent {
    /// The contact closed.
    Closed,
    /// The contact opened.
    Opened,
}

/// The toolkit's `Switch` and `ESwitch`: a contact sampled every `debounce` (50 ms). The first
/// change a poll sees is acted on at once; the next poll, a period later, is the debounce.
///
/// `open_level` is the pin level of an open contact: `true` for the usual switch to ground
/// with a pull-up (Python's `Switch`, and `ESwitch`'s default `lopen=1`).
///
/// Python's `ESwitch.deinit()` raises `AttributeError` and leaves its poller running
/// (PRIMITIVES.md §5.2 L2); here dropping [`run`](Switch::run) stops it, and
/// [`clear`](Switch::clear) clears the events.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim::{Irq, Sim, SimTime};
/// use fwsim_drivers::{Switch, SwitchEvent};
/// # use std::cell::Cell;
/// # struct Level<'a>(&'a Cell<bool>);
/// # impl embedded_hal::digital::ErrorType for Level<'_> { type Error = core::convert::Infallible; }
/// # impl embedded_hal::digital::InputPin for Level<'_> {
/// #     fn is_high(&mut self) -> Result<bool, Self::Error> { Ok(self.0.get()) }
/// #     fn is_low(&mut self) -> Result<bool, Self::Error> { Ok(!self.0.get()) }
/// # }
///
/// let level = Cell::new(true); // pulled up: open
/// let door = Switch::<NoopRawMutex>::new(true);
/// let seen = Cell::new(None);
/// let sim = Sim::new();
/// sim.spawn("door", door.run(Level(&level), |e| seen.set(Some((e, embassy_time::Instant::now().as_millis())))));
/// sim.schedule_isr(SimTime::from_millis(120), Irq::new(3, 1), || level.set(false)); // closes
/// sim.run_for(fwsim::secs(1)).unwrap();
/// assert_eq!(seen.get(), Some((SwitchEvent::Closed, 150))); // at the next 50 ms poll
/// assert!(door.is_closed() && door.close.is_set());
/// ```
pub struct Switch<M: RawMutex> {
    open_level: bool,
    debounce: Duration,
    closed: Mutex<M, Cell<bool>>,
    /// Set when the contact closes (the user clears it).
    pub close: Event<M>,
    /// Set when the contact opens (the user clears it).
    pub open: Event<M>,
}

impl<M: RawMutex> Switch<M> {
    /// A switch whose open contact reads `open_level`, polled every 50 ms.
    pub const fn new(open_level: bool) -> Self {
        Self::with_debounce(open_level, Duration::from_millis(50))
    }

    /// As [`new`](Self::new), polled every `debounce`.
    pub const fn with_debounce(open_level: bool, debounce: Duration) -> Self {
        Switch { open_level, debounce, closed: Mutex::new(Cell::new(false)), close: Event::new(), open: Event::new() }
    }

    /// The debounced state: whether the contact is closed.
    pub fn is_closed(&self) -> bool {
        self.closed.lock(Cell::get)
    }

    /// Clears both events.
    pub fn clear(&self) {
        self.close.clear();
        self.open.clear();
    }

    /// Polls `pin` for ever; calls `on_change` (and sets the matching event) at each debounced
    /// change. Returns only a pin error.
    ///
    /// The contact is read when `run` is called — when the firmware builds its task — as the
    /// toolkit's constructor reads it, not when the task first runs: a change in between is a
    /// change, whatever the executor's order.
    pub fn run<'a, P: InputPin + 'a>(
        &'a self,
        mut pin: P,
        mut on_change: impl FnMut(SwitchEvent) + 'a,
    ) -> impl Future<Output = Result<Infallible, P::Error>> + 'a {
        let start = pin.is_high().map(|high| high != self.open_level);
        if let Ok(closed) = start {
            self.closed.lock(|c| c.set(closed));
        }
        async move { self.poll(pin, start?, &mut on_change).await }
    }

    async fn poll<P: InputPin>(
        &self,
        mut pin: P,
        mut closed: bool,
        on_change: &mut impl FnMut(SwitchEvent),
    ) -> Result<Infallible, P::Error> {
        loop {
            let now_closed = pin.is_high()? != self.open_level;
            if now_closed != closed {
                closed = now_closed;
                self.closed.lock(|c| c.set(closed));
                if closed {
                    self.close.set();
                    on_change(SwitchEvent::Closed);
                } else {
                    self.open.set();
                    on_change(SwitchEvent::Opened);
                }
            }
            Timer::after(self.debounce).await;
        }
    }
}
