//! Real driver crates from crates.io, unmodified, against the device models (the ones that
//! behave; the crates whose bugs the models caught have their own tests beside their model).

use fwsim::ms;
use fwsim_hw::Board;
use fwsim_hw::devices::{Hd44780, Htu21d};

#[test]
fn htu2xd_reads_the_htu21d_model() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        bus.attach(0x40, "htu21d", Htu21d::new(21.5, 43.0));
        let mut i2c = bus.handle();
        sim.run_for(ms(20)).unwrap(); // the sensor's 15 ms start-up
        let mut sensor = htu2xd::Htu2xd::new();
        let htu2xd::Reading::Ok(t) = sensor.read_temperature_blocking(&mut i2c).unwrap() else {
            panic!("an error reading")
        };
        let htu2xd::Reading::Ok(h) = sensor.read_humidity_blocking(&mut i2c).unwrap() else {
            panic!("an error reading")
        };
        assert!((t.as_degrees_celsius() - 21.5).abs() < 0.05, "{}", t.as_degrees_celsius());
        assert!((h.as_percent_relative() - 43.0).abs() < 0.1, "{}", h.as_percent_relative());
    });
}

#[test]
fn lcd_lcm1602_i2c_drives_the_hd44780_backpack_model() {
    fwsim::test(|_sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        let (lcd, backpack) = Hd44780::pcf8574("lcd", (16, 2));
        bus.attach(0x27, "pcf8574", backpack);
        let mut i2c = bus.handle();
        let mut delay = board.delay();
        fwsim::busy_wait(ms(50)); // the controller's power-on time
        let mut display = lcd_lcm1602_i2c::sync_lcd::Lcd::new(&mut i2c, &mut delay)
            .with_address(0x27)
            .with_rows(1) // zero-based: two rows
            .init()
            .unwrap();
        display.write_str("fwsim").unwrap();
        display.set_cursor(1, 0).unwrap();
        display.write_str("on the bench").unwrap();
        assert_eq!(lcd.text(), ["fwsim           ", "on the bench    "]);
        assert_eq!(lcd.dropped_writes(), 0);
    });
}

/// `i2c-character-display` 0.6 on a PCF8574 backpack at `hz`: what the glass shows after
/// `init`, `clear` and `print`, and the rules the model reported.
fn character_display_at(hz: u32) -> (Vec<String>, u64, Vec<&'static str>) {
    let out = std::sync::Mutex::new(None);
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", hz);
        let (lcd, backpack) = Hd44780::pcf8574("lcd", (16, 2));
        bus.attach(0x27, "pcf8574", backpack);
        let mut display = i2c_character_display::CharacterDisplayPCF8574T::new(
            bus.handle(),
            i2c_character_display::LcdDisplayType::Lcd16x2,
            board.delay(),
        );
        display.init().unwrap();
        display.clear().unwrap();
        display.print("Hello").unwrap();
        let rules = sim
            .take_diagnostics()
            .into_iter()
            .filter_map(|d| match d {
                fwsim::Diagnostic::Hardware { rule, .. } => Some(rule),
                _ => None,
            })
            .collect::<Vec<_>>();
        out.lock().unwrap().get_or_insert((lcd.text(), lcd.dropped_writes(), rules));
    });
    out.into_inner().unwrap().unwrap()
}

#[test]
fn i2c_character_display_0_6_needs_a_slow_bus_for_its_missing_waits() {
    // At 100 kHz it starts without the controller's power-on wait and writes during the
    // 1.52 ms clear: the model drops those writes and says why. At 20 kHz each byte takes so
    // long that every wait is covered, and the text is exact.
    let (text, dropped, rules) = character_display_at(100_000);
    assert_ne!(text[0], "Hello           ", "garbage at 100 kHz");
    assert!(dropped > 0);
    assert_eq!(rules, ["WriteBeforePowerUp", "WriteWhileBusy"]);
    // At 20 kHz the missing power-on wait is still reported, but does no harm to the text.
    let (text, dropped, rules) = character_display_at(20_000);
    assert_eq!(text, ["Hello           ", "                "]);
    assert_eq!((dropped, rules), (0, vec!["WriteBeforePowerUp"]));
}
