//! A schedule-fuzzing failure on a board leaves the shrunk run's waveform and signal log
//! beside its trace and replay file.

use std::cell::RefCell;
use std::rc::Rc;

use embedded_hal::digital::{OutputPin, StatefulOutputPin};
use fwsim::fuzz::{Fuzz, Strategy};
use fwsim_hw::{Board, Drive, Level};

/// "on" lights the LED after one turn, "off" clears it after two: the LED ends dark in the
/// run order's own schedule, lit when "off" is run first.
fn race(sim: &fwsim::Sim<'_>) {
    let board = Board::new();
    let led = Rc::new(RefCell::new(board.output("LED", Drive::PushPull, Level::Low)));
    let (on, off) = (led.clone(), led.clone());
    sim.spawn("on", async move {
        fwsim::yield_now().await;
        on.borrow_mut().set_high().unwrap();
    });
    sim.spawn("off", async move {
        fwsim::yield_now().await;
        fwsim::yield_now().await;
        off.borrow_mut().set_low().unwrap();
    });
    sim.run_until_stalled().unwrap();
    assert!(led.borrow_mut().is_set_low().unwrap(), "the LED was left on");
}

#[test]
fn a_fuzz_failure_leaves_the_shrunk_runs_waveform_and_signal_log() {
    let failure = Fuzz::new(Strategy::Dfs { bound: 2 }).name("board-race").try_run(race).expect_err("found");
    assert!(failure.proved_minimal, "{failure}");
    let dir = failure.artifacts.as_ref().expect("artifacts written");
    let vcd = std::fs::read_to_string(dir.join("board.vcd")).expect("the waveform is an artifact");
    assert!(vcd.contains("LED"), "{vcd}");
    let log = std::fs::read_to_string(dir.join("signals.txt")).expect("the signal log is an artifact");
    // The failing run's record, not the passing runs' before it: the LED's last change lit it.
    let last = log.lines().rfind(|l| l.contains(" LED = ")).expect("the LED changed");
    assert!(last.ends_with("LED = High"), "{log}");
    assert!(dir.join("replay.json").exists() && dir.join("trace.jsonl").exists());
}
