//! # fwsim-cli — the `fwsim` command
//!
//! A thin shell over [`fwsim_scenario`]: it finds scenario files, runs them (in parallel,
//! printed in a fixed order), prints verdicts and writes artifacts and JUnit XML. All the
//! logic lives in the library crates; this crate is argument parsing and output.
//!
//! The same command works over your own firmware: implement [`App`]
//! for each of your apps (the host wiring: build the board, name the parts, spawn the tasks)
//! and hand them to [`main`]:
//!
//! ```no_run
//! use std::process::ExitCode;
//! # struct MyApp;
//! # impl fwsim_scenario::App for MyApp {
//! #     fn name(&self) -> &str { "mine" }
//! #     fn about(&self) -> &str { "" }
//! #     fn parts(&self) -> Vec<fwsim_scenario::PartInfo> { vec![] }
//! #     fn start<'s>(&self, _: &'s fwsim::Sim<'s>, _: &fwsim_hw::Board) -> fwsim_scenario::Parts {
//! #         fwsim_scenario::Parts::new()
//! #     }
//! # }
//!
//! fn main() -> ExitCode {
//!     fwsim_cli::main(&[&MyApp])
//! }
//! ```
//!
//! Exit codes: 0 every scenario passed, 1 a scenario failed, 2 bad usage or input.

#![warn(missing_docs)]

#[macro_use]
mod out;
pub mod apps;
mod args;
mod files;
mod fuzz_cmd;
mod junit;
mod replay_cmd;
mod run_cmd;
mod skeleton;
mod supervise;
mod words;

use std::process::ExitCode;

use clap::Parser;
use fwsim_scenario::App;

pub use args::{Cli, Command};

/// Exit code: a scenario failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage or a bad scenario file.
pub const EXIT_USAGE: u8 = 2;

/// The `fwsim` command over `apps`, reading `std::env::args`.
pub fn main(apps: &[&dyn App]) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    ExitCode::from(execute(cli, apps))
}

/// Runs a parsed command line; returns the exit code.
pub fn execute(cli: Cli, apps: &[&dyn App]) -> u8 {
    if apps.is_empty() {
        errln!("fwsim: no apps were given to the command");
        return EXIT_USAGE;
    }
    match cli.command {
        Command::Run(a) => run_cmd::run(&a, apps),
        Command::Check(a) => check(&a, apps),
        Command::List => {
            out!("{}", list(apps));
            0
        }
        Command::New(a) => skeleton::new(&a, apps),
        Command::Replay(a) => replay_cmd::replay(&a, apps),
        Command::Fuzz(a) => fuzz_cmd::fuzz(&a, apps),
    }
}

fn check(a: &args::CheckArgs, apps: &[&dyn App]) -> u8 {
    let paths = match files::expand(&a.scenarios) {
        Ok(p) => p,
        Err(e) => {
            errln!("fwsim: {e}");
            return EXIT_USAGE;
        }
    };
    let default_app = a.app.as_deref().or(apps.first().map(|a| a.name()));
    let mut bad = 0;
    for path in &paths {
        match fwsim_scenario::load(path, apps, default_app) {
            Ok(s) => {
                outln!(
                    "ok {} ({}, app {})",
                    path.display(),
                    fwsim_scenario::counted(s.steps.len() as u64, "step"),
                    s.app
                )
            }
            Err(e) => {
                bad += 1;
                errln!("{}", files::render(&e));
            }
        }
    }
    if bad > 0 { EXIT_USAGE } else { 0 }
}

/// What `fwsim list` prints.
pub fn list(apps: &[&dyn App]) -> String {
    let mut out = String::from("apps (the first is the default for scenarios without `app:`):\n");
    for app in apps {
        out.push_str(&format!("  {:<12} {}\n", app.name(), app.about()));
        for p in app.parts() {
            out.push_str(&format!("      {:<10} {:<14} {}\n", p.id, p.kind.describe_plain(), p.about));
        }
    }
    out.push_str("device models (fwsim-hw): BME280, SSD1306 (I2C and SPI), HD44780 (parallel and PCF8574), HTU21D, 24Cxx EEPROM, NMEA GPS, NOR flash, buttons with bounce, LEDs, ADC, PWM, RTC, watchdog\n");
    out.push_str("run orders: embassy (default), micropython, fifo, random\n");
    out
}
