//! [`EButton`]: the toolkit's event-only pushbutton.

use core::cell::Cell;
use core::convert::Infallible;
use core::future::Future;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Instant, Timer};
use embedded_hal::digital::InputPin;
use fwsim_primitives::Event;

use crate::button::{button_methods, start};
use crate::{ButtonEvent, PushbuttonConfig};

/// The toolkit's `EButton`: four events (press, release, long, double) and simpler
/// suppression than [`Pushbutton`](crate::Pushbutton)'s.
///
/// Without `suppress`: press at the poll that sees it; long `long_press` later if still held;
/// a second press inside `double_click` sets double (and starts no new timers); release at
/// once. With `suppress`, a short click is only known to be single when the double-click
/// window ends: press *and* release are set then; a double click sets double and then
/// release; a long press sets long and then release.
///
/// Only `debounce`, `long_press`, `double_click`, `suppress` and `sense` of the
/// configuration apply (`EButton` has no per-event switches).
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim::{Irq, Sim, SimTime};
/// use fwsim_drivers::{EButton, PushbuttonConfig};
/// # use std::cell::Cell;
/// # struct Level<'a>(&'a Cell<bool>);
/// # impl embedded_hal::digital::ErrorType for Level<'_> { type Error = core::convert::Infallible; }
/// # impl embedded_hal::digital::InputPin for Level<'_> {
/// #     fn is_high(&mut self) -> Result<bool, Self::Error> { Ok(self.0.get()) }
/// #     fn is_low(&mut self) -> Result<bool, Self::Error> { Ok(!self.0.get()) }
/// # }
///
/// let level = Cell::new(true);
/// let button = EButton::<NoopRawMutex>::new(PushbuttonConfig::new().suppress(true));
/// let sim = Sim::new();
/// sim.spawn("button", button.run(Level(&level), |_| {}));
/// sim.schedule_isr(SimTime::from_millis(100), Irq::new(3, 1), || level.set(false));
/// sim.schedule_isr(SimTime::from_millis(200), Irq::new(3, 1), || level.set(true));
/// sim.run_until(SimTime::from_millis(499)).unwrap();
/// assert!(!button.press.is_set(), "a short click is only known at the window's end");
/// sim.run_until(SimTime::from_millis(500)).unwrap();
/// assert!(button.press.is_set() && button.release.is_set() && !button.double.is_set());
/// ```
pub struct EButton<M: RawMutex> {
    config: PushbuttonConfig,
    pressed: Mutex<M, Cell<bool>>,
    /// Set on a press (with `suppress`: on a single click, at the end of its window).
    pub press: Event<M>,
    /// Set on a release.
    pub release: Event<M>,
    /// Set on a long press.
    pub long: Event<M>,
    /// Set on a double click.
    pub double: Event<M>,
}

impl<M: RawMutex> EButton<M> {
    button_methods!("Polls `pin` and times presses for ever; calls `on_event` whenever an event is set.");

    async fn poll<P: InputPin>(
        &self,
        mut pin: P,
        sense: bool,
        mut pressed: bool,
        mut on_event: &mut impl FnMut(ButtonEvent),
    ) -> Result<Infallible, P::Error> {
        let c = self.config;
        self.pressed.lock(|p| p.set(pressed));
        let (mut long_at, mut double_at): (Option<Instant>, Option<Instant>) = (None, None);
        let mut next_poll = Instant::now();
        loop {
            let now = Instant::now();
            if long_at.is_some_and(|at| at <= now) {
                long_at = None;
                self.emit(ButtonEvent::Long, &mut on_event);
            }
            if double_at.is_some_and(|at| at <= now) {
                double_at = None;
                if c.suppress && long_at.is_none() {
                    // Released within the window and no second press: a single click.
                    self.emit(ButtonEvent::Press, &mut on_event);
                    self.emit(ButtonEvent::Release, &mut on_event);
                }
            }
            if next_poll <= now {
                let now_pressed = pin.is_high()? != sense;
                if now_pressed != pressed {
                    pressed = now_pressed;
                    self.pressed.lock(|p| p.set(pressed));
                    if pressed {
                        if !c.suppress {
                            self.emit(ButtonEvent::Press, &mut on_event);
                        }
                        if double_at.is_some() {
                            double_at = None;
                            self.emit(ButtonEvent::Double, &mut on_event);
                        } else {
                            double_at = Some(now + c.double_click);
                            long_at = Some(now + c.long_press);
                        }
                    } else {
                        long_at = None;
                        if !c.suppress || double_at.is_none() {
                            self.emit(ButtonEvent::Release, &mut on_event);
                        }
                    }
                }
                next_poll = now + c.debounce;
            }
            let wake = [long_at, double_at].into_iter().flatten().fold(next_poll, Instant::min);
            Timer::at(wake).await;
        }
    }
}
