//! ADC, PWM, RTC, watchdog, NOR flash and GPS, in virtual time.

mod support;

use embassy_time::Timer;
use embedded_hal::pwm::SetDutyCycle;
use embedded_io_async::Read;
use embedded_storage::nor_flash::{NorFlash, ReadNorFlash};
use fwsim::{SimTime, ms, secs};
use fwsim_hw::devices::{Gps, Track};
use fwsim_hw::storage::{Flash, FlashError};
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Curve};
use support::hardware_rules;

#[test]
fn pwm_duty_is_on_record() {
    fwsim::test(|_sim| {
        let board = Board::new();
        let mut led = board.pwm("LED_PWM", 1000);
        led.set_duty_cycle_percent(25).unwrap();
        assert_eq!(led.duty(), 0.25);
        led.set_duty_cycle_fully_on().unwrap();
        let record: Vec<String> = board.signals().of("LED_PWM").map(|c| format!("{:?}", c.value)).collect();
        assert_eq!(record, ["Text(\"250/1000\")", "Text(\"1000/1000\")"]);
    });
}

/// Firmware: sees only embedded-hal 0.2's watchdog traits.
async fn feeder<W>(mut dog: W)
where
    W: embedded_hal_02::watchdog::WatchdogEnable<Time = core::time::Duration> + embedded_hal_02::watchdog::Watchdog,
{
    dog.start(ms(100));
    for _ in 0..5 {
        Timer::after_millis(50).await;
        dog.feed();
    }
    // A 150 ms blocking section: the watchdog bites in the middle of it.
    fwsim::busy_wait(ms(150));
    dog.feed();
}

#[test]
fn a_watchdog_starved_by_a_blocking_section_resets() {
    fwsim::test(|sim| {
        let dog = Board::new().watchdog("iwdg", std::time::Duration::from_nanos(1));
        sim.spawn("feeder", feeder(dog.clone()));
        sim.run_for(ms(450)).unwrap();
        assert_eq!(dog.resets(), 1);
        let d = sim.take_diagnostics();
        assert_eq!(d.len(), 1);
        assert!(d[0].to_string().starts_with("0.350000000s: watchdog iwdg: WatchdogReset"), "{}", d[0]);
        // The feeder has ended; a started watchdog cannot be stopped: it bites again.
        sim.run_for(ms(100)).unwrap();
        assert_eq!(dog.resets(), 2);
        assert_eq!(hardware_rules(sim), ["WatchdogReset"]);
    });
}

#[test]
fn nor_flash_needs_erase_before_write_and_takes_time() {
    fwsim::test(|sim| {
        let flash: Flash<4, 4096> = Board::new().flash(16 * 1024);
        let mut f = flash.clone();
        sim.enter(|| {
            f.write(0, &[0x0F, 0xF0, 0x00, 0xFF]).unwrap();
            assert_eq!(fwsim::now(), SimTime::from_micros(50));
            f.write(0, &[0xFF, 0xFF, 0x12, 0x34]).unwrap();
            let mut back = [0u8; 4];
            f.read(0, &mut back).unwrap();
            assert_eq!(back, [0x0F, 0xF0, 0x00, 0x34], "NOR ANDs");
            assert_eq!(hardware_rules(sim), ["WriteWithoutErase"]);
            assert_eq!(f.erase(0, 4096), Ok(()));
            assert_eq!(fwsim::now(), SimTime::from_micros(25_100));
            f.read(0, &mut back).unwrap();
            assert_eq!(back, [0xFF; 4]);
            assert_eq!(f.write(2, &[0; 4]), Err(FlashError::NotAligned));
            assert_eq!(f.erase(0, 100), Err(FlashError::NotAligned));
            assert_eq!(f.write(16 * 1024, &[0; 4]), Err(FlashError::OutOfBounds));
        });
    });
}

#[test]
fn power_loss_tears_the_write_in_flight_and_stops_the_flash_until_reboot() {
    fwsim::test(|sim| {
        let flash: Flash<4, 4096> = Board::new().flash(8192);
        // Words take 50 µs: words 0..=3 finish by 200 µs, word 4 is cut at 210 µs.
        flash.power_loss_at(SimTime::from_micros(210));
        let mut f = flash.clone();
        let task = sim.spawn("logger", async move {
            let r = embedded_storage_async::nor_flash::NorFlash::write(&mut f, 0, &[0u8; 32]).await;
            let after = embedded_storage_async::nor_flash::NorFlash::write(&mut f, 64, &[0u8; 4]).await;
            (r, after, fwsim::now())
        });
        sim.run_for(ms(1)).unwrap();
        let (r, after, at) = sim.join(task).unwrap();
        assert_eq!((r, after), (Err(FlashError::PowerLost), Err(FlashError::PowerLost)));
        assert_eq!(at, SimTime::from_micros(210));
        let mem = flash.contents();
        assert_eq!(&mem[..16], &[0; 16], "the finished words");
        assert!(mem[20..32].iter().all(|b| *b == 0xFF), "never written");
        flash.reboot();
        let mut f = flash.clone();
        sim.enter(|| {
            f.erase(0, 4096).unwrap();
            assert_eq!(&flash.contents()[..32], &[0xFF; 32]);
        });
    });
}

#[test]
fn the_gps_sends_valid_nmea_every_second_with_a_fix_after_warm_up() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("GPS", UartConfig::new(9600));
        let track = Track {
            latitude: Curve::new(&[(SimTime::ZERO, 48.0), (SimTime::from_secs(10), 48.01)]),
            longitude: Curve::constant(-2.5),
            altitude: Curve::constant(35.0),
            speed_knots: Curve::constant(3.0),
            course: Curve::constant(90.0),
        };
        let gps = Gps::start(uart.peer(), track, 1_700_000_000, SimTime::from_secs(3));
        let lines = sim.spawn("reader", async move {
            let mut text = Vec::new();
            let mut buf = [0u8; 64];
            while text.len() < 2000 {
                let n = uart.read(&mut buf).await.unwrap();
                text.extend_from_slice(&buf[..n]);
            }
            String::from_utf8(text).unwrap()
        });
        sim.run_for(secs(10)).unwrap();
        let text = sim.join(lines).unwrap();
        assert!(gps.borrow().sentences() >= 20);
        let mut fixes = Vec::new();
        for line in text.split("\r\n").filter(|l| l.starts_with('$') && l.contains('*')) {
            match nmea::parse_str(line).unwrap_or_else(|e| panic!("{line}: {e:?}")) {
                nmea::ParseResult::RMC(rmc) => {
                    let t = rmc.fix_time.unwrap();
                    fixes.push((t.to_string(), rmc.lat, rmc.lon));
                }
                nmea::ParseResult::GGA(gga) => assert!(gga.fix_type.is_some(), "{line}"),
                other => panic!("unexpected {other:?}"),
            }
        }
        // 22:13:20 at virtual zero; void for 3 s, then the track.
        assert_eq!(fixes[0], ("22:13:20".to_string(), None, None));
        let (time, lat, lon) = &fixes[5];
        assert_eq!(time, "22:13:25");
        assert!((lat.unwrap() - 48.005).abs() < 1e-6 && (lon.unwrap() + 2.5).abs() < 1e-6, "{fixes:?}");
    });
}

#[test]
fn a_dropped_async_flash_write_still_completes() {
    fwsim::test(|sim| {
        let flash: Flash<4, 4096> = Board::new().flash(4096);
        let mut f = flash.clone();
        sim.spawn("t", async move {
            let write = embedded_storage_async::nor_flash::NorFlash::write(&mut f, 0, &[0x11; 16]);
            // 4 words × 50 µs; give up after 60 µs.
            let _ = embassy_futures::select::select(write, Timer::after_micros(60)).await;
        });
        sim.run_for(ms(1)).unwrap();
        assert_eq!(&flash.contents()[..16], &[0x11; 16]);
    });
}

#[test]
fn every_interrupt_source_of_a_board_has_its_own_number() {
    // Numbers were bases plus indices: GPIO pin 100 had UART 0's number (200).
    fwsim::test(|_sim| {
        let board = Board::new();
        let pins: Vec<_> = (0..300).map(|i| board.input(&format!("P{i}"), fwsim_hw::Pull::Up)).collect();
        let buttons: Vec<_> = pins
            .iter()
            .take(100)
            .enumerate()
            .map(|(i, p)| board.button(&format!("B{i}"), p, fwsim_hw::Level::Low))
            .collect();
        let uarts: Vec<_> = (0..20).map(|i| board.uart(&format!("U{i}"), UartConfig::new(9600))).collect();
        let i2c: Vec<_> = (0..10).map(|i| board.i2c_bus(&format!("I2C{i}"), 100_000)).collect();
        let spi: Vec<_> = (0..10).map(|i| board.spi_bus(&format!("SPI{i}"), 1_000_000)).collect();
        let own: Vec<_> = (0..100).map(|_| board.allocate_irq(5)).collect();
        let mut numbers: Vec<u16> = pins.iter().map(|p| p.irq().number).collect();
        numbers.extend(buttons.iter().map(|b| b.irq().number));
        numbers.extend(uarts.iter().map(|u| u.irq().number));
        numbers.extend(i2c.iter().map(|b| b.irq().number));
        numbers.extend(spi.iter().map(|b| b.irq().number));
        numbers.extend(own.iter().map(|i| i.number));
        let total = numbers.len();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), total, "two sources share an interrupt number");
        assert!(numbers.iter().all(|&n| n >= fwsim_hw::FIRST_BOARD_IRQ));
        assert_ne!(pins[100].irq(), uarts[0].irq());
    });
}

#[test]
fn a_power_cycle_reboots_the_flash_and_stops_the_watchdog() {
    fwsim::test(|sim| {
        let board = Board::new();
        let flash: Flash<4, 4096> = board.flash(4096);
        let dog = board.watchdog("iwdg", ms(10));
        let mut f = flash.clone();
        f.write(0, &[1, 2, 3, 4]).unwrap();
        flash.power_loss_at(fwsim::now());
        dog.start();
        sim.run_for(ms(1)).unwrap();
        board.power_cycle(); // before the watchdog's 10 ms: it never bites
        sim.run_for(ms(50)).unwrap();
        assert_eq!(dog.resets(), 0, "a power cycle stops the watchdog");
        assert_eq!(&flash.contents()[..4], &[1, 2, 3, 4], "flash keeps its memory");
        f.write(4, &[5, 6, 7, 8]).unwrap(); // powered again
        assert_eq!(&flash.contents()[4..8], &[5, 6, 7, 8]);
    });
}
