//! Firmware that busy-waits on a pin or a UART flag, as blocking code does on a board: the
//! loop sees the change at the tick it comes, and holds the CPU until then.

use std::cell::RefCell;
use std::rc::Rc;

use embassy_time::Timer;
use embedded_hal::digital::InputPin;
use embedded_io::ReadReady;
use fwsim::{SimConfig, SimError, SimTime, ms};
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Level, Pull};

/// Calls `ready` until it says yes, at most `limit` times: whether it did. (Bounded, so that a
/// simulator in which nothing changes during a poll fails the test instead of hanging it.)
fn busy_wait_for(limit: u32, mut ready: impl FnMut() -> bool) -> bool {
    (0..limit).any(|_| ready())
}

#[test]
fn a_loop_on_a_button_pin_ends_at_the_press_and_holds_the_cpu_till_then() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut key = board.input("KEY", Pull::Up);
        board.button("B1", &key, Level::Low).press_at(SimTime::from_millis(10));
        let order = Rc::new(RefCell::new(Vec::new()));
        let log = order.clone();
        sim.spawn("blocking", async move {
            let pressed = busy_wait_for(10_000_000, || key.is_low().unwrap());
            log.borrow_mut().push(("pressed", pressed, fwsim::now()));
        });
        let log = order.clone();
        sim.spawn("ticker", async move {
            Timer::after_millis(5).await;
            log.borrow_mut().push(("tick", true, fwsim::now()));
        });
        sim.run_for(ms(20)).unwrap();
        let at = SimTime::from_millis(10);
        // The tick was due at 5 ms, but the spinning task held the CPU until the press.
        assert_eq!(*order.borrow(), [("pressed", true, at), ("tick", true, at)]);
    });
}

#[test]
fn embedded_hal_02_pins_are_spin_points_too() {
    fwsim::test(|sim| {
        let board = Board::new();
        let key = board.input("KEY", Pull::Down);
        board.button("B1", &key, Level::High).press_at(SimTime::from_micros(2_345));
        let waiter = sim.spawn("blocking", async move {
            let pressed = busy_wait_for(10_000_000, || embedded_hal_02::digital::v2::InputPin::is_high(&key).unwrap());
            (pressed, fwsim::now())
        });
        sim.run_for(ms(5)).unwrap();
        assert_eq!(sim.join(waiter).unwrap(), (true, SimTime::from_micros(2_345)));
    });
}

#[test]
fn a_loop_on_read_ready_sees_the_byte_when_its_stop_bit_ends() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(9600));
        let peer = uart.peer();
        peer.send_at(SimTime::from_millis(3), b"A");
        let reader = sim.spawn("blocking", async move {
            let ready = busy_wait_for(10_000_000, || uart.read_ready().unwrap());
            let mut byte = [0];
            embedded_io::Read::read(&mut uart, &mut byte).unwrap();
            (ready, fwsim::now(), byte[0])
        });
        sim.run_for(ms(10)).unwrap();
        let end = UartConfig::new(9600).byte_end(3_000_000, 0);
        // Seen at the first whole tick (1 µs) at or after the byte's end.
        let seen = end.div_ceil(1_000) * 1_000;
        assert_eq!(sim.join(reader).unwrap(), (true, SimTime(seen), b'A'));
    });
}

#[test]
fn in_strict_mode_a_spin_on_a_pin_is_reported_by_name() {
    let sim = fwsim::Sim::with_config(SimConfig::new().strict(true));
    sim.enter(|| {
        let board = Board::new();
        let mut key = board.input("KEY", Pull::Up);
        board.button("B1", &key, Level::Low).press_at(SimTime::from_millis(1));
        sim.spawn("blocking", async move { busy_wait_for(10_000_000, || key.is_low().unwrap()) });
    });
    let err = sim.run_for(ms(2)).unwrap_err();
    let SimError::Strict(fwsim::Diagnostic::Spin { task, on, .. }) = &err else { panic!("{err}") };
    assert_eq!((task.as_str(), on.as_str()), ("blocking#0", "pin KEY"));
}
