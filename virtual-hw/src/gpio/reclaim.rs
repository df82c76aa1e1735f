//! Getting a pin back after a reset: firmware that boots again takes its pins anew.

use super::*;

impl Board {
    /// The pin called `name`, back as it was made (mode, pull, output level): what firmware
    /// booting again after a reset gets, once the old firmware's tasks are gone
    /// ([`fwsim::Sim::abort_all`]). Its net keeps what the board wired to it (buttons,
    /// jumpers, devices, [`on_edge`](Pin::on_edge) handlers, a test's drive), as a board keeps
    /// its traces through a reset. Panics, naming the board's pins, if it has none called
    /// `name`.
    ///
    /// ```
    /// use embedded_hal::digital::OutputPin;
    /// use fwsim_hw::{Board, Drive, Level};
    ///
    /// fwsim::test(|sim| {
    ///     let board = Board::new();
    ///     let mut heater = board.output("HEATER", Drive::PushPull, Level::Low);
    ///     let probe = heater.probe();
    ///     sim.spawn("firmware", async move {
    ///         heater.set_high().unwrap();
    ///         std::future::pending::<()>().await
    ///     });
    ///     sim.run_for(fwsim::ms(1)).unwrap();
    ///     assert!(probe.is_high());
    ///
    ///     // A reset: the tasks stop, and the pin the firmware takes again is as it was made.
    ///     sim.abort_all();
    ///     let heater = board.reclaim_pin("HEATER");
    ///     assert!(!probe.is_high());
    ///     # drop(heater);
    /// });
    /// ```
    #[track_caller]
    pub fn reclaim_pin(&self, name: &str) -> Pin {
        let (id, net) = {
            let mut b = self.borrow();
            let id = crate::board::index_named(b.gpio.pins.iter().map(|p| p.name.as_str()), name, "pin");
            let pin = &mut b.gpio.pins[id];
            (pin.mode, pin.pull, pin.latch) = pin.made;
            (id, pin.net)
        };
        self.settle(net);
        Pin { board: self.clone(), id }
    }
}
