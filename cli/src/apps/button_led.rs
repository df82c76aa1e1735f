//! Host wiring of `firmware/button-led`: the button on BTN (to ground, pulled up), the LED on
//! LED (high = lit), the event log on UART0 at 115,200 baud.

use fwsim::Sim;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level, Pull};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The pushbutton-and-LED app.
pub struct ButtonLed;

impl App for ButtonLed {
    fn name(&self) -> &str {
        "button-led"
    }

    fn about(&self) -> &str {
        "Pushbutton: click toggles the LED, double click blinks it, long press switches it off (firmware/button-led)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new("button", PartKind::Button, "push button on pin BTN, to ground, pulled up"),
            PartInfo::new("led", PartKind::Pin, "LED on pin LED, high = lit"),
            PartInfo::new("uart", PartKind::Serial, "event log on UART0, 115,200 baud: click, double, long"),
        ]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let pin = board.input("BTN", Pull::Up);
        let button = board.button("BUTTON", &pin, Level::Low);
        let led = board.output("LED", Drive::PushPull, Level::Low);
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let mut parts = Parts::new();
        parts.button("button", button).pin("led", led.probe()).serial("uart", uart.peer());
        let board = board.clone();
        parts.boot(move |sim| {
            let (pin, led, uart) = (board.reclaim_pin("BTN"), board.reclaim_pin("LED"), board.reclaim_uart("UART0"));
            sim.spawn("button-led", app_button_led::run(pin, led, uart));
        });
        parts
    }
}
