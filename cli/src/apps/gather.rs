//! Host wiring of the toolkit's `gather` demo (`firmware/toolkit-demos`): its output on UART0
//! at 115,200 baud, first as `gather` reports the timeout (0–7 s), then with
//! `return_exceptions` (7–14 s).

use fwsim::Sim;
use fwsim_hw::Board;
use fwsim_hw::uart::UartConfig;
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The `gather` demo.
pub struct Gather;

impl App for Gather {
    fn name(&self) -> &str {
        "gather"
    }

    fn about(&self) -> &str {
        "The toolkit's gather demo: a normal, a timed-out and a cancelled coroutine gathered (firmware/toolkit-demos)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("uart", PartKind::Serial, "the demo's output on UART0, 115,200 baud")]
    }

    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let mut uart = board.uart("UART0", UartConfig::new(115_200));
        let mut parts = Parts::new();
        parts.serial("uart", uart.peer());
        sim.spawn("gather", async move {
            app_toolkit_demos::gather::run(&mut uart, false).await;
            app_toolkit_demos::gather::run(&mut uart, true).await;
        });
        parts
    }
}
