//! [`Keyboard`] and [`SwArray`]: crosspoint arrays of keys, scanned row by row.

use core::cell::Cell;
use core::convert::Infallible;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, Instant, Timer};
use embedded_hal::digital::{InputPin, OutputPin};
use fwsim_primitives::RingbufQueue;

/// How often an idle array is rescanned. MicroPython rescans with `sleep_ms(0)`, as fast as
/// its scheduler allows (a few hundred µs a round); a zero-time loop would never let an
/// executor idle (and fwsim would report it as a same-instant loop), so the port waits 1 ms.
pub const IDLE_SCAN: Duration = Duration::from_millis(1);

/// Reads every key: rows are driven low one at a time, a pressed key pulls its column low.
/// Bit `row * cols + col` is set for a pressed key.
fn scan<E, R: OutputPin<Error = E>, C: InputPin<Error = E>, const NR: usize, const NC: usize>(
    rows: &mut [R; NR],
    cols: &mut [C; NC],
) -> Result<u128, E> {
    let mut pressed = 0u128;
    for (r, row) in rows.iter_mut().enumerate() {
        row.set_low()?;
        for (c, col) in cols.iter_mut().enumerate() {
            if col.is_low()? {
                pressed |= 1 << (r * NC + c);
            }
        }
        row.set_high()?;
    }
    Ok(pressed)
}

/// Checks the array's size and releases every row (none driven) before the first scan.
fn prepare<E, R: OutputPin<Error = E>, const NR: usize>(rows: &mut [R; NR], cols: usize) -> Result<(), E> {
    assert!(NR * cols <= 128, "fwsim-drivers: at most 128 keys per array");
    rows.iter_mut().try_for_each(|row| row.set_high())
}

/// The toolkit's `Keyboard`: a crosspoint keypad that queues the scan code of each new press.
///
/// The scan code of the key at `(row, col)` is `row * cols + col`, so it indexes a string of
/// the keys in reading order — what the toolkit's documentation describes (`cmap =
/// "123456789*0#"`). (The toolkit's code actually numbers the keys in reverse, the last key
/// being 0; this port follows the documentation.) After any change the array is left alone
/// for `debounce` (50 ms); otherwise it is rescanned every [`IDLE_SCAN`]. The queue keeps the
/// last `Q` codes, overwriting the oldest. Up to 128 keys.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim::{Irq, Sim, SimTime};
/// use fwsim_drivers::Keyboard;
/// # use std::cell::Cell;
/// # use core::convert::Infallible;
/// # struct Row<'a>(&'a Cell<bool>);
/// # struct Col<'a>(&'a Cell<bool>, &'a Cell<bool>);
/// # impl embedded_hal::digital::ErrorType for Row<'_> { type Error = Infallible; }
/// # impl embedded_hal::digital::ErrorType for Col<'_> { type Error = Infallible; }
/// # impl embedded_hal::digital::OutputPin for Row<'_> {
/// #     fn set_low(&mut self) -> Result<(), Infallible> { self.0.set(true); Ok(()) }
/// #     fn set_high(&mut self) -> Result<(), Infallible> { self.0.set(false); Ok(()) }
/// # }
/// # impl embedded_hal::digital::InputPin for Col<'_> {
/// #     fn is_high(&mut self) -> Result<bool, Infallible> { Ok(!(self.0.get() && self.1.get())) }
/// #     fn is_low(&mut self) -> Result<bool, Infallible> { Ok(self.0.get() && self.1.get()) }
/// # }
/// // A 1×1 "array": one key between the row and the column.
/// let (row_low, held) = (Cell::new(false), Cell::new(false));
/// let pad = Keyboard::<NoopRawMutex, 8>::new();
/// let sim = Sim::new();
/// sim.spawn("pad", pad.run([Row(&row_low)], [Col(&row_low, &held)]));
/// let mut first = sim.spawn("reader", async { (pad.next().await, embassy_time::Instant::now().as_millis()) });
/// sim.schedule_isr(SimTime::from_millis(20), Irq::new(3, 1), || held.set(true));
/// sim.run_for(fwsim::ms(100)).unwrap();
/// assert_eq!(first.try_take(), Some(Ok((0, 20))));
/// assert!(pad.is_pressed(0));
/// ```
pub struct Keyboard<M: RawMutex, const Q: usize> {
    debounce: Duration,
    state: Mutex<M, Cell<u128>>,
    codes: RingbufQueue<M, u8, Q>,
}

impl<M: RawMutex, const Q: usize> Keyboard<M, Q> {
    /// A keypad with the toolkit's 50 ms debounce.
    pub const fn new() -> Self {
        Self::with_debounce(Duration::from_millis(50))
    }

    /// A keypad with another debounce time.
    pub const fn with_debounce(debounce: Duration) -> Self {
        Keyboard { debounce, state: Mutex::new(Cell::new(0)), codes: RingbufQueue::new() }
    }

    /// Whether the key is held now (debounced): Python's `kp[scan_code]`.
    pub fn is_pressed(&self, scan_code: u8) -> bool {
        scan_code < 128 && self.state.lock(Cell::get) & (1 << scan_code) != 0
    }

    /// The next scan code pressed (Python's `async for scan_code in kp`).
    pub async fn next(&self) -> u8 {
        self.codes.get().await
    }

    /// The scan code queued next, without waiting.
    pub fn try_next(&self) -> Option<u8> {
        self.codes.get_nowait().ok()
    }

    /// Scans for ever. Returns only a pin error.
    pub async fn run<E, R: OutputPin<Error = E>, C: InputPin<Error = E>, const NR: usize, const NC: usize>(
        &self,
        mut rows: [R; NR],
        mut cols: [C; NC],
    ) -> Result<Infallible, E> {
        prepare(&mut rows, NC)?;
        loop {
            let now = scan(&mut rows, &mut cols)?;
            let before = self.state.lock(|s| s.replace(now));
            let mut new = now & !before;
            while new != 0 {
                let code = new.trailing_zeros() as u8;
                let _ = self.codes.put_nowait(code); // full: the oldest is dropped
                new &= new - 1;
            }
            Timer::after(if now != before { self.debounce } else { IDLE_SCAN }).await;
        }
    }
}

impl<M: RawMutex, const Q: usize> Default for Keyboard<M, Q> {
    fn default() -> Self {
        Self::new()
    }
}

/// The kinds of event an [`SwArray`] reports; a configuration is an OR of them (plus
/// [`SwEvents::SUPPRESS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SwEvents(pub u8);

impl SwEvents {
    /// Contact closure.
    pub const CLOSE: SwEvents = SwEvents(1);
    /// Contact opening.
    pub const OPEN: SwEvents = SwEvents(2);
    /// Closed for longer than `long_press`.
    pub const LONG: SwEvents = SwEvents(4);
    /// Two closures within `double_click`.
    pub const DOUBLE: SwEvents = SwEvents(8);
    /// Disambiguate, as [`EButton`](crate::EButton)'s `suppress`: one gesture, one report.
    pub const SUPPRESS: SwEvents = SwEvents(16);

    /// Both sets of bits.
    pub const fn or(self, other: SwEvents) -> SwEvents {
        SwEvents(self.0 | other.0)
    }

    const fn has(self, other: SwEvents) -> bool {
        self.0 & other.0 != 0
    }
}

/// Where one key's gesture stands (timed mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gesture {
    Idle,
    /// Closed at `since`; long or release next.
    Held {
        since: Instant,
    },
    /// Released after a closure at `since`; a second closure or the double timeout next.
    Released {
        since: Instant,
    },
    /// Reported; waiting for the contact to open to report OPEN.
    Finishing,
}

/// The toolkit's `SwArray`: a crosspoint array of switches or buttons reporting
/// `(scan_code, event)` pairs: closures and openings, and — when `LONG`, `DOUBLE` or
/// `SUPPRESS` are configured — long presses and double clicks, timed per key.
///
/// Timing follows the toolkit: a long press or a missed double click is noticed at the first
/// scan *more than* `long_press` / `double_click` after the closure. Only the kinds in the
/// configuration are queued. Scan codes as [`Keyboard`]'s.
///
/// Fixed: without `SUPPRESS`, the toolkit reports a single short press with `LONG` or
/// `DOUBLE` configured as CLOSE, OPEN, then CLOSE, OPEN again when the double-click window
/// ends; here the window's end reports nothing more (as `EButton` does).
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim::{Irq, Sim, SimTime};
/// use fwsim_drivers::{SwArray, SwEvents};
/// # use std::cell::Cell;
/// # use core::convert::Infallible;
/// # struct Row<'a>(&'a Cell<bool>);
/// # struct Col<'a>(&'a Cell<bool>, &'a Cell<bool>);
/// # impl embedded_hal::digital::ErrorType for Row<'_> { type Error = Infallible; }
/// # impl embedded_hal::digital::ErrorType for Col<'_> { type Error = Infallible; }
/// # impl embedded_hal::digital::OutputPin for Row<'_> {
/// #     fn set_low(&mut self) -> Result<(), Infallible> { self.0.set(true); Ok(()) }
/// #     fn set_high(&mut self) -> Result<(), Infallible> { self.0.set(false); Ok(()) }
/// # }
/// # impl embedded_hal::digital::InputPin for Col<'_> {
/// #     fn is_high(&mut self) -> Result<bool, Infallible> { Ok(!(self.0.get() && self.1.get())) }
/// #     fn is_low(&mut self) -> Result<bool, Infallible> { Ok(self.0.get() && self.1.get()) }
/// # }
/// // A 1×1 "array": one key between the row and the column.
/// let (row_low, held) = (Cell::new(false), Cell::new(false));
/// let keys = SwArray::<NoopRawMutex, 8>::new(SwEvents::LONG.or(SwEvents::OPEN));
/// let sim = Sim::new();
/// sim.spawn("keys", keys.run([Row(&row_low)], [Col(&row_low, &held)]));
/// sim.schedule_isr(SimTime::from_millis(100), Irq::new(3, 1), || held.set(true));
/// sim.schedule_isr(SimTime::from_millis(1500), Irq::new(3, 1), || held.set(false));
/// sim.run_for(fwsim::secs(2)).unwrap();
/// assert_eq!(keys.try_next(), Some((0, SwEvents::LONG)));
/// assert_eq!(keys.try_next(), Some((0, SwEvents::OPEN)));
/// ```
pub struct SwArray<M: RawMutex, const Q: usize> {
    config: SwEvents,
    debounce: Duration,
    long_press: Duration,
    double_click: Duration,
    state: Mutex<M, Cell<u128>>,
    events: RingbufQueue<M, (u8, SwEvents), Q>,
}

impl<M: RawMutex, const Q: usize> SwArray<M, Q> {
    /// An array reporting the events in `config`, with the toolkit's 50/1000/400 ms timings.
    pub const fn new(config: SwEvents) -> Self {
        SwArray {
            config,
            debounce: Duration::from_millis(50),
            long_press: Duration::from_millis(1000),
            double_click: Duration::from_millis(400),
            state: Mutex::new(Cell::new(0)),
            events: RingbufQueue::new(),
        }
    }

    /// Whether the key is closed now (debounced).
    pub fn is_pressed(&self, scan_code: u8) -> bool {
        scan_code < 128 && self.state.lock(Cell::get) & (1 << scan_code) != 0
    }

    /// The next `(scan_code, event)` (Python's `async for`).
    pub async fn next(&self) -> (u8, SwEvents) {
        self.events.get().await
    }

    /// The next `(scan_code, event)` queued, without waiting.
    pub fn try_next(&self) -> Option<(u8, SwEvents)> {
        self.events.get_nowait().ok()
    }

    fn put(&self, code: usize, ev: SwEvents) {
        if self.config.has(ev) {
            let _ = self.events.put_nowait((code as u8, ev));
        }
    }

    /// Scans and times for ever. Returns only a pin error.
    pub async fn run<E, R: OutputPin<Error = E>, C: InputPin<Error = E>, const NR: usize, const NC: usize>(
        &self,
        mut rows: [R; NR],
        mut cols: [C; NC],
    ) -> Result<Infallible, E> {
        prepare(&mut rows, NC)?;
        let timed = self.config.has(SwEvents::LONG.or(SwEvents::DOUBLE).or(SwEvents::SUPPRESS));
        let suppress = self.config.has(SwEvents::SUPPRESS);
        let mut gestures = [Gesture::Idle; 128];
        let mut next_scan = Instant::now();
        // "More than t after": the first whole millisecond past the limit.
        let past = |since: Instant, t: Duration| since + t + Duration::from_millis(1);
        loop {
            let now = Instant::now();
            let mut keys = self.state.lock(Cell::get);
            if now >= next_scan {
                let before = keys;
                keys = scan(&mut rows, &mut cols)?;
                self.state.lock(|s| s.set(keys));
                let changed = keys ^ before;
                for (code, g) in gestures.iter_mut().enumerate().take(NR * NC) {
                    if changed & (1 << code) == 0 {
                        continue;
                    }
                    let closed = keys & (1 << code) != 0;
                    if !timed {
                        self.put(code, if closed { SwEvents::CLOSE } else { SwEvents::OPEN });
                    } else if closed && *g == Gesture::Idle {
                        if !suppress {
                            self.put(code, SwEvents::CLOSE);
                        }
                        *g = Gesture::Held { since: now };
                    }
                }
                next_scan = now + if changed != 0 { self.debounce } else { IDLE_SCAN };
            }
            // Advance every key's gesture on the debounced state.
            for (code, g) in gestures.iter_mut().enumerate().take(NR * NC) {
                let closed = keys & (1 << code) != 0;
                *g = match *g {
                    Gesture::Held { since } if closed && now >= past(since, self.long_press) => {
                        self.put(code, SwEvents::LONG);
                        Gesture::Finishing
                    }
                    Gesture::Held { since } if !closed => {
                        if !suppress {
                            self.put(code, SwEvents::OPEN);
                        }
                        Gesture::Released { since }
                    }
                    Gesture::Released { .. } if closed => {
                        self.put(code, SwEvents::DOUBLE);
                        Gesture::Finishing
                    }
                    Gesture::Released { since } if now >= past(since, self.double_click) => {
                        if suppress {
                            self.put(code, SwEvents::CLOSE);
                            self.put(code, SwEvents::OPEN);
                        }
                        Gesture::Idle
                    }
                    Gesture::Finishing if !closed => {
                        self.put(code, SwEvents::OPEN);
                        Gesture::Idle
                    }
                    other => other,
                };
            }
            let mut wake = next_scan;
            for g in &gestures[..NR * NC] {
                match *g {
                    Gesture::Held { since } => wake = wake.min(past(since, self.long_press)),
                    Gesture::Released { since } => wake = wake.min(past(since, self.double_click)),
                    _ => {}
                }
            }
            Timer::at(wake).await;
        }
    }
}
