//! The BME280 model read by the unmodified bme280-rs 0.4 (blocking and async).

mod support;

use bme280_rs::{AsyncBme280, Bme280 as Driver, Configuration, Oversampling, SensorMode, StandbyTime};
use fwsim::{Delay, SimTime, ms, secs};
use fwsim_hw::devices::Bme280;
use fwsim_hw::{Board, Curve};
use support::hardware_rules;

fn config(mode: SensorMode) -> Configuration {
    Configuration::default()
        .with_temperature_oversampling(Oversampling::Oversample1)
        .with_pressure_oversampling(Oversampling::Oversample4)
        .with_humidity_oversampling(Oversampling::Oversample1)
        .with_standby_time(StandbyTime::Millis125)
        .with_sensor_mode(mode)
}

/// Six forced measurements 10 s apart on a ramp; `settle` waits that long after forcing
/// before reading. Returns (when forced, °C, Pa, %RH) and the hardware rules reported.
/// (when forced, °C, Pa, %RH).
type Reading = (SimTime, f32, f32, f32);

fn forced_run(settle_ms: u64) -> (Vec<Reading>, Vec<&'static str>) {
    let out = std::sync::Mutex::new(None);
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x76, "bme280", Bme280::new(warm(), storm(), damp()));
        let i2c = bus.handle();
        let task = sim.spawn("sensor", async move {
            let mut bme = Driver::new(i2c, Delay);
            bme.init().unwrap();
            assert_eq!(bme.chip_id().unwrap(), bme280_rs::CHIP_ID);
            bme.set_sampling_configuration(config(SensorMode::Forced)).unwrap();
            let mut samples = Vec::new();
            for _ in 0..6 {
                embassy_time::Timer::after_secs(10).await;
                let at = fwsim::now();
                assert!(bme.take_forced_measurement().unwrap());
                embassy_time::Timer::after_millis(settle_ms).await;
                let s = bme.read_sample().unwrap();
                samples.push((at, s.temperature.unwrap(), s.pressure.unwrap(), s.humidity.unwrap()));
            }
            samples
        });
        sim.run_for(secs(70)).unwrap();
        let samples = sim.join(task).unwrap();
        let rules = hardware_rules(sim);
        *out.lock().unwrap() = Some((samples, rules));
    });
    out.into_inner().unwrap().unwrap()
}

fn warm() -> Curve {
    Curve::new(&[(SimTime::ZERO, -10.0), (SimTime::from_secs(60), 45.0)])
}
fn storm() -> Curve {
    Curve::new(&[(SimTime::ZERO, 101_325.0), (SimTime::from_secs(60), 96_000.0)])
}
fn damp() -> Curve {
    Curve::new(&[(SimTime::ZERO, 20.0), (SimTime::from_secs(60), 90.0)])
}

/// Within the output quantum (0.01 °C, 1/256 Pa, 1/1024 %RH) plus the ADC step of the
/// inversion, of the curves at `at`.
fn assert_reading(at: SimTime, (t, p, h): (f32, f32, f32)) {
    let (te, pe, he) = (warm().at(at), storm().at(at), damp().at(at));
    assert!((f64::from(t) - te).abs() <= 0.011, "{at}: {t} °C vs {te}");
    assert!((f64::from(p) - pe).abs() <= 0.6, "{at}: {p} Pa vs {pe}");
    assert!((f64::from(h) - he).abs() <= 0.02, "{at}: {h} % vs {he}");
}

#[test]
fn forced_readings_match_the_scenario_once_the_conversion_has_ended() {
    // The conversion (osrs ×1/×4/×1) takes at most 1.25 + 2.3 + (9.2 + 0.575) +
    // (2.3 + 0.575) = 16.2 ms; wait 17.
    let (samples, rules) = forced_run(17);
    for (at, t, p, h) in samples {
        // The model samples when the conversion starts: the ctrl_meas write, 47.5 µs
        // after `at` at 400 kHz; the ramps move by well under a quantum in that time.
        assert_reading(at, (t, p, h));
    }
    assert!(rules.is_empty(), "{rules:?}");
}

#[test]
fn bme280_rs_0_4_reads_the_previous_forced_measurement() {
    // bme280-rs 0.4.1 decodes the status register's `measuring` flag from bit 2; the
    // datasheet (5.4.4) puts it at bit 3. So take_forced_measurement never waits, and
    // read_sample right after it gets the data registers before the conversion ends:
    // each reading is the previous measurement's. The model reports the stale read.
    let (samples, rules) = forced_run(0);
    assert_eq!(rules, ["StaleRead"]);
    for pair in samples.windows(2) {
        let (previous_at, now) = (pair[0].0, pair[1]);
        assert_reading(previous_at, (now.1, now.2, now.3));
    }
}

#[test]
fn the_async_driver_in_normal_mode() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        bus.attach(0x77, "bme280", Bme280::new(21.25, 100_000.0, 45.5));
        let i2c = bus.handle();
        let task = sim.spawn("sensor", async move {
            let mut bme = AsyncBme280::new_with_address(i2c, 0x77, Delay);
            bme.init().await.unwrap();
            bme.set_sampling_configuration(config(SensorMode::Normal)).await.unwrap();
            embassy_time::Timer::after_millis(500).await;
            bme.read_sample().await.unwrap()
        });
        sim.run_for(secs(1)).unwrap();
        let s = sim.join(task).unwrap();
        assert!((s.temperature.unwrap() - 21.25).abs() <= 0.011, "{s:?}");
        assert!((s.pressure.unwrap() - 100_000.0).abs() <= 0.6, "{s:?}");
        assert!((s.humidity.unwrap() - 45.5).abs() <= 0.02, "{s:?}");
    });
}

#[test]
fn reading_before_the_conversion_ends_gives_stale_data_and_is_reported() {
    use embedded_hal::i2c::I2c as _;
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(
            0x76,
            "bme280",
            Bme280::new(Curve::new(&[(SimTime::ZERO, 10.0), (SimTime::from_secs(1), 30.0)]), 100_000.0, 50.0),
        );
        let mut i2c = bus.handle();
        sim.enter(|| {
            sim.run_for(ms(10)).unwrap();
            // osrs_t ×1, forced: a conversion of 1.25 + 2.3 = 3.55 ms.
            // osrs_t = 001, osrs_p = 000, mode = 01 (forced).
            i2c.write(0x76, &[0xF4, 0b0010_0001]).unwrap();
            let mut raw = [0u8; 3];
            i2c.write_read(0x76, &[0xFA], &mut raw).unwrap();
            assert_eq!(raw, [0x80, 0, 0], "still the reset value");
            let mut status = [0u8];
            i2c.write_read(0x76, &[0xF3], &mut status).unwrap();
            assert_eq!(status[0] & 0x08, 0x08, "measuring");
            sim.run_for(ms(4)).unwrap();
            i2c.write_read(0x76, &[0xF3], &mut status).unwrap();
            assert_eq!(status[0] & 0x08, 0, "done");
            i2c.write_read(0x76, &[0xFA], &mut raw).unwrap();
            assert_ne!(raw, [0x80, 0, 0]);
            let d = sim.take_diagnostics();
            assert_eq!(d.len(), 1);
            assert!(d[0].to_string().contains("StaleRead"), "{}", d[0]);
        });
    });
}

/// `bme280` 0.5.1 (another crate than `bme280-rs`) sets oversampling ×16 for all three
/// quantities by default, whose forced conversion takes up to 46.1 ms (datasheet, 9.1), and
/// then waits a fixed 40 ms before reading: the read comes during the conversion.
/// * Measured once a second, the first reading is the reset value ("skipped"), and every
///   later one is the *previous* conversion's: one measurement stale.
/// * Measured back to back, the next `measure` finds the part still converting, soft-resets
///   it (losing the oversampling settings), and every reading stays the reset value.
#[test]
fn bme280_0_5_reads_before_its_own_default_conversion_ends() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        // 10 °C rising 10 °C a second: a stale reading lags visibly.
        let ramp = Curve::new(&[(SimTime::ZERO, 10.0), (SimTime::from_secs(10), 110.0)]);
        let sensor = bus.attach(0x76, "bme280", Bme280::new(ramp.clone(), 100_000.0, 50.0));
        sim.run_for(ms(5)).unwrap();
        let mut delay = board.delay();
        let mut bme = bme280::i2c::BME280::new_primary(bus.handle());
        bme.init(&mut delay).unwrap();
        let mut readings = Vec::new();
        for _ in 0..3 {
            let started = fwsim::now();
            readings.push((ramp.at(started) as f32, bme.measure(&mut delay).unwrap().temperature));
            sim.run_for(secs(1)).unwrap();
        }
        let skipped = readings[0].1;
        assert!((skipped - readings[0].0).abs() > 5.0, "the first reading is no measurement: {readings:?}");
        for k in 1..3 {
            let (now, got) = readings[k];
            let previous = readings[k - 1].0;
            assert!((got - previous).abs() < 0.5 && (got - now).abs() > 5.0, "reading {k} is one stale: {readings:?}");
        }
        assert_eq!(sensor.borrow().stale_reads(), 3);
        // Back to back: from the second call on, the part is still converting when `measure`
        // starts, so it is reset, and stays at the reset value.
        let again: Vec<f32> = (0..3).map(|_| bme.measure(&mut delay).unwrap().temperature).collect();
        assert!(again[1..].iter().all(|&t| t == skipped), "stuck at the reset value: {again:?}");
        assert_eq!(hardware_rules(sim), ["StaleRead"], "the model says so, once");
    });
}
