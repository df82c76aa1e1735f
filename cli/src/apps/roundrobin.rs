//! Host wiring of the toolkit's `roundrobin` demo (`firmware/toolkit-demos`): its output on UART0
//! at 115,200 baud, each poll of a task charged a Pyboard 1.1's turn (195 µs) of virtual time.

use fwsim::{CostModel, Sim};
use fwsim_hw::Board;
use fwsim_hw::uart::UartConfig;
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The `roundrobin` demo.
pub struct Roundrobin;

impl App for Roundrobin {
    fn name(&self) -> &str {
        "roundrobin"
    }

    fn about(&self) -> &str {
        "The toolkit's roundrobin demo: three coroutines yielding in turns, and their rate on a Pyboard 1.1's scheduler cost (firmware/toolkit-demos)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("uart", PartKind::Serial, "the demo's output on UART0, 115,200 baud")]
    }

    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let mut parts = Parts::new();
        parts.serial("uart", uart.peer());
        sim.spawn("roundrobin", app_toolkit_demos::roundrobin::run(uart));
        parts
    }

    fn cost(&self) -> Option<CostModel> {
        Some(super::pyboard_turn())
    }
}
