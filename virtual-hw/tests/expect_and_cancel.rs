//! Timing assertions on the record, and what dropping an async HAL operation does.

use std::cell::RefCell;
use std::rc::Rc;

use embassy_futures::select::{Either, select};
use embassy_time::{Instant, Timer};
use embedded_hal::digital::OutputPin;
use embedded_hal_async::i2c::I2c as _;
use embedded_hal_async::spi::SpiDevice as _;
use embedded_io_async::Write as _;
use fwsim::{SimTime, ms};
use fwsim_hw::devices::Eeprom24;
use fwsim_hw::spi::{SpiContext, SpiTarget};
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level, Logic};

#[test]
fn expectations_find_events_and_explain_failures() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut led = board.output("LED", Drive::PushPull, Level::Low);
        let mut uart = board.uart("U", UartConfig::new(115_200));
        let _peer = uart.peer();
        sim.spawn("blink", async move {
            Timer::after_millis(10).await;
            led.set_high().unwrap();
            uart.write_all(b"A").await.unwrap();
            Timer::after_millis(10).await;
            led.set_low().unwrap();
        });
        sim.run_for(ms(50)).unwrap();
        let t0 = SimTime::ZERO;
        assert_eq!(board.expect("LED").rises().after(t0).unwrap(), SimTime::from_millis(10));
        assert_eq!(board.expect("LED").falls().after(t0).unwrap(), SimTime::from_millis(20));
        assert_eq!(board.expect("LED").changes().after(SimTime::from_millis(10)).unwrap(), SimTime::from_millis(20));
        let tx = board.expect("U.tx").carries("0x41").within(ms(1)).after(SimTime::from_millis(10)).unwrap();
        assert_eq!(tx.as_nanos(), 10_000_000 + 86_806);
        assert!(board.expect("LED").rises().within(ms(5)).not_after(SimTime::from_millis(10)).is_ok());
        let err = board.expect("LED").falls().within(ms(5)).after(SimTime::from_millis(10)).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("expected LED to fall within 5 ms after 0.010000000s; it did not."), "{text}");
        assert!(text.contains("0.010000000s  LED = High <") && text.contains("U.tx = 0x41"), "{text}");
        let err = board.expect("LED").rises().not_after(t0).unwrap_err().to_string();
        assert!(err.starts_with("expected no event: LED to rise after 0.000000000s; it did, at 0.010000000s"), "{err}");
        let err = board.expect("LAMP").after(t0).unwrap_err().to_string();
        assert!(err.contains("no signal called LAMP") && err.contains("\"LED\""), "{err}");
        assert_eq!(board.signals().edges_to("LED", Logic::High), [SimTime::from_millis(10)]);
    });
}

#[test]
fn expectation_failures_say_what_did_happen() {
    // What a new user hit: an LED set in the poll that saw the press rises at the press's very
    // nanosecond (`after` excludes it, and said only "it did not"), and a late fall was left
    // out of the message.
    fwsim::test(|sim| {
        let board = Board::new();
        let mut led = board.output("LED", Drive::PushPull, Level::Low);
        sim.spawn("firmware", async move {
            Timer::after_millis(1000).await;
            led.set_high().unwrap();
            Timer::after_millis(50).await;
            led.set_low().unwrap();
        });
        sim.run_for(ms(2000)).unwrap();
        let press = SimTime::from_millis(1000);
        let err = board.expect("LED").rises().within(ms(5)).after(press).unwrap_err().to_string();
        assert!(
            err.contains("one did at exactly 1.000000000s, which `after` excludes (`at_or_after` includes it)"),
            "{err}"
        );
        assert_eq!(board.expect("LED").rises().within(ms(5)).at_or_after(press).unwrap(), press);
        let err = board.expect("LED").falls().within(ms(5)).after(SimTime::from_millis(1017)).unwrap_err().to_string();
        assert!(err.contains("the first one after the window: 1.050000000s (33 ms after 1.017000000s)"), "{err}");
        let err = board.expect("LED").rises().within(ms(5)).after(SimTime::from_millis(1500)).unwrap_err().to_string();
        assert!(err.contains("the last one before: 1.000000000s (500 ms before 1.500000000s)"), "{err}");
    });
}

#[test]
fn a_dropped_uart_write_writes_nothing() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(9600));
        let peer = uart.peer();
        sim.spawn("writer", async move {
            // 33 bytes fill the shift register and the FIFO; the next write waits.
            uart.write_all(&[b'x'; 33]).await.unwrap();
            let deadline = Timer::after_micros(10);
            match select(uart.write(b"LOST"), deadline).await {
                Either::First(_) => panic!("the FIFO was full"),
                Either::Second(()) => {}
            }
            uart.flush().await.unwrap();
        });
        sim.run_for(ms(100)).unwrap();
        assert_eq!(peer.received_bytes(), vec![b'x'; 33]);
    });
}

#[test]
fn a_dropped_i2c_transfer_still_reaches_the_device_and_holds_the_bus() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        let eeprom = Rc::new(RefCell::new(Eeprom24::c02()));
        bus.attach_shared(0x50, "eeprom", eeprom.clone());
        let mut i2c = bus.handle();
        let mut other = bus.handle();
        let task = sim.spawn("t", async move {
            // 1 + 9 + 9 × 5 + 1 = 56 bits at 10 µs: 560 µs; give up after 100.
            let write = i2c.write(0x50, &[0x00, 1, 2, 3, 4]);
            let gave_up = matches!(select(write, Timer::after_micros(100)).await, Either::Second(()));
            // The next transaction waits for the bus: its START is at 560 µs, and the
            // EEPROM, now in its write cycle, NACKs it.
            let next = other.write(0x50, &[]).await;
            (gave_up, next, fwsim::now())
        });
        sim.run_for(ms(10)).unwrap();
        let (gave_up, next, at) = sim.join(task).unwrap();
        assert!(gave_up);
        assert!(next.is_err());
        assert_eq!(at, SimTime::from_micros(560 + 110));
        assert_eq!(&eeprom.borrow().memory()[..4], &[1, 2, 3, 4]);
    });
}

struct Recorder(Rc<RefCell<Vec<u8>>>);

impl SpiTarget for Recorder {
    fn exchange(&mut self, _ctx: &mut SpiContext, mosi: u8) -> u8 {
        self.0.borrow_mut().push(mosi);
        !mosi
    }
    fn deselected(&mut self) {
        self.0.borrow_mut().push(0xEE);
    }
}

#[test]
fn a_dropped_spi_transaction_releases_chip_select() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.spi_bus("SPI0", 1_000_000);
        let cs = board.output("CS", Drive::PushPull, Level::High);
        let seen = Rc::new(RefCell::new(Vec::new()));
        bus.attach(&cs, "recorder", Recorder(seen.clone()));
        let cs_probe = cs.probe();
        let mut dev = bus.device(cs);
        let task = sim.spawn("t", async move {
            let mut buf = [0u8; 16];
            let transfer = dev.transfer(&mut buf, &[0x5A; 16]);
            let dropped = matches!(select(transfer, Timer::at(Instant::from_micros(20))).await, Either::Second(()));
            let mut reply = [0u8; 2];
            dev.transfer(&mut reply, &[0x01, 0x02]).await.unwrap();
            (dropped, reply)
        });
        sim.run_for(ms(1)).unwrap();
        let (dropped, reply) = sim.join(task).unwrap();
        assert!(dropped);
        assert_eq!(reply, [0xFE, 0xFD]);
        assert!(cs_probe.is_high());
        let seen = seen.borrow();
        // All 16 bytes reached the target (the transfer was under way), then CS rose; the
        // second transaction is framed by its own CS.
        assert_eq!(seen.len(), 16 + 1 + 2 + 1, "{seen:?}");
        assert_eq!(seen[16], 0xEE);
        assert_eq!(&seen[17..], &[0x01, 0x02, 0xEE]);
    });
}

#[test]
fn an_spi_mock_device_fails_the_task_that_breaks_its_expectations() {
    use embedded_hal_mock::eh1::spi::{Mock, Transaction};
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.spi_bus("SPI0", 8_000_000);
        let expected =
            [Transaction::transaction_start(), Transaction::write_vec(vec![0x06]), Transaction::transaction_end()];
        let mut ok_mock = Mock::new(&expected);
        let mut good = bus.mock_device(ok_mock.clone());
        let mut wrong = bus.mock_device(Mock::new(&expected));
        sim.spawn("good", async move { good.write(&[0x06]).await.unwrap() });
        sim.spawn("wrong", async move { wrong.write(&[0x04]).await.unwrap() });
        sim.run_for(ms(1)).unwrap();
        ok_mock.done();
        let d = sim.take_diagnostics();
        assert_eq!(d.len(), 1);
        assert!(d[0].to_string().contains("task wrong#") && d[0].to_string().contains("panicked"), "{}", d[0]);
    });
}

#[test]
fn a_failing_board_test_leaves_the_waveform_and_the_signal_log() {
    let dir = fwsim::testing::artifacts_root().join("a_failing_board_test_leaves_the_waveform_and_the_signal_log");
    let _ = std::fs::remove_dir_all(&dir);
    let failed = std::panic::catch_unwind(|| {
        fwsim::test(|sim| {
            let board = Board::new();
            let mut led = board.output("LED", Drive::PushPull, Level::Low);
            sim.spawn("firmware", async move {
                Timer::after_millis(1).await;
                led.set_high().unwrap();
            });
            sim.run_for(ms(2)).unwrap();
            board.expect("LED").falls().after(SimTime::ZERO).unwrap(); // it never falls
        })
    });
    assert!(failed.is_err());
    let vcd = std::fs::read_to_string(dir.join("board.vcd")).expect("the waveform is an artifact");
    assert!(vcd.contains("$var") && vcd.contains("LED"), "{vcd}");
    let log = std::fs::read_to_string(dir.join("signals.txt")).expect("the signal log is an artifact");
    assert!(log.contains("0.001000000s  LED = High"), "{log}");
    assert!(dir.join("trace.jsonl").exists());
}
