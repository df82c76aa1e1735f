//! The demo apps that ship with fwsim: each is firmware from `firmware/` plus its host wiring
//! (one file each), which builds the board, names the parts and spawns the tasks.

use fwsim_scenario::App;

mod button_led;
mod encoder_menu;
mod gps_logger;
mod ir_remote;
mod low_power;
mod syncom_pair;
mod thermostat;
mod toolkit_demos;
mod uart_link;
mod uart_shell;
mod watchdog_guard;

pub use button_led::ButtonLed;
pub use encoder_menu::EncoderMenu;
pub use gps_logger::GpsLogger;
pub use ir_remote::IrRemote;
pub use low_power::{LOW_POWER, LOW_POWER_POLLING, LowPower};
pub use syncom_pair::SyncomPair;
pub use thermostat::Thermostat;
pub use toolkit_demos::{GATHER, RATE, ROUNDROBIN, ToolkitDemo};
pub use uart_link::UartLink;
pub use uart_shell::UartShell;
pub use watchdog_guard::WatchdogGuard;

/// The built-in apps; the first is the default for scenarios that name none.
pub fn builtin() -> Vec<&'static dyn App> {
    vec![
        &Thermostat,
        &ButtonLed,
        &UartShell,
        &EncoderMenu,
        &GpsLogger,
        &IrRemote,
        &LOW_POWER,
        &LOW_POWER_POLLING,
        &UartLink,
        &SyncomPair,
        &GATHER,
        &ROUNDROBIN,
        &RATE,
        &WatchdogGuard,
    ]
}
