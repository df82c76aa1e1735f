//! The demo apps that ship with fwsim: each is firmware from `firmware/` plus its host wiring
//! (one file each), which builds the board, names the parts and spawns the tasks.

use fwsim_scenario::App;

mod button_led;
mod encoder_menu;
mod gather;
mod gps_logger;
mod ir_remote;
mod low_power;
mod rate;
mod roundrobin;
mod syncom_pair;
mod thermostat;
mod uart_link;
mod uart_shell;

pub use button_led::ButtonLed;
pub use encoder_menu::EncoderMenu;
pub use gather::Gather;
pub use gps_logger::GpsLogger;
pub use ir_remote::IrRemote;
pub use low_power::{LowPower, LowPowerPolling};
pub use rate::Rate;
pub use roundrobin::Roundrobin;
pub use syncom_pair::SyncomPair;
pub use thermostat::Thermostat;
pub use uart_link::UartLink;
pub use uart_shell::UartShell;

/// One scheduling turn of a coroutine on a Pyboard 1.1 under MicroPython's asyncio V3, as
/// the toolkit's `rate.py` measured it (195 µs), as the cost of a task's poll: what the
/// `roundrobin` and `rate` demos charge.
fn pyboard_turn() -> fwsim::CostModel {
    fwsim::CostModel { per_poll_ns: 195_000, per_wake_ns: 0 }
}

/// The built-in apps; the first is the default for scenarios that name none.
pub fn builtin() -> Vec<&'static dyn App> {
    vec![
        &Thermostat,
        &ButtonLed,
        &UartShell,
        &EncoderMenu,
        &GpsLogger,
        &IrRemote,
        &LowPower,
        &LowPowerPolling,
        &UartLink,
        &SyncomPair,
        &Gather,
        &Roundrobin,
        &Rate,
    ]
}
