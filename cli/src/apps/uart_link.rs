//! Host wiring of `firmware/uart-link`: two boards in one simulation. The master runs on the
//! first executor (MCU A), the device on a second (MCU B, its own `Embassy` run queue); A's
//! UART2 and B's UART4 are crossed at 9,600 baud, and the master's console is A's UART0 at
//! 115,200 baud.
//!
//! The executors share one clock; when both boards have work in the same instant, A's runs
//! first (fwsim orders executors by id). Two real boards would settle such a tie by their
//! clocks' drift; this link's bytes are a millisecond apart, so nothing here depends on it.

use fwsim::{Order, Sim};
use fwsim_hw::Board;
use fwsim_hw::uart::UartConfig;
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The two-board UART link app.
pub struct UartLink;

impl App for UartLink {
    fn name(&self) -> &str {
        "uart-link"
    }

    fn about(&self) -> &str {
        "Two boards over crossed UARTs: a half-duplex master with a DelayMs end-of-reply timeout and a device (firmware/uart-link)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("console", PartKind::Serial, "the master's console on A.UART0, 115,200 baud")]
    }

    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let console = board.uart("A.UART0", UartConfig::new(115_200));
        let master_port = board.uart("A.UART2", UartConfig::new(9600));
        let device_port = board.uart("B.UART4", UartConfig::new(9600));
        board.connect_uarts(&master_port, &device_port);
        let mut parts = Parts::new();
        parts.serial("console", console.peer());
        let (board, mcu_b) = (board.clone(), sim.add_executor(Order::Embassy));
        parts.boot(move |sim| {
            let (rx, tx) = board.reclaim_uart("A.UART2").split();
            sim.spawn("master", app_uart_link::master(rx, tx, board.reclaim_uart("A.UART0")));
            let (rx, tx) = board.reclaim_uart("B.UART4").split();
            sim.spawn_on(mcu_b, "device", app_uart_link::device(rx, tx));
        });
        parts
    }
}
