//! `fwsim` over this repository's own firmware: the host wiring of its app, and `main`.
//!
//! ```sh
//! cargo run -- run scenarios/blinky.yaml
//! ```

use fwsim::Sim;
use fwsim_hw::{Board, Drive, Level};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

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

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let led = board.output("LED", Drive::PushPull, Level::Low);
        let mut parts = Parts::new();
        parts.pin("led", led.probe());
        // The firmware's boot, run at the start and again after a `power-cycle: true` step.
        let board = board.clone();
        parts.boot(move |sim| {
            sim.spawn("blinky", blinky_firmware::blinky(board.reclaim_pin("LED")));
        });
        parts
    }
}

fn main() -> std::process::ExitCode {
    fwsim_cli::main(&[&Blinky])
}
