//! I2C timing, NACKs, faults, device models and the embedded-hal-mock adapter.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use support::hardware_rules;

use embassy_time::Timer;
use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
use embedded_hal_async::i2c::I2c as _;
use fwsim::{SimTime, ms};
use fwsim_hw::devices::{Eeprom24, Htu21d, crc8_131};
use fwsim_hw::i2c::I2cFault;
use fwsim_hw::{Board, Curve};

const NACK_ADDRESS: ErrorKind = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);

#[test]
fn transfer_time_follows_the_bus_clock_exactly() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x50, "eeprom", Eeprom24::c02());
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            let t0 = fwsim::now().as_nanos();
            i2c.write(0x50, &[0x00]).await.unwrap();
            let write_one = fwsim::now().as_nanos() - t0;
            let t1 = fwsim::now().as_nanos();
            let mut buf = [0u8; 4];
            i2c.write_read(0x50, &[0x00], &mut buf).await.unwrap();
            let write_read = fwsim::now().as_nanos() - t1;
            let t2 = fwsim::now().as_nanos();
            let absent = i2c.write(0x23, &[1, 2, 3]).await;
            (write_one, write_read, absent, fwsim::now().as_nanos() - t2)
        });
        sim.run_for(ms(1)).unwrap();
        let (write_one, write_read, absent, absent_time) = sim.join(task).unwrap();
        // START + address + 1 byte + STOP = 20 bits of 2.5 µs.
        assert_eq!(write_one, 50_000);
        // START + addr + 1 + Sr + addr + 4 + STOP = 1+9+9+1+9+36+1 = 66 bits.
        assert_eq!(write_read, 165_000);
        // An absent address: START + address (NACK) + STOP.
        assert_eq!((absent, absent_time), (Err(NACK_ADDRESS), 27_500));
    });
}

#[test]
fn the_blocking_traits_spend_the_transfer_as_busy_time() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        bus.attach(0x50, "eeprom", Eeprom24::c02());
        let mut eh1 = bus.handle();
        let mut eh02 = bus.handle();
        let task = sim.spawn("t", async move {
            embedded_hal::i2c::I2c::write(&mut eh1, 0x50, &[0x00, 0xAB]).unwrap();
            let after_eh1 = fwsim::now();
            Timer::after_millis(5).await;
            let mut b = [0u8];
            embedded_hal_02::blocking::i2c::WriteRead::write_read(&mut eh02, 0x50, &[0x00], &mut b).unwrap();
            (after_eh1, b[0], fwsim::now())
        });
        sim.run_for(ms(10)).unwrap();
        let (after_eh1, byte, end) = sim.join(task).unwrap();
        // 1 + 9 + 18 + 1 = 29 bits at 10 µs.
        assert_eq!(after_eh1, SimTime::from_micros(290));
        assert_eq!(byte, 0xAB);
        // 5 ms later, 1 + 9 + 9 + 1 + 9 + 9 + 1 = 39 bits.
        assert_eq!(end, SimTime::from_micros(290 + 5000 + 390));
    });
}

#[test]
fn an_eeprom_nacks_during_its_write_cycle_and_wraps_page_writes() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let eeprom = Rc::new(RefCell::new(Eeprom24::c02()));
        bus.attach_shared(0x50, "eeprom", eeprom.clone());
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            i2c.write(0x50, &[0x08, 1, 2, 3, 4]).await.unwrap();
            // Acknowledge polling: NACK until the 5 ms write cycle ends.
            let mut polls = 0;
            while i2c.write(0x50, &[]).await == Err(NACK_ADDRESS) {
                polls += 1;
                Timer::after_micros(500).await;
            }
            let ready = fwsim::now();
            // Ten bytes from 0x0E: the 8-byte page 0x08..0x10 wraps after two.
            i2c.write(0x50, &[0x0E, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]).await.unwrap();
            Timer::after_millis(5).await;
            let mut all = [0u8; 4];
            // Sequential reads wrap at the end of the array.
            i2c.write_read(0x50, &[0xFE], &mut all).await.unwrap();
            (polls, ready, all)
        });
        sim.run_for(ms(20)).unwrap();
        let (polls, ready, all) = sim.join(task).unwrap();
        assert_eq!(polls, 10);
        assert!(ready >= SimTime::from_millis(5) && ready < SimTime::from_micros(5700), "{ready}");
        let mem = eeprom.borrow().memory()[0x08..0x10].to_vec();
        assert_eq!(mem, [12, 13, 14, 15, 16, 17, 18, 19]);
        assert_eq!(all, [0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(hardware_rules(sim), ["PageWrap"]);
    });
}

fn temperature_from(raw: u16) -> f64 {
    -46.85 + 175.72 * (raw & !3) as f64 / 65536.0
}

fn humidity_from(raw: u16) -> f64 {
    -6.0 + 125.0 * (raw & !3) as f64 / 65536.0
}

#[test]
fn an_htu21d_nacks_reads_during_conversion_and_returns_crc_checked_values() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let warming = Curve::new(&[(SimTime::ZERO, 20.0), (SimTime::from_secs(10), 30.0)]);
        bus.attach(0x40, "htu21d", Htu21d::new(warming, 55.0));
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            Timer::after_secs(5).await;
            i2c.write(0x40, &[0xF3]).await.unwrap();
            let mut frame = [0u8; 3];
            let early = i2c.read(0x40, &mut frame).await;
            Timer::after_millis(50).await;
            i2c.read(0x40, &mut frame).await.unwrap();
            let t = frame;
            i2c.write(0x40, &[0xF5]).await.unwrap();
            Timer::after_millis(16).await;
            i2c.read(0x40, &mut frame).await.unwrap();
            (early, t, frame)
        });
        sim.run_for(ms(6000)).unwrap();
        let (early, t, h) = sim.join(task).unwrap();
        assert_eq!(early, Err(NACK_ADDRESS));
        assert_eq!(crc8_131(&t[..2]), t[2]);
        assert_eq!(crc8_131(&h[..2]), h[2]);
        let raw_t = u16::from_be_bytes([t[0], t[1]]);
        let raw_h = u16::from_be_bytes([h[0], h[1]]);
        assert_eq!(raw_t & 0b10, 0, "status bit: temperature");
        assert_eq!(raw_h & 0b10, 0b10, "status bit: humidity");
        // The value at the START of conversion (5 s + 50 µs into a 20→30 °C ramp), within
        // half a step (14-bit temperature: 0.0054 °C; 12-bit humidity: 0.015 %RH).
        assert!((temperature_from(raw_t) - 25.0).abs() < 0.006, "{}", temperature_from(raw_t));
        assert!((humidity_from(raw_h) - 55.0).abs() < 0.016, "{}", humidity_from(raw_h));
    });
}

#[test]
fn htu21d_hold_master_stretches_the_clock_and_unknown_commands_are_reported() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x40, "htu21d", Htu21d::new(21.5, 40.0));
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            let mut frame = [0u8; 3];
            i2c.write_read(0x40, &[0xE3], &mut frame).await.unwrap();
            let held_until = fwsim::now();
            let bad = i2c.write(0x40, &[0x42]).await;
            (frame, held_until, bad)
        });
        sim.run_for(ms(100)).unwrap();
        let (frame, held_until, bad) = sim.join(task).unwrap();
        assert!((temperature_from(u16::from_be_bytes([frame[0], frame[1]])) - 21.5).abs() < 0.011);
        // The conversion begins as the command byte is clocked in (after START + address,
        // 10 bits) and takes 50 ms; the read's address phase waits for it; then the address
        // acknowledge, 3 bytes and the STOP follow at the bus clock (9 + 27 + 1 bits).
        assert_eq!(held_until.as_nanos(), 10 * 2_500 + 50_000_000 + (9 + 27 + 1) * 2_500);
        assert_eq!(bad, Err(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data)));
        assert_eq!(hardware_rules(sim), ["UnknownCommand"]);
    });
}

#[test]
fn injected_faults_fail_the_transactions_they_hit() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x50, "eeprom", Eeprom24::c02());
        bus.inject_at(SimTime::from_millis(1), I2cFault::Nack);
        bus.inject_at(SimTime::from_millis(2), I2cFault::ArbitrationLoss);
        bus.inject_at(SimTime::from_millis(3), I2cFault::StuckSda { until: SimTime::from_millis(5) });
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            let mut results = Vec::new();
            for t in [0u64, 1, 2, 3, 4, 5] {
                Timer::at(embassy_time::Instant::from_millis(t)).await;
                let mut b = [0u8];
                results.push(i2c.write_read(0x50, &[0], &mut b).await.err());
            }
            results
        });
        sim.run_for(ms(10)).unwrap();
        assert_eq!(
            sim.join(task).unwrap(),
            [
                None,
                Some(NACK_ADDRESS),
                Some(ErrorKind::ArbitrationLoss),
                Some(ErrorKind::Bus),
                Some(ErrorKind::Bus),
                None
            ]
        );
    });
}

fn random_fault_pattern(seed: u64) -> Vec<bool> {
    let out = std::sync::Mutex::new(Vec::new());
    fwsim::test_with(fwsim::SimConfig::new().seed(seed), |sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x50, "eeprom", Eeprom24::c02());
        bus.random_faults(200_000);
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            let mut failed = Vec::new();
            for _ in 0..64 {
                let mut b = [0u8];
                failed.push(i2c.write_read(0x50, &[0], &mut b).await.is_err());
            }
            failed
        });
        sim.run_for(ms(100)).unwrap();
        *out.lock().unwrap() = sim.join(task).unwrap();
    });
    out.into_inner().unwrap()
}

#[test]
fn random_faults_follow_the_seed() {
    let a = random_fault_pattern(3);
    let failures = a.iter().filter(|f| **f).count();
    assert!((4..=24).contains(&failures), "{failures} of 64 at 20%");
    assert_eq!(a, random_fault_pattern(3));
    assert_ne!(a, random_fault_pattern(4));
}

#[test]
fn an_embedded_hal_mock_transaction_list_stands_in_as_a_device() {
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        let mut mock = Mock::new(&[
            Transaction::write_read(0x68, vec![0x75], vec![0x68]),
            Transaction::write(0x68, vec![0x6B, 0x00]),
        ]);
        bus.attach(0x68, "mpu6050", fwsim_hw::i2c::MockDevice::new(mock.clone()));
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            let mut who = [0u8];
            i2c.write_read(0x68, &[0x75], &mut who).await.unwrap();
            i2c.write(0x68, &[0x6B, 0x00]).await.unwrap();
            who[0]
        });
        sim.run_for(ms(5)).unwrap();
        assert_eq!(sim.join(task).unwrap(), 0x68);
        mock.done();
        assert_eq!(bus.transactions(), 2);
    });
}

#[test]
fn an_eeprom_reports_a_page_wrap_however_short_the_write() {
    // 20 bytes at 0x10 of a 32-byte page: the 17th byte wraps to 0x00. (The check used to
    // fire only after a whole page plus one byte.)
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let eeprom = Rc::new(RefCell::new(Eeprom24::c32()));
        bus.attach_shared(0x50, "eeprom", eeprom.clone());
        let mut i2c = bus.handle();
        let data: Vec<u8> = (0..20).collect();
        let task = sim.spawn("t", async move {
            let mut frame = vec![0x00, 0x10];
            frame.extend_from_slice(&data);
            i2c.write(0x50, &frame).await.unwrap();
        });
        sim.run_for(ms(10)).unwrap();
        sim.join(task).unwrap();
        let mem = eeprom.borrow().memory()[..0x20].to_vec();
        assert_eq!(&mem[0x10..0x20], (0..16).collect::<Vec<u8>>().as_slice());
        assert_eq!(&mem[..4], &[16, 17, 18, 19], "wrapped over the page start");
        assert_eq!(hardware_rules(sim), ["PageWrap"]);
    });
}

#[test]
fn a_24c16_takes_its_block_from_the_device_address() {
    // eeprom24x's 24x16 writes 0x1F0 as device address 0x51, word address 0xF0.
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let part = Eeprom24::c16();
        assert_eq!(part.address_span(), 8);
        let eeprom = Rc::new(RefCell::new(part));
        bus.attach_span(0x50, 8, "24c16", eeprom.clone());
        let mut i2c = bus.handle();
        let task = sim.spawn("t", async move {
            i2c.write(0x51, &[0xF0, 0xAB, 0xCD]).await.unwrap();
            Timer::after_millis(5).await;
            let mut back = [0u8; 2];
            i2c.write_read(0x51, &[0xF0], &mut back).await.unwrap();
            let mut other_block = [0u8; 1];
            i2c.write_read(0x50, &[0xF0], &mut other_block).await.unwrap();
            (back, other_block)
        });
        sim.run_for(ms(20)).unwrap();
        let (back, other_block) = sim.join(task).unwrap();
        assert_eq!(back, [0xAB, 0xCD]);
        assert_eq!(other_block, [0xFF], "block 0 is untouched");
        let memory = eeprom.borrow().memory().to_vec();
        assert_eq!((memory[0x1F0], memory[0x1F1], memory[0x0F0]), (0xAB, 0xCD, 0xFF));
    });
}

#[test]
fn attach_hands_back_the_device_for_inspection() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let eeprom = bus.attach(0x50, "eeprom", Eeprom24::c02());
        let mut i2c = bus.handle();
        sim.spawn("firmware", async move { i2c.write(0x50, &[0x00, 42]).await.unwrap() });
        sim.run_for(ms(1)).unwrap();
        assert_eq!(eeprom.borrow().memory()[0], 42);
    });
}
