//! The HD44780 model driven by unmodified crates: ag-lcd (embedded-hal 1.0) on GPIO and
//! behind a PCF8574 backpack, hd44780-driver 0.4 (embedded-hal 0.2) on both wirings.

mod support;

use embedded_hal::i2c::I2c as _;
use fwsim::{Delay, ms};
use fwsim_hw::devices::Hd44780;
use fwsim_hw::{Board, Drive, Level, Pin};
use support::hardware_rules;

/// RS, E, D4–D7 on push-pull outputs, and the model watching them.
fn gpio_lcd(board: &Board) -> (Hd44780, [Pin; 6]) {
    let pin = |name| board.output(name, Drive::PushPull, Level::Low);
    let pins = [pin("RS"), pin("E"), pin("D4"), pin("D5"), pin("D6"), pin("D7")];
    let lcd = Hd44780::gpio("lcd", (16, 2), &pins[0], None, &pins[1], &[&pins[2], &pins[3], &pins[4], &pins[5]]);
    (lcd, pins)
}

fn ag_lcd_on_gpio(write_cost_ns: u64) -> (Vec<String>, Vec<&'static str>, u64, u64) {
    let out = std::sync::Mutex::new(None);
    fwsim::test(|sim| {
        let board = Board::new();
        board.set_gpio_write_cost(std::time::Duration::from_nanos(write_cost_ns));
        let (lcd, [rs, e, d4, d5, d6, d7]) = gpio_lcd(&board);
        sim.spawn("ui", async move {
            let mut display = ag_lcd::LcdDisplay::new(rs, e, Delay)
                .with_half_bus(d4, d5, d6, d7)
                .with_lines(ag_lcd::Lines::TwoLines)
                .with_cursor(ag_lcd::Cursor::Off)
                .with_blink(ag_lcd::Blink::Off)
                .build();
            display.clear();
            display.print("Hello, fwsim!");
            display.set_position(3, 1);
            display.print("line two");
        });
        sim.run_for(ms(200)).unwrap();
        *out.lock().unwrap() = Some((lcd.text(), hardware_rules(sim), lcd.short_pulses(), lcd.dropped_writes()));
    });
    out.into_inner().unwrap().unwrap()
}

#[test]
fn ag_lcd_0_3_on_gpio_breaks_two_datasheet_rules_and_the_glass_shows_it() {
    // ag-lcd 0.3's pulse() is set_high(); set_low() with no delay: with zero-cost GPIO writes
    // the E pulse is 0 ns (the datasheet asks 450 ns). It also sends the next instruction
    // right after the reset sequence's last function set and right after a character, with
    // no wait for the 37/41 µs execution: the controller ignores those writes. The lost
    // function set leaves the display in one-line mode, and the lost set_position makes
    // "line two" follow "Hello, fwsim!" on the same DDRAM line.
    let broken = ["Hello, fwsim!lin", "e two           "];
    let (text, rules, short, dropped) = ag_lcd_on_gpio(0);
    assert_eq!(text, broken);
    assert_eq!(rules, ["EnablePulseTooShort", "EnableCycleTooShort", "WriteWhileBusy"]);
    assert!(short > 50, "{short}");
    assert_eq!(dropped, 4);
    // With each GPIO write costing 500 ns (a slow MCU) the pulse meets the datasheet, but
    // a few microseconds are still far below 37 µs: the same writes are lost.
    let (text, rules, short, dropped) = ag_lcd_on_gpio(500);
    assert_eq!(text, broken);
    assert_eq!((rules, short, dropped), (vec!["WriteWhileBusy"], 0, 4));
}

#[test]
fn ag_lcd_behind_a_pcf8574_backpack() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        let (lcd, backpack) = Hd44780::pcf8574("lcd", (16, 2));
        bus.attach(0x27, "pcf8574", backpack);
        let i2c = bus.handle();
        sim.spawn("ui", async move {
            let mut expander = port_expander::Pcf8574::new(i2c, true, true, true);
            let mut display = ag_lcd::LcdDisplay::new_pcf8574(&mut expander, Delay)
                .with_lines(ag_lcd::Lines::TwoLines)
                .with_cursor(ag_lcd::Cursor::Off)
                .build();
            display.backlight_on();
            display.clear();
            display.print("via PCF8574");
        });
        sim.run_for(ms(500)).unwrap();
        // Over I2C at 100 kHz every pin change is a 200 µs port write, so ag-lcd's timing
        // bugs (see the GPIO test) do not show; its first E fall (the port powers up high)
        // is a harmless read cycle.
        assert_eq!(lcd.text(), ["via PCF8574     ", "                "]);
        assert!(lcd.backlight());
        assert_eq!(lcd.reads(), 1);
        assert_eq!(hardware_rules(sim), Vec::<&str>::new());
    });
}

#[test]
fn hd44780_driver_0_4_on_gpio_and_on_i2c() {
    fwsim::test(|sim| {
        let board = Board::new();
        let (gpio_lcd, [rs, e, d4, d5, d6, d7]) = gpio_lcd(&board);
        let bus = board.i2c_bus("I2C0", 100_000);
        let (i2c_lcd, backpack) = Hd44780::pcf8574("lcd2", (20, 4));
        bus.attach(0x27, "pcf8574", backpack);
        let i2c = bus.handle();
        sim.spawn("gpio ui", async move {
            let mut delay = Delay;
            let mut lcd = hd44780_driver::HD44780::new_4bit(rs, e, d4, d5, d6, d7, &mut delay).unwrap();
            lcd.reset(&mut delay).unwrap();
            lcd.clear(&mut delay).unwrap();
            lcd.write_str("eh 0.2 gpio", &mut delay).unwrap();
            lcd.set_cursor_pos(0x40 + 2, &mut delay).unwrap();
            lcd.write_str("row 2", &mut delay).unwrap();
        });
        sim.spawn("i2c ui", async move {
            let mut delay = Delay;
            let mut lcd = hd44780_driver::HD44780::new_i2c(i2c, 0x27, &mut delay).unwrap();
            lcd.reset(&mut delay).unwrap();
            lcd.clear(&mut delay).unwrap();
            lcd.write_str("eh 0.2 i2c", &mut delay).unwrap();
            // Row 3 of a 20x4 display continues line 1 at 0x14.
            lcd.set_cursor_pos(0x14, &mut delay).unwrap();
            lcd.write_str("third row", &mut delay).unwrap();
        });
        sim.run_for(ms(1000)).unwrap();
        assert_eq!(gpio_lcd.text(), ["eh 0.2 gpio     ", "  row 2         "]);
        assert_eq!(
            i2c_lcd.text(),
            ["eh 0.2 i2c          ", "                    ", "third row           ", "                    "]
        );
        // hd44780-driver 0.4 sends the reset sequence's first two function sets as the two
        // nibbles of 0x33, 2 ms apart (its E pulse): the datasheet asks for 4.1 ms, so the
        // second is lost on each display. The third and fourth still bring the controller
        // to 4-bit mode, so the text is right.
        let diags: Vec<String> = sim.take_diagnostics().iter().map(ToString::to_string).collect();
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(
            diags.iter().all(|d| d.contains("WriteWhileBusy") && d.contains("first function set (4.1 ms)")),
            "{diags:?}"
        );
        assert_eq!((gpio_lcd.dropped_writes(), i2c_lcd.dropped_writes()), (1, 1));
    });
}

#[test]
fn writes_while_busy_are_lost_and_reported() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        let (lcd, backpack) = Hd44780::pcf8574("lcd", (16, 2));
        bus.attach(0x27, "pcf8574", backpack);
        let mut i2c = bus.handle();
        // A careless driver: the whole reset sequence and a character as fast as the bus
        // goes, right after power-on. Each nibble is data | E, then data (E falls).
        let nibble = |v: u8, rs: u8| [v | 0x08 | 0x04 | rs, v | 0x08 | rs];
        let mut bytes = Vec::new();
        for v in [0x30, 0x30, 0x30, 0x20, 0x20, 0x80, 0x00, 0xC0, 0x00, 0x10] {
            bytes.extend(nibble(v, 0));
        }
        bytes.extend(nibble(0x40, 1));
        bytes.extend(nibble(0x10, 1));
        i2c.write(0x27, &bytes).unwrap();
        let rules = hardware_rules(sim);
        assert!(rules.contains(&"WriteBeforePowerUp") && rules.contains(&"WriteWhileBusy"), "{rules:?}");
        assert!(lcd.dropped_writes() > 0);
        assert_ne!(lcd.text()[0].trim(), "A");
    });
}

/// Sends one byte as two nibbles through a PCF8574 backpack, E high for one port write, the
/// way a careful driver would; returns after the STOP.
fn send(i2c: &mut fwsim_hw::i2c::I2c, byte: u8, rs: bool) {
    let rs = rs as u8;
    for nibble in [byte & 0xF0, byte << 4] {
        i2c.write(0x27, &[nibble | 0x08 | rs, nibble | 0x08 | 0x04 | rs, nibble | 0x08 | rs]).unwrap();
    }
}

#[test]
fn clear_takes_1_52_ms_and_other_instructions_37_us() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 100_000);
        let (lcd, backpack) = Hd44780::pcf8574("lcd", (16, 2));
        bus.attach(0x27, "pcf8574", backpack);
        let mut i2c = bus.handle();
        sim.enter(|| {
            sim.run_for(ms(50)).unwrap();
            // The reset sequence by instruction, 8-bit nibbles with the datasheet's waits. (The
            // first port write pulls E low from its power-on high: a read cycle, ignored.)
            for (nibble, wait_us) in [(0x30, 4100), (0x30, 100), (0x30, 100), (0x20, 100)] {
                i2c.write(0x27, &[nibble | 0x08, nibble | 0x0C, nibble | 0x08]).unwrap();
                sim.run_for(fwsim::us(wait_us)).unwrap();
            }
            for cmd in [0x28, 0x0C, 0x06] {
                send(&mut i2c, cmd, false);
            }
            send(&mut i2c, 0x01, false); // clear: 1.52 ms
            // Each nibble is a 3-byte port write at 100 kHz (38 bits: 380 µs), so both nibbles
            // of 'A' latch 380 and 760 µs after the clear: inside its 1.52 ms, both lost.
            send(&mut i2c, b'A', true);
            assert_eq!(lcd.dropped_writes(), 2);
            let rules: Vec<String> = sim.take_diagnostics().iter().map(ToString::to_string).collect();
            assert_eq!(rules.len(), 1);
            assert!(rules[0].contains("WriteWhileBusy") && rules[0].contains("clear display (1.52 ms)"), "{rules:?}");
            // After the clear, a data write (41 µs) is followed by the next nibble 380 µs later:
            // nothing is lost.
            sim.run_for(ms(2)).unwrap();
            send(&mut i2c, b'B', true);
            send(&mut i2c, b'C', true);
            assert_eq!(lcd.dropped_writes(), 2);
            assert_eq!(lcd.text()[0], "BC              ");
            assert!(sim.diagnostics().is_empty());
        });
    });
}

#[test]
fn hd44780_driver_0_4_on_an_8_bit_gpio_bus() {
    fwsim::test(|sim| {
        let board = Board::new();
        let pin = |name| board.output(name, Drive::PushPull, Level::Low);
        let [rs, e] = [pin("RS"), pin("E")];
        let d: Vec<Pin> = (0..8).map(|i| board.output(&format!("D{i}"), Drive::PushPull, Level::Low)).collect();
        let refs: Vec<&Pin> = d.iter().collect();
        let lcd = Hd44780::gpio("lcd8", (16, 2), &rs, None, &e, &refs);
        let [d0, d1, d2, d3, d4, d5, d6, d7]: [Pin; 8] = d.try_into().unwrap();
        sim.spawn("ui", async move {
            let mut delay = Delay;
            let mut lcd = hd44780_driver::HD44780::new_8bit(rs, e, d0, d1, d2, d3, d4, d5, d6, d7, &mut delay).unwrap();
            lcd.clear(&mut delay).unwrap();
            lcd.write_str("eight bits", &mut delay).unwrap();
        });
        sim.run_for(ms(500)).unwrap();
        assert_eq!(lcd.text(), ["eight bits      ", "                "]);
        // In 8-bit mode the reset sequence's function sets are whole bytes 5 ms apart:
        // hd44780-driver meets the datasheet here.
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    });
}
