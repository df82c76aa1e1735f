//! `fwsim` over this repository's own firmware: one app, its host wiring, and `main`.
//!
//! ```sh
//! cargo run -- run scenarios/blinky.yaml
//! ```

use embassy_time::Timer;
use embedded_hal::digital::OutputPin;
use fwsim::Sim;
use fwsim_hw::{Board, Drive, Level};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The firmware: 200 ms on, 800 ms off, for ever. (In a real repository it lives in its own
/// `no_std` crate and a board crate runs it too.)
async fn blinky(mut led: impl OutputPin) {
    loop {
        let _ = led.set_high();
        Timer::after_millis(200).await;
        let _ = led.set_low();
        Timer::after_millis(800).await;
    }
}

/// The host wiring: the LED on pin LED, named `led` for scenarios.
struct Blinky;

impl App for Blinky {
    fn name(&self) -> &str {
        "blinky"
    }

    fn about(&self) -> &str {
        "an LED, 200 ms on every second"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("led", PartKind::Pin, "LED on pin LED, high = lit")]
    }

    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let led = board.output("LED", Drive::PushPull, Level::Low);
        let mut parts = Parts::new();
        parts.pin("led", led.probe());
        sim.spawn("blinky", blinky(led));
        parts
    }
}

fn main() -> std::process::ExitCode {
    fwsim_cli::main(&[&Blinky])
}
