//! The input drivers in virtual time: edges placed on and between the 50 ms poll grid,
//! bouncing contacts, and the toolkit's bug regressions (#101, #115, L2).

use std::cell::{Cell, RefCell};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_time::Instant;
use fwsim::{Irq, IsrCheckedRawMutex, Policy, Sim, SimConfig, SimTime};
use fwsim_drivers::{ButtonEvent, EButton, Encoder, EncoderConfig, EncoderError, Pushbutton, PushbuttonConfig, Switch};
use fwsim_hw::{Board, Bounce, Button, Level, Pin, Pull};

const PIN_IRQ: Irq = Irq::new(3, 40);

/// A push button between an input and a rail on a simulated board (fwsim-hw): the pin is
/// pulled to the idle level, the contact closes it to the other; with `bounce`, every press
/// and release chatters for up to 5 ms (seeded by the simulation's seed).
fn key(sim: &Sim<'_>, rail: Level, bounce: bool) -> (Pin, Button) {
    sim.enter(|| {
        let board = Board::new();
        let pull = if rail == Level::Low { Pull::Up } else { Pull::Down };
        let pin = board.input("KEY", pull);
        let mut button = board.button("B1", &pin, rail);
        if bounce {
            button = button.with_bounce(Bounce { window: std::time::Duration::from_millis(5), max_pairs: 4 });
        }
        (pin, button)
    })
}

/// Closes (`closed`) or opens the contact at `at_us`.
fn edge(sim: &Sim<'_>, button: &Button, at_us: u64, closed: bool) {
    sim.enter(|| {
        let at = SimTime::from_micros(at_us);
        if closed { button.press_at(at) } else { button.release_at(at) }
    });
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

type Log = RefCell<Vec<(String, u64)>>;

fn record(log: &Log, what: impl std::fmt::Debug) {
    log.borrow_mut().push((format!("{what:?}"), Instant::now().as_millis()));
}

fn lines(log: &Log) -> Vec<(String, u64)> {
    log.borrow().clone()
}

fn ev(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(s, t)| (s.to_string(), *t)).collect()
}

/// Runs `run` under the embassy and MicroPython policies; the outcome must not depend on it.
fn on_both_policies<T: PartialEq + std::fmt::Debug>(run: impl Fn(Policy) -> T) -> T {
    let embassy = run(Policy::Embassy);
    assert_eq!(run(Policy::MicroPython), embassy, "the policies disagree");
    embassy
}

mod aadc;
mod encoder;
mod pushbutton;
mod switch;
