//! The same firmware on fwsim and on the board (board/, on QEMU under the real
//! embassy-executor): the same LED changes, in the same order, at the same times within 50 µs
//! (the board spends a few µs running code; fwsim spends none).
//!
//! Needs `rustup target add thumbv7m-none-eabi` and `qemu-system-arm`.

use std::path::Path;

use fake_board::{MarkedPin, NoPin};
use fwsim::{Order, SimConfig, SimTime};
use fwsim_qemu::MarkLog;

#[test]
fn the_board_blinks_as_the_simulation_does() {
    let on_fwsim = fwsim::scope(SimConfig::new().order(Order::Embassy), |sim| {
        let log = &*sim.alloc(MarkLog::new());
        sim.spawn("blinky", blinky_firmware::blinky(MarkedPin::new("led", log, NoPin)));
        sim.run_until(SimTime::from_millis(2500)).unwrap();
        log.take()
    });
    assert_eq!(on_fwsim.len(), 6, "2.5 s of blinking: on and off three times");

    let board = fwsim_qemu::build(&Path::new(env!("CARGO_MANIFEST_DIR")).join("board"));
    let on_board = fwsim_qemu::run(&board.path("blinky-board")).marks;
    let worst = fwsim_qemu::assert_same("blinky", &on_board, &on_fwsim, 50);
    println!("{} marks agree; the largest difference is {worst} µs", on_board.len());
}
