//! [`Encoder`]: a quadrature knob, counted in interrupts and scaled in a task.

use core::cell::Cell;
use core::fmt;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, Timer};
use fwsim_primitives::{Event, ThreadSafeFlag};

/// How an [`Encoder`] scales its count. The defaults are the toolkit's: start at 0, divide
/// by 1, no limits, no modulo, 100 ms settling delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncoderConfig {
    /// The starting value.
    pub initial: i32,
    /// Edges per reported step (4 for a knob with a detent per full quadrature cycle).
    pub div: i32,
    /// The lowest value reported.
    pub min: Option<i32>,
    /// The highest value reported.
    pub max: Option<i32>,
    /// Values wrap modulo this (after the limits), as Python's `%`: never negative.
    pub modulo: Option<i32>,
    /// After an edge, how long to wait for the motion to stop before sampling (also the
    /// longest rate of callbacks).
    pub delay: Duration,
}

impl EncoderConfig {
    /// The toolkit's defaults.
    pub const fn new() -> Self {
        EncoderConfig { initial: 0, div: 1, min: None, max: None, modulo: None, delay: Duration::from_millis(100) }
    }
}

impl Default for EncoderConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// A configuration the encoder cannot start with (Python's `ValueError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncoderError {
    /// `initial` lies outside `min..=max`.
    InitialOutOfRange,
    /// `div` is not positive, or `modulo` is not positive.
    BadDivisor,
}

impl fmt::Display for EncoderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EncoderError::InitialOutOfRange => "incompatible args: must have min <= initial <= max",
            EncoderError::BadDivisor => "div and modulo must be positive",
        })
    }
}

impl core::error::Error for EncoderError {}

/// The toolkit's `Encoder`.
///
/// Interrupts on both edges of both pins call [`on_x_edge`](Encoder::on_x_edge) /
/// [`on_y_edge`](Encoder::on_y_edge) with the two pin levels; they count edges (±1 each, by
/// the quadrature phase) and set a flag. [`run`](Encoder::run), spawned once, waits for the
/// flag, lets the motion settle for `delay`, samples the count, divides it (rounding half to
/// even, as Python's `round`), clamps the change to `min`/`max`, wraps it by `modulo`, and —
/// only if the value really changed — calls the callback with `(value, delta)` and wakes
/// [`changed`](Encoder::changed) (Python's `async for`).
///
/// Use a `CriticalSectionRawMutex`: the edges come from interrupts.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
/// use fwsim::{Irq, Sim, SimTime};
/// use fwsim_drivers::{Encoder, EncoderConfig};
/// use std::cell::Cell;
///
/// let knob = Encoder::<CriticalSectionRawMutex>::new(EncoderConfig { max: Some(10), ..EncoderConfig::new() }, false, false).unwrap();
/// let last = Cell::new((0, 0));
/// let sim = Sim::new();
/// sim.spawn("knob", knob.run(|value, delta| last.set((value, delta))));
/// // Four edges of one quadrature cycle, forwards: x rises, y rises, x falls, y falls.
/// for (i, (x_edge, x, y)) in [(true, true, false), (false, true, true), (true, false, true), (false, false, false)].into_iter().enumerate() {
///     let knob = &knob;
///     sim.schedule_isr(SimTime::from_millis(10 + i as u64), Irq::new(2, 7), move || {
///         if x_edge { knob.on_x_edge(x, y) } else { knob.on_y_edge(x, y) }
///     });
/// }
/// sim.run_for(fwsim::secs(1)).unwrap();
/// assert_eq!(last.get(), (4, 4));
/// assert_eq!(knob.value(), 4);
/// ```
pub struct Encoder<M: RawMutex> {
    config: EncoderConfig,
    /// Edge count and the last levels of x and y, updated in interrupts.
    hw: Mutex<M, Cell<(i32, bool, bool)>>,
    edge: ThreadSafeFlag<M>,
    value: Mutex<M, Cell<i32>>,
    change: Event<M>,
}

/// `round(n / d)` with ties to even, for `d > 0`.
fn round_half_even(n: i32, d: i32) -> i32 {
    let (q, r) = (n.div_euclid(d), n.rem_euclid(d));
    match (2 * r).cmp(&d) {
        core::cmp::Ordering::Less => q,
        core::cmp::Ordering::Greater => q + 1,
        core::cmp::Ordering::Equal => q + (q & 1),
    }
}

impl<M: RawMutex> Encoder<M> {
    /// An encoder whose pins read `x` and `y` now.
    pub fn new(config: EncoderConfig, x: bool, y: bool) -> Result<Self, EncoderError> {
        if config.div <= 0 || config.modulo.is_some_and(|m| m <= 0) {
            return Err(EncoderError::BadDivisor);
        }
        if config.min.is_some_and(|m| config.initial < m) || config.max.is_some_and(|m| config.initial > m) {
            return Err(EncoderError::InitialOutOfRange);
        }
        Ok(Encoder {
            config,
            hw: Mutex::new(Cell::new((config.initial * config.div, x, y))),
            edge: ThreadSafeFlag::new(),
            value: Mutex::new(Cell::new(config.initial)),
            change: Event::new(),
        })
    }

    /// The x pin changed (call from its interrupt, with both levels read now).
    pub fn on_x_edge(&self, x: bool, y: bool) {
        let moved = self.hw.lock(|hw| {
            let (count, old_x, old_y) = hw.get();
            if x == old_x {
                return false; // a second edge came before the interrupt ran: no movement
            }
            hw.set((count + if x != y { 1 } else { -1 }, x, old_y));
            true
        });
        if moved {
            self.edge.set();
        }
    }

    /// The y pin changed (call from its interrupt, with both levels read now).
    pub fn on_y_edge(&self, x: bool, y: bool) {
        let moved = self.hw.lock(|hw| {
            let (count, old_x, old_y) = hw.get();
            if y == old_y {
                return false;
            }
            hw.set((count + if y != x { -1 } else { 1 }, old_x, y));
            true
        });
        if moved {
            self.edge.set();
        }
    }

    /// The current value.
    pub fn value(&self) -> i32 {
        self.value.lock(Cell::get)
    }

    /// Waits for the next change of value and returns it (Python's `async for v in enc`).
    pub async fn changed(&self) -> i32 {
        self.change.wait().await;
        self.change.clear();
        self.value()
    }

    /// Scales edges into values for ever; calls `on_change(value, delta)` at each change.
    pub async fn run(&self, mut on_change: impl FnMut(i32, i32)) -> ! {
        let c = self.config;
        let mut prior_count = self.hw.lock(|hw| hw.get().0);
        let mut prior_divided = c.initial;
        let mut value = c.initial;
        loop {
            if c.delay > Duration::from_ticks(0) {
                // Forget edges already covered by the last sample.
                self.edge.clear();
            }
            self.edge.wait().await;
            Timer::after(c.delay).await;
            let count = self.hw.lock(|hw| hw.get().0);
            if count == prior_count {
                continue; // moved and came back before the sample
            }
            prior_count = count;
            let divided = round_half_even(count, c.div);
            let step = divided - prior_divided;
            if step == 0 {
                continue;
            }
            let mut next = value + step;
            if let Some(max) = c.max {
                next = next.min(max);
            }
            if let Some(min) = c.min {
                next = next.max(min);
            }
            if let Some(m) = c.modulo {
                next = next.rem_euclid(m);
            }
            self.value.lock(|v| v.set(next));
            if next != value {
                on_change(next, next - value);
                self.change.set();
            }
            prior_divided = divided;
            value = next;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rounding_matches_pythons_round() {
        // Python: [round(n / 4) for n in range(-10, 11)]
        let python = [-2, -2, -2, -2, -2, -1, -1, -1, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2];
        let ours: [i32; 21] = core::array::from_fn(|i| super::round_half_even(i as i32 - 10, 4));
        assert_eq!(ours, python);
        assert_eq!(super::round_half_even(5, 2), 2); // round(2.5) == 2
        assert_eq!(super::round_half_even(7, 2), 4); // round(3.5) == 4
    }
}
