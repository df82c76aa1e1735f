//! [`Aadc`]: wait for an analog reading to leave (or enter) a band.

use core::cell::{Cell, RefCell};

use embassy_time::{Duration, Timer};

/// A 16-bit analog input (embedded-hal 1.0 has no ADC trait). Readings are scaled to
/// 0–65535, as MicroPython's `ADC.read_u16`.
pub trait ReadU16 {
    /// Takes a reading.
    fn read_u16(&mut self) -> u16;
}

/// The band an [`Aadc::wait`] watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    /// ± this much around the last reading (a fresh one if there is none): Python's
    /// `aadc(delta)`.
    Around(u16),
    /// From `.0` to `.1`, inclusive: `aadc(lower, upper)`.
    Between(u16, u16),
    /// The band of the previous wait: `aadc()`.
    Same,
}

/// The toolkit's `AADC`: an awaitable ADC that returns when the reading leaves the band
/// (or, after [`sense(false)`](Aadc::sense), when it is inside it).
///
/// MicroPython reads the ADC at every I/O poll of its scheduler; an embassy executor has no
/// such hook, so this port samples every `period` (1 ms by default) while a wait is pending,
/// and not at all otherwise.
///
/// ```
/// use fwsim_drivers::{Aadc, Band, ReadU16};
/// use std::cell::Cell;
///
/// struct Pot<'a>(&'a Cell<u16>);
/// impl ReadU16 for Pot<'_> {
///     fn read_u16(&mut self) -> u16 { self.0.get() }
/// }
///
/// # fwsim::test(|sim| {
/// let level = &*sim.alloc(Cell::new(30_000));
/// let aadc = &*sim.alloc_borrowing(Aadc::new(Pot(level))); // it borrows `level`
/// let mut waiter = sim.spawn("waiter", async move {
///     let v = aadc.wait(Band::Around(1_000)).await;
///     (v, embassy_time::Instant::now().as_millis())
/// });
/// sim.spawn("knob", async move {
///     embassy_time::Timer::after_millis(5).await;
///     level.set(31_500);
/// });
/// sim.run_for(fwsim::ms(20)).unwrap();
/// assert_eq!(waiter.try_take(), Some(Ok((31_500, 5))));
/// # });
/// ```
pub struct Aadc<A> {
    adc: RefCell<A>,
    band: Cell<(i32, i32)>,
    /// `true`: wait until outside the band.
    normal: Cell<bool>,
    last: Cell<Option<u16>>,
    period: Duration,
}

impl<A: ReadU16> Aadc<A> {
    /// Watches `adc`, sampling every millisecond while waiting; the band starts as the whole
    /// range, waiting for a reading outside it.
    pub fn new(adc: A) -> Self {
        Self::with_period(adc, Duration::from_millis(1))
    }

    /// As [`new`](Self::new), sampling every `period`.
    pub fn with_period(adc: A, period: Duration) -> Self {
        Aadc {
            adc: RefCell::new(adc),
            band: Cell::new((0, 65_535)),
            normal: Cell::new(true),
            last: Cell::new(None),
            period,
        }
    }

    fn sample(&self) -> u16 {
        let v = self.adc.borrow_mut().read_u16();
        self.last.set(Some(v));
        v
    }

    /// `true` (the default): waits end when the reading is outside the band; `false`: when it
    /// is inside.
    pub fn sense(&self, normal: bool) {
        self.normal.set(normal);
    }

    /// A fresh reading, or the last one taken (`last`; a fresh one if none was taken yet).
    pub fn read_u16(&self, last: bool) -> u16 {
        match (last, self.last.get()) {
            (true, Some(v)) => v,
            _ => self.sample(),
        }
    }

    /// Sets the band and waits for a reading on the wanted side of it; returns that reading.
    pub async fn wait(&self, band: Band) -> u16 {
        match band {
            Band::Around(d) => {
                let r = i32::from(self.last.get().unwrap_or_else(|| self.sample()));
                self.band.set((r - i32::from(d), r + i32::from(d)));
            }
            Band::Between(lo, hi) => self.band.set((i32::from(lo), i32::from(hi))),
            Band::Same => {}
        }
        loop {
            let v = self.sample();
            let (lo, hi) = self.band.get();
            let inside = (lo..=hi).contains(&i32::from(v));
            if inside != self.normal.get() {
                return v;
            }
            Timer::after(self.period).await;
        }
    }
}
