//! Host wiring of `firmware/low-power`, in its two forms: `low-power` (the button watched by
//! its edge interrupt) and `low-power-polling` (the button read every millisecond). The same
//! board for both: an HTU21D at 0x40 on I2C0 (400 kHz; 21 °C, 45 %RH), a button on BTN (to
//! ground, pulled up), the heartbeat LED on LED, the log on UART0 at 115,200 baud.
//!
//! Both charge [`CORTEX_M0_POLL`] per poll and [`CORTEX_M0_WAKE`] per wake: roughly what
//! polling a small task and taking the interrupt that woke it cost a Cortex-M0+ at 125 MHz
//! (an estimate, not a measurement), so that the report's idle share compares the two.

use std::time::Duration;

use fwsim::{CostModel, Sim};
use fwsim_hw::devices::Htu21d;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level, Pull};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The cost of a poll (see the module docs).
pub const CORTEX_M0_POLL: Duration = Duration::from_micros(10);
/// The cost of a wake.
pub const CORTEX_M0_WAKE: Duration = Duration::from_micros(2);

/// The low-power logger in one of its two forms.
pub struct LowPower {
    /// The button read every millisecond instead of watched by its edge interrupt.
    polling: bool,
}

/// The low-power logger, button by interrupt.
pub static LOW_POWER: LowPower = LowPower { polling: false };

/// The same logger, button polled every millisecond.
pub static LOW_POWER_POLLING: LowPower = LowPower { polling: true };

impl App for LowPower {
    fn name(&self) -> &str {
        if self.polling { "low-power-polling" } else { "low-power" }
    }

    fn about(&self) -> &str {
        if self.polling {
            "The low-power logger with its button polled every millisecond: a thousand wake-ups a second (firmware/low-power)"
        } else {
            "Low-power logger: a sensor every 10 s, a button by interrupt, a heartbeat; the core mostly asleep (firmware/low-power)"
        }
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new("button", PartKind::Button, "push button on pin BTN, to ground, pulled up"),
            PartInfo::new("led", PartKind::Pin, "heartbeat LED on pin LED, high = lit"),
            PartInfo::new("uart", PartKind::Serial, "the log on UART0, 115,200 baud"),
        ]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x40, "htu21d", Htu21d::new(21.0, 45.0));
        let pin = board.input("BTN", Pull::Up);
        let button = board.button("BUTTON", &pin, Level::Low);
        let led = board.output("LED", Drive::PushPull, Level::Low);
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let mut parts = Parts::new();
        parts.button("button", button).pin("led", led.probe()).serial("uart", uart.peer());
        let (board, polling) = (board.clone(), self.polling);
        parts.boot(move |sim| {
            let (pin, led, uart) = (board.reclaim_pin("BTN"), board.reclaim_pin("LED"), board.reclaim_uart("UART0"));
            if polling {
                sim.spawn("logger", app_low_power::run_polling(bus.handle(), pin, led, uart));
            } else {
                sim.spawn("logger", app_low_power::run(bus.handle(), pin, led, uart));
            }
        });
        parts
    }

    fn cost(&self) -> Option<CostModel> {
        Some(CostModel { per_poll_ns: CORTEX_M0_POLL.as_nanos() as u64, per_wake_ns: CORTEX_M0_WAKE.as_nanos() as u64 })
    }
}
