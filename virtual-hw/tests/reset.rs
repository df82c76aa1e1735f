//! A reset: the firmware's tasks stop (`Sim::abort_all`), and the firmware booting again takes
//! its pins, UART and PWM channels back as they were made, while the board's wiring stays as
//! it was.

use embedded_hal::digital::OutputPin;
use embedded_hal_async::digital::Wait;
use embedded_io_async::{Read, Write};
use fwsim::{Sim, SimTime, ms};
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level, Pull};

/// Firmware: says which boot it is, lights the LED at a press, echoes bytes tagged with the boot.
fn boot<'s>(sim: &'s Sim<'s>, board: &Board, n: u8) {
    let (mut key, mut led) = (board.reclaim_pin("KEY"), board.reclaim_pin("LED"));
    let mut uart = board.reclaim_uart("UART0");
    sim.spawn("lamp", async move {
        key.wait_for_falling_edge().await.unwrap();
        led.set_high().unwrap();
    });
    sim.spawn("echo", async move {
        uart.write_all(&[b'0' + n, b'>']).await.unwrap();
        let mut byte = [0u8];
        loop {
            uart.read_exact(&mut byte).await.unwrap();
            uart.write_all(&[b'0' + n, byte[0]]).await.unwrap();
        }
    });
}

#[test]
fn after_a_reset_the_firmware_boots_again_on_the_same_wiring() {
    fwsim::test(|sim| {
        let board = Board::new();
        let key = board.input("KEY", Pull::Up);
        let button = board.button("B1", &key, Level::Low);
        let led = board.output("LED", Drive::PushPull, Level::Low).probe();
        let peer = board.uart("UART0", UartConfig::new(115_200)).peer();
        boot(sim, &board, 1);

        button.click_at(SimTime::from_millis(10), ms(5));
        peer.send_at(SimTime::from_millis(10), b"a");
        sim.run_for(ms(20)).unwrap();
        assert!(led.is_high());
        assert_eq!(peer.received_bytes(), b"1>1a");

        // The old echo task waits in a read: it is dropped at the reset.
        board.power_cycle();
        sim.abort_all();
        boot(sim, &board, 2);
        assert!(!led.is_high(), "the LED's pin is back as it was made");

        peer.send_at(SimTime::from_millis(30), b"b");
        button.click_at(SimTime::from_millis(40), ms(5));
        sim.run_for(ms(25)).unwrap();
        assert_eq!(peer.received_bytes(), b"1>1a2>2b", "only the new firmware answers");
        assert!(led.is_high(), "the button's wiring outlived the reset");
    });
}

#[test]
fn a_reset_cuts_the_uart_transmitter_short() {
    fwsim::test(|sim| {
        let board = Board::new();
        // 9,600 baud, 10 bits a byte: a byte's stop bit ends every 1.0417 ms.
        let peer = board.uart("UART0", UartConfig::new(9_600)).peer();
        let mut old = board.reclaim_uart("UART0");
        sim.spawn("old", async move { old.write_all(b"0123456789").await.unwrap() });
        sim.run_for(fwsim::us(3_500)).unwrap();
        sim.abort_all();
        let mut new = board.reclaim_uart("UART0");
        sim.spawn("new", async move { new.write_all(b"new").await.unwrap() });
        sim.run_for(ms(20)).unwrap();
        let got = peer.received();
        let text: Vec<u8> = got.iter().map(|(_, b)| *b).collect();
        assert_eq!(text, b"012new", "the byte on the wire and those queued behind it are lost");
        // The new stream starts at the reset, not after the old one's last byte.
        assert_eq!(got[3].0, SimTime::from_nanos(3_500_000 + 1_041_667));
    });
}

#[test]
fn a_reset_stops_a_pwm_channel_until_the_new_firmware_sets_it() {
    fwsim::test(|sim| {
        let board = Board::new();
        let lamp = board.pwm("LAMP", 1000);
        let dim = |mut lamp: fwsim_hw::analog::PwmChannel, duty: u16| async move {
            embassy_time::Timer::after_millis(1).await;
            embedded_hal::pwm::SetDutyCycle::set_duty_cycle(&mut lamp, duty).unwrap();
            std::future::pending::<()>().await
        };
        sim.spawn("old", dim(lamp, 600));
        sim.run_for(ms(5)).unwrap();
        sim.abort_all();
        let again = board.reclaim_pwm("LAMP");
        assert_eq!(again.duty(), 0.0, "a reset stops the timer");
        sim.spawn("new", dim(again, 300));
        sim.run_for(ms(5)).unwrap();
        let record: Vec<String> = board.signals().of("LAMP").map(|c| format!("{} {:?}", c.at, c.value)).collect();
        assert_eq!(
            record,
            ["0.001000000s Text(\"600/1000\")", "0.005000000s Text(\"0/1000\")", "0.006000000s Text(\"300/1000\")"]
        );
    });
}

#[test]
#[should_panic(expected = "the board has no PWM channel called `FAN`; its PWM channels: LAMP")]
fn reclaiming_a_pwm_channel_the_board_lacks_names_those_it_has() {
    fwsim::test(|_| {
        let board = Board::new();
        let _ = board.pwm("LAMP", 255);
        board.reclaim_pwm("FAN");
    });
}

#[test]
#[should_panic(expected = "the board has no pin called `LAMP`; its pins: KEY, LED")]
fn reclaiming_a_pin_the_board_lacks_names_those_it_has() {
    fwsim::test(|_| {
        let board = Board::new();
        let _ = board.input("KEY", Pull::Up);
        let _ = board.output("LED", Drive::PushPull, Level::Low);
        board.reclaim_pin("LAMP");
    });
}

#[test]
#[should_panic(expected = "the board has no UART called `UART1`; its UARTs: UART0")]
fn reclaiming_a_uart_the_board_lacks_names_those_it_has() {
    fwsim::test(|_| {
        let board = Board::new();
        let _ = board.uart("UART0", UartConfig::new(9_600));
        board.reclaim_uart("UART1");
    });
}

/// A bite records its watchdog as the next boot's cause and asks for a reset, once; a power
/// cycle makes the cause the power again and drops a request nobody took.
#[test]
fn a_watchdog_bite_asks_for_a_reset_and_names_itself_as_the_cause() {
    use fwsim_hw::ResetCause;
    fwsim::test(|sim| {
        let board = Board::new();
        let dog = board.watchdog("iwdg", ms(100));
        assert_eq!(board.reset_cause(), ResetCause::PowerOn);
        dog.start();
        sim.run_for(ms(99)).unwrap();
        dog.feed();
        sim.run_for(ms(99)).unwrap();
        assert!(!board.reset_requested(), "fed in time");
        sim.run_for(ms(2)).unwrap();
        assert!(board.reset_requested());
        assert_eq!(board.reset_cause(), ResetCause::Watchdog("iwdg".into()));
        assert_eq!(board.take_reset_request(), Some(ResetCause::Watchdog("iwdg".into())));
        assert_eq!(board.take_reset_request(), None, "taken once");
        assert_eq!(board.reset_cause(), ResetCause::Watchdog("iwdg".into()), "the cause stays for the boot");
        sim.run_for(ms(500)).unwrap();
        assert!(!board.reset_requested(), "a bite stops the watchdog, as the reset does");
        dog.start();
        sim.run_for(ms(150)).unwrap();
        assert!(board.reset_requested());
        board.power_cycle();
        assert!(!board.reset_requested(), "the power cycle is the reset");
        assert_eq!(board.reset_cause(), ResetCause::PowerOn);
        assert_eq!(sim.take_diagnostics().len(), 2, "each bite is a WatchdogReset diagnostic");
    });
}
