//! A watchdog's bite resets the MCU at its instant: the firmware boots again and can read why
//! (`Board::reset_cause`). `expect-reset` claims a bite the scenario tests; an unclaimed
//! bite fails the run; an app that cannot boot again fails at the bite and says why.

use std::cell::Cell;
use std::rc::Rc;

use embassy_time::Timer;
use embedded_io_async::{Read, Write};
use fwsim::Sim;
use fwsim_hw::analog::Watchdog;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, ResetCause};
use fwsim_scenario::{App, PartInfo, PartKind, Parts, Report};
use support::failure;

mod support;

/// Firmware: says why it booted, then feeds a 100 ms watchdog every 50 ms until the console
/// receives `h`, which hangs the feeder (as a task stuck on a bus would).
fn firmware<'s>(sim: &'s Sim<'s>, board: &Board, dog: &Watchdog) {
    let mut uart = board.reclaim_uart("UART0");
    let why = match board.reset_cause() {
        ResetCause::PowerOn => "power-on".to_owned(),
        ResetCause::Watchdog(name) => format!("watchdog {name}"),
    };
    let hung = Rc::new(Cell::new(false));
    let (dog, feeder_hung) = (dog.clone(), hung.clone());
    dog.start();
    sim.spawn("feeder", async move {
        while !feeder_hung.get() {
            dog.feed();
            Timer::after_millis(50).await;
        }
        std::future::pending::<()>().await;
    });
    sim.spawn("console", async move {
        uart.write_all(format!("boot: {why}\r\n").as_bytes()).await.unwrap();
        let mut byte = [0u8];
        loop {
            uart.read_exact(&mut byte).await.unwrap();
            hung.set(hung.get() || byte[0] == b'h');
        }
    });
}

/// The firmware above, booted through `Parts::boot` (`boots`), or spawned once in `start`.
struct Guard {
    boots: bool,
}

impl App for Guard {
    fn name(&self) -> &str {
        "guard"
    }
    fn about(&self) -> &str {
        "feeds a watchdog until told to hang"
    }
    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("serial", PartKind::Serial, "the console")]
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let mut parts = Parts::new();
        parts.serial("serial", board.uart("UART0", UartConfig::new(115_200)).peer());
        let dog = board.watchdog("iwdg", fwsim::ms(100));
        if self.boots {
            let board = board.clone();
            parts.boot(move |sim| firmware(sim, &board, &dog));
        } else {
            firmware(sim, board, &dog);
        }
        parts
    }
}

fn run(boots: bool, yaml: &str) -> Report {
    support::run_on(&Guard { boots }, yaml)
}

const HANG: &str = "steps:\n  - wait-serial: \"boot: power-on\"\n  - write-serial: h\n";

#[test]
fn an_expected_bite_reboots_the_firmware_which_reads_why() {
    let yaml = format!(
        "{HANG}  - expect-reset: {{ watchdog: iwdg, within: 200ms }}\n  \
         - wait-serial: {{ text: \"boot: watchdog iwdg\", within: 5ms }}\n  - delay: 1s\n"
    );
    let r = run(true, &yaml);
    assert!(r.passed(), "{}", r.human(true));
    assert_eq!(r.serial.values().next().unwrap(), "boot: power-on\r\nboot: watchdog iwdg\r\n");
    // The `h` arrives 1.2 ms in, before the feeder's second turn: its last feed was at boot,
    // so the bite comes at 100 ms; the new boot feeds its watchdog, which never bites again.
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    assert!(r.diagnostics[0].starts_with("0.100000000s: watchdog iwdg: WatchdogReset"), "{:?}", r.diagnostics);
    assert!(r.diagnostics[0].ends_with(" (expected: expect-reset)"), "{:?}", r.diagnostics);
}

#[test]
fn an_unexpected_bite_reboots_the_firmware_and_fails_the_run() {
    let r = run(true, &format!("{HANG}  - delay: 1s\n"));
    assert!(
        failure(&r).starts_with("the firmware caused 1 error diagnostic: 0.100000000s: watchdog iwdg: WatchdogReset"),
        "{}",
        failure(&r)
    );
    assert_eq!(r.serial.values().next().unwrap(), "boot: power-on\r\nboot: watchdog iwdg\r\n", "it rebooted");
}

#[test]
fn an_expect_reset_that_does_not_come_fails_and_says_what_resets_there_were() {
    let yaml = "steps:\n  - expect-reset: { watchdog: iwdg, within: 500ms }\n";
    assert_eq!(
        failure(&run(true, yaml)),
        "expected the watchdog `iwdg` to reset the MCU within 500ms; no watchdog reset it"
    );
    // A bite claimed once is not claimed again.
    let yaml = format!(
        "{HANG}  - expect-reset: {{ watchdog: iwdg, within: 200ms }}\n  \
         - expect-reset: {{ watchdog: iwdg, within: 500ms }}\n"
    );
    assert_eq!(
        failure(&run(true, &yaml)),
        "expected the watchdog `iwdg` to reset the MCU within 500ms; the resets so far: `iwdg` at 0.100000000s"
    );
}

#[test]
fn an_app_that_cannot_boot_again_fails_at_the_bite() {
    let r = run(false, &format!("{HANG}  - delay: 1s\n"));
    let f = r.failure().unwrap();
    assert_eq!(
        f.message,
        "the watchdog `iwdg` reset the MCU, and the app `guard` does not say how its firmware boots \
         (`Parts::boot`), so it cannot boot again"
    );
    assert_eq!(f.at_ns, 100_000_000);
}

#[test]
fn expect_reset_takes_a_map_and_says_how() {
    let app = Guard { boots: true };
    let e = fwsim_scenario::parse("t.yaml".as_ref(), "steps:\n  - expect-reset: iwdg\n", &[&app], Some("guard"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "t.yaml:2:19: `expect-reset` takes a map of its keys, not a single value; for example \
         `expect-reset: { watchdog: iwdg, within: 1s }`"
    );
}
