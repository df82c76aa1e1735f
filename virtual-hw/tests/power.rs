//! Power cycles: a settings store in a 24C02, written through the `eeprom24x` crate, across
//! power cuts during and after its write cycle, and across boots in fresh simulations.

use std::cell::RefCell;
use std::rc::Rc;

use eeprom24x::{Eeprom24x, SlaveAddr};
use fwsim::{Sim, ms};
use fwsim_hw::Board;
use fwsim_hw::devices::{Bme280, Eeprom24, Htu21d, Ssd1306};
use fwsim_hw::i2c::I2cDevice;

#[test]
fn a_settings_store_survives_power_cuts_as_the_datasheet_says() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        let eeprom = Rc::new(RefCell::new(Eeprom24::c02()));
        bus.attach_shared(0x50, "24c02", eeprom.clone());
        let mut store = Eeprom24x::new_24x02(bus.handle(), SlaveAddr::default());

        store.write_page(0, &[1, 1, 1, 1]).unwrap();
        sim.run_for(ms(6)).unwrap(); // the write cycle (5 ms) completes
        board.power_cycle();
        assert_eq!(&eeprom.borrow().memory()[..4], &[1, 1, 1, 1], "a finished write survives");

        // Power fails during the next write cycle: the page keeps its old bytes…
        store.write_page(0, &[2, 2, 2, 2]).unwrap();
        board.power_cycle();
        // …and the part answers at once after power-on (its busy time is gone with the cycle).
        let mut back = [0u8; 4];
        store.read_data(0, &mut back).unwrap();
        assert_eq!(back, [1, 1, 1, 1], "an interrupted page write is lost");

        store.write_page(0, &[3, 3, 3, 3]).unwrap();
        sim.run_for(ms(6)).unwrap();
        board.power_cycle();
        store.read_data(0, &mut back).unwrap();
        assert_eq!(back, [3, 3, 3, 3]);

        // The trace says which write was lost (page 0), at the power cut that lost it, and no
        // other.
        let marks: Vec<_> = sim.marks().into_iter().filter(|m| m.label != "I2C0").collect();
        let labels: Vec<(&str, u64, u64)> =
            marks.iter().map(|m| (m.label.as_str(), m.value, m.at.as_millis())).collect();
        assert_eq!(
            labels,
            [("power_cycle", 0, 6), ("eeprom_write_lost", 0, 7), ("power_cycle", 0, 7), ("power_cycle", 0, 14)]
        );
    });
}

#[test]
fn a_part_carried_to_the_next_boot_answers_at_once() {
    // The model kept an absolute busy-until time: in a fresh Sim (clock at 0) the part NACKed
    // for the rest of the old write cycle. A power cycle between boots ends it.
    let eeprom = Rc::new(RefCell::new(Eeprom24::c02()));
    {
        let sim = Sim::new();
        sim.enter(|| {
            let board = Board::new();
            let bus = board.i2c_bus("I2C0", 100_000);
            bus.attach_shared(0x50, "24c02", eeprom.clone());
            Eeprom24x::new_24x02(bus.handle(), SlaveAddr::default()).write_page(8, &[7, 7]).unwrap();
        });
        sim.run_for(ms(1)).unwrap(); // shut down 1 ms into the 5 ms cycle
    }
    eeprom.borrow_mut().power_cycle(); // between boots: no simulation is current
    let sim = Sim::new();
    let back = sim.enter(|| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        bus.attach_shared(0x50, "24c02", eeprom.clone());
        let mut back = [0u8; 2];
        Eeprom24x::new_24x02(bus.handle(), SlaveAddr::default()).read_data(8, &mut back).map(|_| back)
    });
    assert_eq!(back.unwrap(), [7, 7]);
}

#[test]
fn a_power_cycle_clears_volatile_display_ram_and_presets_stay_in_eeprom() {
    fwsim::test(|_sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let oled = Rc::new(RefCell::new(Ssd1306::new()));
        bus.attach_shared(0x3C, "ssd1306", oled.clone());
        let eeprom = Rc::new(RefCell::new(Eeprom24::c02()));
        eeprom.borrow_mut().load(0x10, b"serial-0042");
        bus.attach_shared(0x50, "24c02", eeprom.clone());
        let mut i2c = bus.handle();
        // Display on, one byte of RAM set.
        embedded_hal::i2c::I2c::write(&mut i2c, 0x3C, &[0x00, 0x8D, 0x14, 0xAF]).unwrap();
        embedded_hal::i2c::I2c::write(&mut i2c, 0x3C, &[0x40, 0xFF]).unwrap();
        assert!(oled.borrow().is_on());
        assert_eq!(oled.borrow().panel().lit(), 8, "one byte of RAM lights a column of 8");
        board.power_cycle();
        assert!(!oled.borrow().is_on(), "registers back to reset");
        embedded_hal::i2c::I2c::write(&mut i2c, 0x3C, &[0x00, 0x8D, 0x14, 0xAF]).unwrap();
        assert_eq!(oled.borrow().panel().lit(), 0, "display RAM lost");
        assert_eq!(&eeprom.borrow().memory()[0x10..0x1B], b"serial-0042");
    });
}

#[test]
fn sensors_come_back_from_a_power_cycle_in_their_reset_state() {
    fwsim::test(|sim| {
        use embedded_hal::i2c::I2c;
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        bus.attach(0x76, "bme280", Bme280::new(20.0, 101_325.0, 40.0));
        bus.attach(0x40, "htu21d", Htu21d::new(20.0, 40.0));
        let mut i2c = bus.handle();
        sim.run_for(ms(20)).unwrap(); // both parts' start-up
        i2c.write(0x76, &[0xF4, 0b0010_0111]).unwrap(); // ctrl_meas: normal mode
        i2c.write(0x40, &[0xE6, 0x03]).unwrap(); // user register: 8/12-bit resolution
        board.power_cycle();
        let mut reg = [0u8; 1];
        i2c.write_read(0x76, &[0xF4], &mut reg).unwrap();
        assert_eq!(reg, [0], "BME280 ctrl_meas back to sleep mode");
        i2c.write_read(0x76, &[0xD0], &mut reg).unwrap();
        assert_eq!(reg, [0x60], "chip id");
        assert!(i2c.write_read(0x40, &[0xE7], &mut reg).is_err(), "HTU21D starting up: NACK");
        sim.run_for(ms(16)).unwrap();
        i2c.write_read(0x40, &[0xE7], &mut reg).unwrap();
        assert_eq!(reg, [0x02], "HTU21D user register back to its default");
    });
}

#[test]
fn a_character_lcd_comes_back_blank_and_busy_from_a_power_cycle() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        let (lcd, backpack) = fwsim_hw::devices::Hd44780::pcf8574("lcd", (16, 2));
        bus.attach(0x27, "pcf8574", backpack);
        let mut i2c = bus.handle();
        let mut delay = board.delay();
        fwsim::busy_wait(ms(50));
        {
            let mut display = lcd_lcm1602_i2c::sync_lcd::Lcd::new(&mut i2c, &mut delay)
                .with_address(0x27)
                .with_rows(1)
                .init()
                .unwrap();
            display.write_str("settings").unwrap();
        }
        assert_eq!(lcd.text()[0], "settings        ");
        board.power_cycle();
        assert_eq!(lcd.display_control(), (false, false, false), "registers at power-on");
        assert_eq!(lcd.codes()[0], vec![b' '; 16], "DDRAM lost");
        // A write at once (an E pulse on D7..D4 = 0x3) comes within the new power-on time.
        embedded_hal::i2c::I2c::write(&mut i2c, 0x27, &[0x3C, 0x38]).unwrap();
        let rules: Vec<_> = sim
            .take_diagnostics()
            .into_iter()
            .filter_map(|d| match d {
                fwsim::Diagnostic::Hardware { rule, .. } => Some(rule),
                _ => None,
            })
            .collect();
        assert_eq!(rules, ["WriteBeforePowerUp"], "power-on time again");
    });
}
