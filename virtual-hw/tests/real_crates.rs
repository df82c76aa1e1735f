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
