//! Host wiring of the toolkit's scheduling demos (`firmware/toolkit-demos`): each writes its
//! output on UART0 at 115,200 baud.
//!
//! * `gather`: first as `gather` reports the timeout (0–7 s), then with `return_exceptions`
//!   (7–14 s).
//! * `roundrobin` and `rate`: each poll of a task charged a Pyboard 1.1's scheduling turn
//!   (195 µs) of virtual time, as the toolkit's `rate.py` measured it.

use fwsim::{CostModel, Sim};
use fwsim_hw::Board;
use fwsim_hw::uart::UartConfig;
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// One of the toolkit's scheduling demos.
pub struct ToolkitDemo {
    name: &'static str,
    about: &'static str,
    demo: Demo,
}

#[derive(Clone, Copy)]
enum Demo {
    Gather,
    Roundrobin,
    Rate,
}

/// The `gather` demo.
pub static GATHER: ToolkitDemo = ToolkitDemo {
    name: "gather",
    about: "The toolkit's gather demo: a normal, a timed-out and a cancelled coroutine gathered (firmware/toolkit-demos)",
    demo: Demo::Gather,
};

/// The `roundrobin` demo.
pub static ROUNDROBIN: ToolkitDemo = ToolkitDemo {
    name: "roundrobin",
    about: "The toolkit's roundrobin demo: three coroutines yielding in turns, and their rate on a Pyboard 1.1's scheduler cost (firmware/toolkit-demos)",
    demo: Demo::Roundrobin,
};

/// The `rate` demo.
pub static RATE: ToolkitDemo = ToolkitDemo {
    name: "rate",
    about: "The toolkit's rate demo: 100 to 1,000 minimal coroutines, and one turn's time on a Pyboard 1.1's scheduler cost (firmware/toolkit-demos)",
    demo: Demo::Rate,
};

impl App for ToolkitDemo {
    fn name(&self) -> &str {
        self.name
    }

    fn about(&self) -> &str {
        self.about
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("uart", PartKind::Serial, "the demo's output on UART0, 115,200 baud")]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let mut parts = Parts::new();
        parts.serial("uart", uart.peer());
        let (board, demo, name) = (board.clone(), self.demo, self.name);
        parts.boot(move |sim| {
            let mut uart = board.reclaim_uart("UART0");
            match demo {
                Demo::Gather => sim.spawn(name, async move {
                    app_toolkit_demos::gather::run(&mut uart, false).await;
                    app_toolkit_demos::gather::run(&mut uart, true).await;
                }),
                Demo::Roundrobin => sim.spawn(name, app_toolkit_demos::roundrobin::run(uart)),
                Demo::Rate => sim.spawn(name, app_toolkit_demos::rate::run(uart)),
            };
        });
        parts
    }

    fn cost(&self) -> Option<CostModel> {
        match self.demo {
            Demo::Gather => None,
            // One scheduling turn of a coroutine on a Pyboard 1.1 under asyncio V3.
            Demo::Roundrobin | Demo::Rate => Some(CostModel { per_poll_ns: 195_000, per_wake_ns: 0 }),
        }
    }
}
