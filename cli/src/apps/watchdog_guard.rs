//! Host wiring of `firmware/watchdog-guard`: the modem on UART0 at 115,200 baud and an
//! independent watchdog `iwdg`. The boot reads why the MCU started from the board
//! (`Board::reset_cause`), as the firmware would from its reset-cause register.

use app_watchdog_guard::{Boot, Heartbeat};
use fwsim::Sim;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, ResetCause};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The watchdog-guard app.
pub struct WatchdogGuard;

impl App for WatchdogGuard {
    fn name(&self) -> &str {
        "watchdog-guard"
    }

    fn about(&self) -> &str {
        "A watchdog fed only while the worker checks in: a silent modem hangs it and the MCU resets \
         (firmware/watchdog-guard)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new(
            "modem",
            PartKind::Serial,
            "the modem on UART0, 115,200 baud: the firmware sends AT and waits for OK; logs boot: power-on, \
             boot: watchdog, link up; the watchdog `iwdg` resets the MCU 1 s after the last feed",
        )]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let dog = board.watchdog("iwdg", app_watchdog_guard::WATCHDOG_TIMEOUT);
        let mut parts = Parts::new();
        parts.serial("modem", uart.peer());
        let board = board.clone();
        parts.boot(move |sim| {
            let boot = match board.reset_cause() {
                ResetCause::PowerOn => Boot::PowerOn,
                ResetCause::Watchdog(_) => Boot::Watchdog,
            };
            // RAM: a fresh heartbeat each boot.
            let heartbeat = &*sim.alloc(Heartbeat::new());
            sim.spawn("supervisor", app_watchdog_guard::supervisor(dog.clone(), heartbeat));
            sim.spawn("link", app_watchdog_guard::link(board.reclaim_uart("UART0"), boot, heartbeat));
        });
        parts
    }
}
