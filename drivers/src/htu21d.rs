//! [`Htu21d`]: the toolkit's HTU21D temperature and humidity driver (`htu21d_mc.py`).

use core::cell::Cell;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, Timer};
use embedded_hal_async::i2c::I2c;
use fwsim_primitives::Event;

/// The sensor's fixed address.
pub const HTU21D_ADDRESS: u8 = 0x40;
/// "Trigger temperature measurement, no hold master".
const START_TEMPERATURE: u8 = 0xF3;
/// "Trigger humidity measurement, no hold master".
const START_HUMIDITY: u8 = 0xF5;
/// The toolkit waits this long between trigger and read: longer than the worst conversion
/// (50 ms at 14 bits).
const PAUSE: Duration = Duration::from_millis(60);

/// What went wrong with a reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Htu21dError<E> {
    /// The bus failed (e.g. a NACK: the sensor is absent or still converting).
    Bus(E),
    /// The CRC byte did not match the reading (the toolkit's `OSError('HTU21D CRC Fail')`).
    Crc,
}

/// The toolkit's `HTU21D`: a task reads temperature and humidity every `read_delay`; the
/// latest values are kept here and [`ready`](Htu21d::ready) is set after the first pair.
///
/// Differences from the Python, on purpose:
/// * the two status bits are cleared before conversion, as the datasheet requires (the
///   toolkit converts them too, reading up to 0.008 °C / 0.006 %RH high);
/// * a bus error or bad CRC ends [`run`](Htu21d::run) with an error, as the exception ends
///   the Python task; [`read`](Htu21d::read) takes one pair for loops that want to retry.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_drivers::Htu21d;
/// use fwsim_hw::{Board, devices};
///
/// fwsim::test(|sim| {
///     let board = Board::new();
///     let bus = board.i2c_bus("I2C0", 400_000);
///     bus.attach(0x40, "htu21d", devices::Htu21d::new(22.5, 48.0));
///     let sensor = &*sim.alloc(Htu21d::<NoopRawMutex>::new());
///     sim.spawn("htu21d", sensor.run(bus.handle(), embassy_time::Duration::from_secs(10)));
///     sim.run_for(fwsim::secs(1)).unwrap();
///     assert!(sensor.ready.is_set());
///     assert!((sensor.temperature() - 22.5).abs() < 0.02);
///     assert!((sensor.humidity() - 48.0).abs() < 0.05);
/// });
/// ```
pub struct Htu21d<M: RawMutex> {
    values: Mutex<M, Cell<(f32, f32)>>,
    /// Set once the first temperature and humidity are in.
    pub ready: Event<M>,
}

impl<M: RawMutex> Default for Htu21d<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: RawMutex> Htu21d<M> {
    /// No reading yet.
    pub const fn new() -> Self {
        Htu21d { values: Mutex::new(Cell::new((0.0, 0.0))), ready: Event::new() }
    }

    /// The latest temperature in °C.
    pub fn temperature(&self) -> f32 {
        self.values.lock(|v| v.get().0)
    }

    /// The latest relative humidity in %.
    pub fn humidity(&self) -> f32 {
        self.values.lock(|v| v.get().1)
    }

    /// Reads temperature then humidity every `read_delay`, forever, or until a reading
    /// fails.
    pub async fn run<I: I2c>(&self, mut i2c: I, read_delay: Duration) -> Htu21dError<I::Error> {
        loop {
            match Self::read(&mut i2c).await {
                Ok(pair) => {
                    self.values.lock(|v| v.set(pair));
                    self.ready.set();
                }
                Err(e) => return e,
            }
            Timer::after(read_delay).await;
        }
    }

    /// One reading: (°C, %RH).
    pub async fn read<I: I2c>(i2c: &mut I) -> Result<(f32, f32), Htu21dError<I::Error>> {
        let raw_t = get_data(i2c, START_TEMPERATURE).await?;
        let raw_h = get_data(i2c, START_HUMIDITY).await?;
        let t = -46.85 + 175.72 * raw_t as f32 / 65536.0;
        let h = -6.0 + 125.0 * raw_h as f32 / 65536.0;
        Ok((t, h))
    }
}

/// Triggers a measurement, waits, reads the word and checks its CRC by the toolkit's long
/// division (divisor 0x131 << 15).
async fn get_data<I: I2c>(i2c: &mut I, command: u8) -> Result<u16, Htu21dError<I::Error>> {
    i2c.write(HTU21D_ADDRESS, &[command]).await.map_err(Htu21dError::Bus)?;
    Timer::after(PAUSE).await;
    let mut frame = [0u8; 3];
    i2c.read(HTU21D_ADDRESS, &mut frame).await.map_err(Htu21dError::Bus)?;
    let mut remainder = (u32::from(frame[0]) << 16) | (u32::from(frame[1]) << 8) | u32::from(frame[2]);
    let (mut divisor, mut bit) = (0x131u32 << 15, 1u32 << 23);
    while bit > 128 {
        if remainder & bit != 0 {
            remainder ^= divisor;
        }
        divisor >>= 1;
        bit >>= 1;
    }
    if remainder != 0 {
        return Err(Htu21dError::Crc);
    }
    Ok(u16::from_be_bytes([frame[0], frame[1]]) & !0b11)
}
