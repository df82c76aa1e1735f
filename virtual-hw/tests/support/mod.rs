//! Helpers shared by the integration tests.

use std::cell::RefCell;
use std::rc::Rc;

use fwsim_hw::devices::Ssd1306;
use fwsim_hw::{Board, i2c::I2c};

/// Takes the simulation's diagnostics and returns the rules of the hardware ones.
#[allow(dead_code)] // each test file uses what it needs
pub fn hardware_rules(sim: &fwsim::Sim<'_>) -> Vec<&'static str> {
    sim.take_diagnostics()
        .into_iter()
        .filter_map(|d| match d {
            fwsim::Diagnostic::Hardware { rule, .. } => Some(rule),
            _ => None,
        })
        .collect()
}

/// A board with an SSD1306 at 0x3C on a 400 kHz I2C bus: the board, the model, a handle.
#[allow(dead_code)]
pub fn oled_on_i2c() -> (Board, Rc<RefCell<Ssd1306>>, I2c) {
    let board = Board::new();
    let bus = board.i2c_bus("I2C0", 400_000);
    let oled = Rc::new(RefCell::new(Ssd1306::new()));
    bus.attach_shared(0x3C, "ssd1306", oled.clone());
    let i2c = bus.handle();
    (board, oled, i2c)
}
