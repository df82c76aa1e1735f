//! Host wiring of `firmware/encoder-menu`: the knob's contacts on KNOB_A and KNOB_B and its
//! push button on KNOB_SW (all to ground, pulled up), a 16×2 HD44780 behind a PCF8574
//! backpack at 0x27 on I2C0 (100 kHz).

use fwsim::Sim;
use fwsim_hw::devices::Hd44780;
use fwsim_hw::{Board, Level, Pull};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The encoder menu app.
pub struct EncoderMenu;

impl App for EncoderMenu {
    fn name(&self) -> &str {
        "encoder-menu"
    }

    fn about(&self) -> &str {
        "Menu on a 16x2 HD44780 (PCF8574 backpack), browsed and edited with a rotary encoder (firmware/encoder-menu)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new(
                "knob",
                PartKind::Encoder,
                "rotary encoder, contacts on KNOB_A and KNOB_B to ground, pulled up",
            ),
            PartInfo::new("select", PartKind::Button, "the knob's push button on KNOB_SW, to ground, pulled up"),
            PartInfo::new("lcd", PartKind::TextDisplay, "HD44780 16x2 behind a PCF8574 at 0x27 on i2c0"),
            PartInfo::new("i2c0", PartKind::I2cBus, "the I2C bus, 100 kHz"),
        ]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let a = board.input("KNOB_A", Pull::Up);
        let b = board.input("KNOB_B", Pull::Up);
        let sw = board.input("KNOB_SW", Pull::Up);
        let contact_a = board.button("KNOB.A", &a, Level::Low);
        let contact_b = board.button("KNOB.B", &b, Level::Low);
        let select = board.button("SELECT", &sw, Level::Low);
        let bus = board.i2c_bus("I2C0", 100_000);
        let (lcd, backpack) = Hd44780::pcf8574("lcd", (16, 2));
        bus.attach(app_encoder_menu::LCD_ADDRESS, "pcf8574", backpack);
        let mut parts = Parts::new();
        parts
            .encoder("knob", contact_a, contact_b)
            .button("select", select)
            .text_display("lcd", move || lcd.text())
            .i2c_bus("i2c0", bus.clone());
        let board = board.clone();
        parts.boot(move |sim| {
            let [a, b, sw] = ["KNOB_A", "KNOB_B", "KNOB_SW"].map(|name| board.reclaim_pin(name));
            sim.spawn("menu", app_encoder_menu::run(a, b, sw, bus.handle(), fwsim::Delay));
        });
        parts
    }
}
