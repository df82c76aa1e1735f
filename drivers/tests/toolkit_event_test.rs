//! The toolkit's `event_test.py` switch program, ported: an output pin linked to an input
//! (the Pyboard's Y2–Y1 wire becomes a jumper on the simulated board) pulses an `EButton`
//! without and with `suppress`, then a switch; a monitor task per event adds the event's
//! 3-bit counter to one value, and the program's own `expect` values are checked.
//!
//! Under MicroPython's order, as the original runs. `ESwitch` is the port's `Switch`.

use std::cell::Cell;

use embassy_futures::join::join4;
use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::Timer;
use embedded_hal::digital::OutputPin;
use fwsim::{Policy, SimConfig};
use fwsim_drivers::{EButton, PushbuttonConfig, Switch};
use fwsim_hw::{Board, Drive, Level, Pin, Pull};
use fwsim_primitives::Event;

type M = NoopRawMutex;

/// Waits for `event` for ever, clears it and adds `weight` to `val` each time (the program's
/// `monitor`).
async fn monitor(event: &Event<M>, weight: u32, val: &Cell<u32>) {
    loop {
        event.wait().await;
        event.clear();
        val.set(val.get() + weight);
    }
}

/// Drives the line to its active level for `ms` (polarity 1: idle high, active low).
async fn pulse(out: &mut Pin, ms: u64) {
    out.set_low().unwrap();
    Timer::after_millis(ms).await;
    out.set_high().unwrap();
}

/// The program's `btest`: the value after each of its four gestures.
async fn gestures(out: &mut Pin, val: &Cell<u32>) -> [u32; 4] {
    let mut seen = [0; 4];
    Timer::after_secs(1).await;
    pulse(out, 100).await; // short press
    Timer::after_secs(1).await;
    seen[0] = val.replace(0);
    Timer::after_secs(1).await;
    pulse(out, 2000).await; // long press
    Timer::after_secs(4).await;
    seen[1] = val.replace(0);
    Timer::after_secs(1).await;
    pulse(out, 100).await; // double press
    Timer::after_millis(100).await;
    pulse(out, 100).await;
    Timer::after_secs(4).await;
    seen[2] = val.replace(0);
    Timer::after_secs(1).await;
    pulse(out, 100).await; // double press, the second one long
    Timer::after_millis(100).await;
    pulse(out, 2000).await;
    Timer::after_secs(4).await;
    seen[3] = val.replace(0);
    seen
}

/// One `EButton` run through the gestures; its task ends with them (the program's `deinit`).
async fn ebutton_test(input: &mut Pin, out: &mut Pin, suppress: bool) -> [u32; 4] {
    let val = Cell::new(0);
    let b = EButton::<M>::new(PushbuttonConfig::new().suppress(suppress));
    let monitors = join4(
        monitor(&b.press, 0o1, &val),
        monitor(&b.release, 0o10, &val),
        monitor(&b.double, 0o100, &val),
        monitor(&b.long, 0o1000, &val),
    );
    let button = b.run(input, |_| {});
    match select(select(button, monitors), gestures(out, &val)).await {
        embassy_futures::select::Either::Second(seen) => seen,
        embassy_futures::select::Either::First(_) => unreachable!("the button and monitors run for ever"),
    }
}

/// The program's `stest`: the value one second after the switch closes, and after it opened.
async fn switch_test(input: &mut Pin, out: &mut Pin) -> [u32; 2] {
    let val = Cell::new(0);
    let sw = Switch::<M>::new(true);
    let monitors = embassy_futures::join::join(monitor(&sw.open, 0o1, &val), monitor(&sw.close, 0o10, &val));
    let steps = async {
        let closing = pulse(out, 2000);
        let check = async {
            Timer::after_secs(1).await;
            let closed = val.get();
            Timer::after_secs(4).await;
            [closed, val.get()]
        };
        embassy_futures::join::join(closing, check).await.1
    };
    match select(select(sw.run(input, |_| {}), monitors), steps).await {
        embassy_futures::select::Either::Second(seen) => seen,
        embassy_futures::select::Either::First(_) => unreachable!("the switch and monitors run for ever"),
    }
}

#[test]
fn event_test_switch_program_gets_the_values_it_expects() {
    fwsim::test_with(SimConfig::new().policy(Policy::MicroPython), |sim| {
        let board = Board::new();
        let input = sim.alloc(board.input("Y1", Pull::None));
        let out = sim.alloc(board.output("Y2", Drive::PushPull, Level::High));
        board.jumper(input, out);
        let program = sim.spawn("main", async move {
            let plain = ebutton_test(input, out, false).await;
            let suppressed = ebutton_test(input, out, true).await;
            let switch = switch_test(input, out).await;
            (plain, suppressed, switch)
        });
        sim.run_for(fwsim::secs(60)).unwrap();
        let (plain, suppressed, switch) = sim.join(program).unwrap();
        // The program's expectations: short press, long press, double press, double press
        // with a long second press.
        assert_eq!(plain, [0x09, 0x209, 0x52, 0x52], "EButton, suppress == False");
        assert_eq!(suppressed, [0x09, 0x208, 0x48, 0x48], "EButton, suppress == True");
        assert_eq!(switch, [0x08, 0x09], "ESwitch: closure, then close and open");
    });
}
