//! [`Pushbutton`]: press, release, long press and double click from one contact.

use core::cell::Cell;
use core::convert::Infallible;
use core::future::Future;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, Instant, Timer};
use embedded_hal::digital::InputPin;
use fwsim_primitives::Event;

/// What a button reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonEvent {
    /// Pressed (reported at the poll that first sees it).
    Press,
    /// Released.
    Release,
    /// Held for `long_press` after the press was seen.
    Long,
    /// A second press within `double_click` of the first.
    Double,
}

/// How a [`Pushbutton`] behaves. The defaults are the toolkit's: 50 ms polls, 1000 ms long
/// press, 400 ms double click, every event enabled, no suppression, `sense` read at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushbuttonConfig {
    /// Poll period, which is also the debounce time.
    pub debounce: Duration,
    /// How long a press lasts before [`ButtonEvent::Long`].
    pub long_press: Duration,
    /// The window for a second press to make a [`ButtonEvent::Double`]. Keep it shorter than
    /// `long_press`.
    pub double_click: Duration,
    /// Delay the release until the double-click window has passed, and drop it after a long
    /// press or a double click: a short click then gives exactly one release.
    pub suppress: bool,
    /// The pin level of the button *not pressed*; `None` takes the level when `run` starts.
    pub sense: Option<bool>,
    /// Report presses (Python: a `press_func` is set).
    pub press: bool,
    /// Report releases (`release_func`).
    pub release: bool,
    /// Time long presses (`long_func`).
    pub long: bool,
    /// Detect double clicks (`double_func`).
    pub double: bool,
}

impl PushbuttonConfig {
    /// The toolkit's defaults with every event enabled.
    pub const fn new() -> Self {
        PushbuttonConfig {
            debounce: Duration::from_millis(50),
            long_press: Duration::from_millis(1000),
            double_click: Duration::from_millis(400),
            suppress: false,
            sense: None,
            press: true,
            release: true,
            long: true,
            double: true,
        }
    }

    /// With `suppress` set.
    pub const fn suppress(mut self, on: bool) -> Self {
        self.suppress = on;
        self
    }

    /// With the not-pressed level given.
    pub const fn sense(mut self, not_pressed_level: bool) -> Self {
        self.sense = Some(not_pressed_level);
        self
    }

    /// With only the events named enabled (press, release, long, double).
    pub const fn events(mut self, press: bool, release: bool, long: bool, double: bool) -> Self {
        self.press = press;
        self.release = release;
        self.long = long;
        self.double = double;
        self
    }
}

impl Default for PushbuttonConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// The toolkit's `Pushbutton`.
///
/// The contact is polled every `debounce`. A press is reported at the poll that sees it; a
/// long-press timer starts then (unless a double click is pending — the fix for the toolkit's
/// issue #101, where a short click followed by a long press gave both); a second press inside
/// the double-click window reports [`Double`](ButtonEvent::Double). With
/// [`suppress`](PushbuttonConfig::suppress) only the release changes: it waits for the
/// double-click window and is dropped after a long press or a double click. A suppressed
/// release with no release event enabled is simply not reported (the toolkit's #115 crashed).
///
/// Each event sets its [`Event`] (the user clears it) and calls the callback given to
/// [`run`](Pushbutton::run).
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim::{Irq, Sim, SimTime};
/// use fwsim_drivers::{ButtonEvent, Pushbutton, PushbuttonConfig};
/// # use std::cell::Cell;
/// # struct Level<'a>(&'a Cell<bool>);
/// # impl embedded_hal::digital::ErrorType for Level<'_> { type Error = core::convert::Infallible; }
/// # impl embedded_hal::digital::InputPin for Level<'_> {
/// #     fn is_high(&mut self) -> Result<bool, Self::Error> { Ok(self.0.get()) }
/// #     fn is_low(&mut self) -> Result<bool, Self::Error> { Ok(!self.0.get()) }
/// # }
///
/// let level = Cell::new(true); // to ground, pulled up
/// let button = Pushbutton::<NoopRawMutex>::new(PushbuttonConfig::new());
/// let events = std::cell::RefCell::new(Vec::new());
/// let sim = Sim::new();
/// sim.spawn("button", button.run(Level(&level), |e| events.borrow_mut().push((e, embassy_time::Instant::now().as_millis()))));
/// sim.schedule_isr(SimTime::from_millis(100), Irq::new(3, 1), || level.set(false));
/// sim.schedule_isr(SimTime::from_millis(1500), Irq::new(3, 1), || level.set(true));
/// sim.run_for(fwsim::secs(2)).unwrap();
/// drop(sim);
/// use ButtonEvent::*;
/// assert_eq!(events.into_inner(), [(Press, 100), (Long, 1100), (Release, 1500)]);
/// ```
pub struct Pushbutton<M: RawMutex> {
    config: PushbuttonConfig,
    pressed: Mutex<M, Cell<bool>>,
    /// Set on [`ButtonEvent::Press`].
    pub press: Event<M>,
    /// Set on [`ButtonEvent::Release`].
    pub release: Event<M>,
    /// Set on [`ButtonEvent::Long`].
    pub long: Event<M>,
    /// Set on [`ButtonEvent::Double`].
    pub double: Event<M>,
}

/// What both buttons have: the constructor, the debounced state and an event per kind of
/// happening.
macro_rules! button_methods {
    ($run_doc:literal) => {
        /// A button with `config`.
        pub const fn new(config: PushbuttonConfig) -> Self {
            Self {
                config,
                pressed: Mutex::new(Cell::new(false)),
                press: Event::new(),
                release: Event::new(),
                long: Event::new(),
                double: Event::new(),
            }
        }

        /// The debounced state: whether it is pressed.
        pub fn is_pressed(&self) -> bool {
            self.pressed.lock(Cell::get)
        }

        /// Sets the event's `Event` and calls the callback.
        fn emit(&self, ev: ButtonEvent, on_event: &mut impl FnMut(ButtonEvent)) {
            match ev {
                ButtonEvent::Press => self.press.set(),
                ButtonEvent::Release => self.release.set(),
                ButtonEvent::Long => self.long.set(),
                ButtonEvent::Double => self.double.set(),
            }
            on_event(ev);
        }

        #[doc = $run_doc]
        ///
        /// The button is read when `run` is called — when the firmware builds its task — as the
        /// toolkit's constructor reads it, not when the task first runs: a change in between is
        /// an event, whatever the executor's order.
        pub fn run<'a, P: InputPin + 'a>(
            &'a self,
            mut pin: P,
            mut on_event: impl FnMut(ButtonEvent) + 'a,
        ) -> impl Future<Output = Result<Infallible, P::Error>> + 'a {
            let started = start(&mut pin, self.config.sense);
            if let Ok((_, pressed)) = started {
                self.pressed.lock(|p| p.set(pressed));
            }
            async move {
                let (sense, pressed) = started?;
                self.poll(pin, sense, pressed, &mut on_event).await
            }
        }
    };
}
pub(crate) use button_methods;

/// The not-pressed level (`sense`, or the pin's level now) and whether the button is pressed.
pub(crate) fn start<P: InputPin>(pin: &mut P, sense: Option<bool>) -> Result<(bool, bool), P::Error> {
    let sense = match sense {
        Some(level) => level,
        None => pin.is_high()?,
    };
    Ok((sense, pin.is_high()? != sense))
}

/// The runner's working state.
struct Timing {
    pressed: bool,
    double_pending: bool,
    double_ran: bool,
    long_at: Option<Instant>,
    double_at: Option<Instant>,
}

impl<M: RawMutex> Pushbutton<M> {
    button_methods!(
        "Polls `pin` and times presses for ever; calls `on_event` at each event. Returns only a pin error."
    );

    async fn poll<P: InputPin>(
        &self,
        mut pin: P,
        sense: bool,
        pressed: bool,
        mut on_event: &mut impl FnMut(ButtonEvent),
    ) -> Result<Infallible, P::Error> {
        let c = self.config;
        let mut t = Timing { pressed, double_pending: false, double_ran: false, long_at: None, double_at: None };
        self.pressed.lock(|p| p.set(t.pressed));
        let mut next_poll = Instant::now();
        loop {
            let now = Instant::now();
            // Timers due at this instant act before the poll (on MicroPython the timer task's
            // key was pushed long before the poll's).
            if t.long_at.is_some_and(|at| at <= now) {
                t.long_at = None;
                self.emit(ButtonEvent::Long, &mut on_event);
            }
            if t.double_at.is_some_and(|at| at <= now) {
                // No second click came.
                t.double_at = None;
                t.double_pending = false;
                if c.suppress && !t.pressed && c.release && t.long_at.is_none() {
                    self.emit(ButtonEvent::Release, &mut on_event);
                }
            }
            if next_poll <= now {
                let pressed = pin.is_high()? != sense;
                if pressed != t.pressed {
                    t.pressed = pressed;
                    self.pressed.lock(|p| p.set(pressed));
                    if pressed {
                        self.on_press(&mut t, now, &mut on_event);
                    } else {
                        self.on_release(&mut t, &mut on_event);
                    }
                }
                next_poll = now + c.debounce;
            }
            let wake = [t.long_at, t.double_at].into_iter().flatten().fold(next_poll, Instant::min);
            Timer::at(wake).await;
        }
    }

    fn on_press(&self, t: &mut Timing, now: Instant, on_event: &mut impl FnMut(ButtonEvent)) {
        let c = &self.config;
        if c.press {
            self.emit(ButtonEvent::Press, on_event);
        }
        if c.long && !(c.double && t.double_at.is_some()) {
            t.long_at = Some(now + c.long_press);
        }
        if c.double {
            if t.double_at.is_some() {
                t.double_at = None;
                t.double_pending = false;
                t.double_ran = true; // no suppressed release for this click
                self.emit(ButtonEvent::Double, on_event);
            } else {
                t.double_at = Some(now + c.double_click);
                t.double_pending = true;
            }
        }
    }

    fn on_release(&self, t: &mut Timing, on_event: &mut impl FnMut(ButtonEvent)) {
        let c = &self.config;
        if c.release {
            let long_not_fired = !c.long || t.long_at.is_some();
            if !c.suppress || (!t.double_pending && !t.double_ran && long_not_fired) {
                self.emit(ButtonEvent::Release, on_event);
            }
        }
        t.long_at = None;
        t.double_ran = false;
    }
}
