//! The HTU21D driver against fwsim-hw's datasheet model, in virtual time.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::Duration;
use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
use fwsim::{SimTime, secs};

use fwsim_drivers::{Htu21d, Htu21dError};
use fwsim_hw::i2c::{I2cContext, I2cDevice};
use fwsim_hw::{Board, Curve, devices};

#[test]
fn readings_follow_the_sensor_every_read_delay() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let heating = Curve::new(&[(SimTime::ZERO, 10.0), (SimTime::from_secs(100), 35.0)]);
        let drying = Curve::new(&[(SimTime::ZERO, 80.0), (SimTime::from_secs(100), 30.0)]);
        bus.attach(0x40, "htu21d", devices::Htu21d::new(heating.clone(), drying.clone()));
        let sensor = &*sim.alloc(Htu21d::<NoopRawMutex>::new());
        sim.spawn("htu21d", sensor.run(bus.handle(), Duration::from_secs(10)));
        // Trigger (20 bits: 50 µs), 60 ms, read (38 bits: 95 µs), the same for humidity:
        // ready at 120.29 ms.
        sim.run_until(SimTime::from_micros(120_289)).unwrap();
        assert!(!sensor.ready.is_set());
        sim.run_until(SimTime::from_micros(120_290)).unwrap();
        assert!(sensor.ready.is_set());
        for cycle in 1..=5u64 {
            sim.run_until(SimTime::from_nanos(cycle * 10_120_290_000 + 120_290_000)).unwrap();
            // Cycle k starts at k × (120.29 ms + 10 s); its temperature conversion begins
            // as the command byte is clocked in, 10 bits (25 µs) later, and its humidity
            // conversion 60.145 ms after that.
            let began = SimTime::from_nanos(cycle * 10_120_290_000 + 25_000);
            let t_expected = heating.at(began) as f32;
            let t = sensor.temperature();
            // Within half a 14-bit step (0.0054 °C) and f32 rounding.
            assert!((t - t_expected).abs() < 0.006, "cycle {cycle}: {t} vs {t_expected}");
            let h = sensor.humidity();
            let h_expected = drying.at(SimTime::from_nanos(began.as_nanos() + 60_145_000)) as f32;
            // Half a 12-bit step: 0.015 %RH.
            assert!((h - h_expected).abs() < 0.016, "cycle {cycle}: {h} vs {h_expected}");
        }
        assert_eq!(bus.transactions(), 6 * 4);
    });
}

/// A sensor whose CRC is always off by one.
struct BadCrc(Vec<u8>);

impl I2cDevice for BadCrc {
    fn start(&mut self, _ctx: &mut I2cContext, read: bool) -> bool {
        if read {
            self.0 = vec![0x66, 0x4C, fwsim_hw::devices::crc8_131(&[0x66, 0x4C]) ^ 1];
        }
        true
    }
    fn write(&mut self, _ctx: &mut I2cContext, _byte: u8) -> bool {
        true
    }
    fn read(&mut self, _ctx: &mut I2cContext) -> u8 {
        self.0.remove(0)
    }
}

#[test]
fn a_bad_crc_or_a_missing_sensor_ends_the_run_with_the_error() {
    fwsim::test(|sim| {
        let board = Board::new();
        let good_crc_bus = board.i2c_bus("I2C0", 100_000);
        good_crc_bus.attach(0x40, "htu21d", BadCrc(Vec::new()));
        let empty_bus = board.i2c_bus("I2C1", 100_000);
        let a = &*sim.alloc(Htu21d::<NoopRawMutex>::new());
        let b = &*sim.alloc(Htu21d::<NoopRawMutex>::new());
        let crc = sim.spawn("crc", a.run(good_crc_bus.handle(), Duration::from_secs(1)));
        let absent = sim.spawn("absent", b.run(empty_bus.handle(), Duration::from_secs(1)));
        sim.run_for(secs(1)).unwrap();
        assert_eq!(sim.join(crc).unwrap(), Htu21dError::Crc);
        assert_eq!(sim.join(absent).unwrap(), Htu21dError::Bus(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)));
        assert!(!a.ready.is_set() && !b.ready.is_set());
    });
}
