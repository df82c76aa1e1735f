//! `power-cycle`: `true` stops the firmware and boots it again on the same wiring (the app says
//! how with `Parts::boot`); `peripherals` resets the devices only; an app that cannot boot
//! again, or that panics while it does, fails the step and says why.

use std::cell::Cell;
use std::rc::Rc;

use embedded_hal_async::digital::Wait;
use embedded_io_async::Write;
use fwsim::Sim;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Level, Pull};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

mod support;

fn parts_info() -> Vec<PartInfo> {
    vec![PartInfo::new("key", PartKind::Button, "the key"), PartInfo::new("serial", PartKind::Serial, "the log")]
}

/// Wires a key (KEY, to ground) and a UART (UART0).
fn wire(board: &Board) -> Parts {
    let pin = board.input("KEY", Pull::Up);
    let key = board.button("B", &pin, Level::Low);
    let mut parts = Parts::new();
    parts.button("key", key).serial("serial", board.uart("UART0", UartConfig::new(115_200)).peer());
    parts
}

/// Firmware that says which boot it is, then counts presses in RAM: `count=N`.
async fn counter(mut key: fwsim_hw::Pin, mut uart: fwsim_hw::uart::Uart, boot: u32) {
    uart.write_all(format!("boot {boot}\r\n").as_bytes()).await.unwrap();
    for n in 1.. {
        key.wait_for_falling_edge().await.unwrap();
        uart.write_all(format!("count={n}\r\n").as_bytes()).await.unwrap();
    }
}

/// Says how it boots; `panic_at` makes that boot panic.
struct Counter {
    panic_at: Option<u32>,
}

impl App for Counter {
    fn name(&self) -> &str {
        "counter"
    }
    fn about(&self) -> &str {
        "counts presses, boots again after a power cycle"
    }
    fn parts(&self) -> Vec<PartInfo> {
        parts_info()
    }
    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let mut parts = wire(board);
        let (board, boots, panic_at) = (board.clone(), Rc::new(Cell::new(0)), self.panic_at);
        parts.boot(move |sim| {
            boots.set(boots.get() + 1);
            assert_ne!(Some(boots.get()), panic_at, "the flash is corrupt");
            sim.spawn("counter", counter(board.reclaim_pin("KEY"), board.reclaim_uart("UART0"), boots.get()));
        });
        parts
    }
}

/// Spawns its firmware in `start`: it cannot boot again.
struct SpawnsInStart;

impl App for SpawnsInStart {
    fn name(&self) -> &str {
        "spawns-in-start"
    }
    fn about(&self) -> &str {
        "counts presses, says nothing of booting"
    }
    fn parts(&self) -> Vec<PartInfo> {
        parts_info()
    }
    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let parts = wire(board);
        sim.spawn("counter", counter(board.reclaim_pin("KEY"), board.reclaim_uart("UART0"), 1));
        parts
    }
}

use support::{failure, run_on as run};

const PRESS: &str = "  - press: { part-id: key, hold: 10ms }\n  - delay: 20ms\n";

#[test]
fn a_full_power_cycle_boots_the_firmware_again_and_a_brown_out_does_not() {
    let yaml = format!(
        "steps:\n{PRESS}  - wait-serial: {{ text: \"count=1\", within: 20ms }}\n  - power-cycle: true\n  \
         - wait-serial: {{ text: \"boot 2\", within: 1ms }}\n{PRESS}  - wait-serial: {{ text: \"count=1\", within: 20ms }}\n  \
         - power-cycle: peripherals\n{PRESS}  - wait-serial: {{ text: \"count=2\", within: 20ms }}\n"
    );
    let r = run(&Counter { panic_at: None }, &yaml);
    assert!(r.passed(), "{}", r.human(true));
    assert_eq!(r.serial.values().next().unwrap(), "boot 1\r\ncount=1\r\nboot 2\r\ncount=1\r\ncount=2\r\n");
}

#[test]
fn an_app_that_spawns_in_start_fails_a_full_power_cycle_and_says_what_would_work() {
    let r = run(&SpawnsInStart, &format!("steps:\n{PRESS}  - power-cycle: true\n"));
    assert_eq!(
        failure(&r),
        "`power-cycle: true` restarts the firmware, and the app `spawns-in-start` does not say how its firmware \
         boots (`Parts::boot`); `power-cycle: peripherals` cuts the devices' power only"
    );
    let r = run(&SpawnsInStart, &format!("steps:\n  - power-cycle: peripherals\n{PRESS}  - wait-serial: count=1\n"));
    assert!(r.passed(), "{}", r.human(true));
}

#[test]
fn a_boot_that_panics_fails_the_scenario_at_the_start_or_at_the_power_cycle() {
    let r = run(&Counter { panic_at: Some(1) }, "steps:\n  - delay: 1s\n");
    assert!(
        failure(&r).starts_with("the app `counter` panicked while its firmware booted: assertion `left != right` failed: the flash is corrupt"),
        "{}",
        failure(&r)
    );
    let r = run(&Counter { panic_at: Some(2) }, "steps:\n  - delay: 1s\n  - power-cycle: true\n  - delay: 1s\n");
    let f = r.failure().unwrap();
    assert!(
        f.message.starts_with("the app panicked while its firmware booted again: assertion `left != right` failed"),
        "{}",
        f.message
    );
    assert_eq!(f.at_ns, 1_000_000_000, "{}", r.human(true));
}
