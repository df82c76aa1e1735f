//! The demo apps that ship with fwsim: each is firmware from `firmware/` plus its host wiring
//! (one file each), which builds the board, names the parts and spawns the tasks.

use fwsim_scenario::App;

mod button_led;
mod encoder_menu;
mod thermostat;
mod uart_shell;

pub use button_led::ButtonLed;
pub use encoder_menu::EncoderMenu;
pub use thermostat::Thermostat;
pub use uart_shell::UartShell;

/// The built-in apps; the first is the default for scenarios that name none.
pub fn builtin() -> Vec<&'static dyn App> {
    vec![&Thermostat, &ButtonLed, &UartShell, &EncoderMenu]
}
