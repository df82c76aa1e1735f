//! The signal record and its VCD export, parsed back.

use embedded_hal::digital::OutputPin;
use embedded_hal_async::i2c::I2c as _;
use embedded_io_async::Write as _;
use fwsim::{SimTime, ms};
use fwsim_hw::devices::Eeprom24;
use fwsim_hw::signal::{SignalKind, Value};
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level, Logic, Pull};

#[test]
fn a_vcd_of_pins_uart_and_i2c_parses_back_to_the_record() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut led = board.output("LED", Drive::PushPull, Level::Low);
        let key = board.input("KEY", Pull::Up);
        board.button("B1", &key, Level::Low).click_at(SimTime::from_millis(2), std::time::Duration::from_millis(1));
        let mut uart = board.uart("UART0", UartConfig::new(115_200));
        let _peer = uart.peer();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x50, "eeprom", Eeprom24::c02());
        let mut i2c = bus.handle();
        sim.spawn("fw", async move {
            led.set_high().unwrap();
            uart.write_all(b"A").await.unwrap();
            i2c.write(0x50, &[0x00, 0x2A]).await.unwrap();
            embassy_time::Timer::after_millis(1).await;
            led.set_low().unwrap();
        });
        sim.run_for(ms(5)).unwrap();

        let record = board.signals();
        let names: Vec<(&str, SignalKind)> = record.names.iter().map(|(n, k)| (n.as_str(), *k)).collect();
        assert_eq!(
            names,
            [
                ("LED", SignalKind::Wire),
                ("KEY", SignalKind::Wire),
                ("UART0.tx", SignalKind::Text),
                ("UART0.rx", SignalKind::Text),
                ("I2C0", SignalKind::Text),
            ]
        );
        assert_eq!(record.edges_to("LED", Logic::High), [SimTime::ZERO]);
        // The I2C write ends at 72.5 µs; a 1 ms timer from the floored tick (72 µs) ends at 1,072 µs.
        assert_eq!(record.edges_to("LED", Logic::Low), [SimTime::ZERO, SimTime::from_micros(1072)]);
        let i2c_text: Vec<&Value> = record.of("I2C0").map(|c| &c.value).collect();
        assert_eq!(i2c_text, [&Value::Text("W50[00 2A]".into())]);

        let dir = std::env::temp_dir().join(format!("fwsim-hw-vcd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("board.vcd");
        board.write_vcd(&path).unwrap();
        let file = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
        let mut parser = vcd::Parser::new(file);
        let header = parser.parse_header().unwrap();
        assert_eq!(header.timescale, Some((1, vcd::TimescaleUnit::NS)));
        let mut ids = std::collections::BTreeMap::new();
        for (name, _) in &record.names {
            let var = header.find_var(&["board", name.as_str()]).unwrap_or_else(|| panic!("no var {name}"));
            ids.insert(var.code, name.clone());
        }
        // Replay the dump into (time, signal, value) and compare with the record.
        let mut now = 0u64;
        let mut dumped = Vec::new();
        for command in parser {
            match command.unwrap() {
                vcd::Command::Timestamp(t) => now = t,
                vcd::Command::ChangeScalar(id, v) => dumped.push((now, ids[&id].clone(), format!("{v}"))),
                vcd::Command::ChangeString(id, s) => dumped.push((now, ids[&id].clone(), s)),
                other => panic!("unexpected {other:?}"),
            }
        }
        let expected: Vec<(u64, String, String)> = record
            .changes
            .iter()
            .map(|c| {
                let value = match &c.value {
                    Value::Logic(Logic::Low) => "0".to_string(),
                    Value::Logic(Logic::High) => "1".to_string(),
                    Value::Logic(Logic::Floating) => "z".to_string(),
                    Value::Logic(Logic::Contention) => "x".to_string(),
                    Value::Text(t) => t.replace(' ', "_"),
                };
                (c.at.as_nanos(), record.names[c.signal].0.clone(), value)
            })
            .collect();
        assert_eq!(dumped, expected);
        assert!(dumped.contains(&(2_000_000, "KEY".into(), "0".into())));
        assert!(dumped.iter().any(|(t, n, v)| n == "UART0.tx" && v == "0x41" && *t == 86_806));
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

#[test]
fn a_signal_limit_keeps_the_latest_changes_and_counts_the_dropped() {
    fwsim::test(|sim| {
        let board = Board::new();
        board.set_signal_limit(Some(100));
        let mut led = board.output("LED", Drive::PushPull, Level::Low);
        sim.spawn("blink", async move {
            for _ in 0..1_000 {
                led.set_high().unwrap();
                embassy_time::Timer::after_millis(1).await;
                led.set_low().unwrap();
                embassy_time::Timer::after_millis(1).await;
            }
        });
        sim.run_for(ms(2_000)).unwrap();
        let record = board.signals();
        // 2 initial changes (floating, then low) and 2,000 toggles.
        assert_eq!(record.changes.len() as u64 + record.dropped, 2_002);
        assert!((100..=125).contains(&record.changes.len()), "kept {}", record.changes.len());
        assert_eq!(record.changes.last().unwrap().at, SimTime::from_millis(1_999));
        let mut vcd = Vec::new();
        record.write_vcd(&mut vcd).unwrap();
        let text = String::from_utf8(vcd).unwrap();
        assert!(text.contains(&format!("the {} earliest changes were dropped", record.dropped)), "{text:.400}");
    });
}

/// Makes a part on a board.
type Make = fn(&Board);

/// Signals are found by name (`expect`, `signals().of`, the VCD), so a second pin, bus, UART
/// or PWM channel of a name already taken would be silently unreachable: it is refused.
#[test]
fn a_name_already_taken_is_refused_whatever_takes_it() {
    fwsim::test(|_sim| {
        let clash = |make: Make| {
            let board = Board::new();
            board.output("LED", Drive::PushPull, Level::Low);
            board.uart("UART0", UartConfig::new(9600));
            let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make(&board))).unwrap_err();
            let message = failure.downcast_ref::<String>().cloned().unwrap_or_default();
            (message, board.signals().names.len())
        };
        let cases: [(Make, &str); 6] = [
            (|b| drop(b.output("LED", Drive::PushPull, Level::High)), "LED"),
            (|b| drop(b.input("LED", Pull::Up)), "LED"),
            (|b| drop(b.i2c_bus("LED", 100_000)), "LED"),
            (|b| drop(b.spi_bus("UART0.tx", 1_000_000)), "UART0.tx"),
            (|b| drop(b.pwm("LED", 255)), "LED"),
            (|b| drop(b.uart("UART0", UartConfig::new(9600))), "UART0.tx"),
        ];
        for (make, name) in cases {
            let (message, signals) = clash(make);
            assert!(
                message.starts_with(&format!("fwsim-hw: the board already has a signal called `{name}`;")),
                "{message}"
            );
            assert_eq!(signals, 3, "a refused name leaves the board as it was");
        }
        // A UART whose second signal's name is taken takes neither.
        let board = Board::new();
        board.input("U1.rx", Pull::None);
        let refused =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(board.uart("U1", UartConfig::new(9600)))));
        assert!(refused.is_err());
        assert_eq!(board.signals().names.len(), 1);
    });
}
