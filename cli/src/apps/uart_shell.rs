//! Host wiring of `firmware/uart-shell`: the shell on UART0 at 115,200 baud, the LED on LED.

use fwsim::Sim;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The UART command shell app.
pub struct UartShell;

impl App for UartShell {
    fn name(&self) -> &str {
        "uart-shell"
    }

    fn about(&self) -> &str {
        "Command shell on a UART with an idle timeout and line-error recovery, driving an LED (firmware/uart-shell)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new("uart", PartKind::Serial, "the shell on UART0, 115,200 baud"),
            PartInfo::new("led", PartKind::Pin, "LED on pin LED, high = lit"),
        ]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let led = board.output("LED", Drive::PushPull, Level::Low);
        let mut parts = Parts::new();
        parts.serial("uart", uart.peer()).pin("led", led.probe());
        let board = board.clone();
        parts.boot(move |sim| {
            sim.spawn("shell", app_uart_shell::run(board.reclaim_uart("UART0"), board.reclaim_pin("LED")));
        });
        parts
    }
}
