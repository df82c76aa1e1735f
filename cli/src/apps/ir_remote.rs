//! Host wiring of `firmware/ir-remote`: the IR receiver's output on IR (active low, pulled up),
//! LEDs on LED1–LED3 (high = lit), the log on UART0 at 115,200 baud. The remote (the fwsim-hw
//! NEC model, ±100 µs of jitter per edge, seeded) plays a fixed script, see [`SCRIPT`].

use std::time::Duration;

use fwsim::{Sim, SimTime};
use fwsim_hw::devices::NecRemote;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level, Pull};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// What the remote does, at what time (ms).
#[derive(Clone, Copy, Debug)]
pub enum Press {
    /// A key: address, command.
    Key(u16, u8),
    /// A frame of these four bytes as sent (address, its complement, command, its complement).
    Bytes([u8; 4]),
    /// A repeat code (the last key still held).
    Repeat,
    /// A burst of noise this long (µs).
    Glitch(u64),
}

/// The remote's script: key 1, key 2, key 1 again, key 3 held for two repeats, a glitch, a key
/// of another remote (address 0x10), a corrupted frame (command and complement disagree), the
/// power key.
pub const SCRIPT: [(u64, Press); 10] = [
    (500, Press::Key(0x00, 0x0C)),
    (1000, Press::Key(0x00, 0x18)),
    (1500, Press::Key(0x00, 0x0C)),
    (2000, Press::Key(0x00, 0x5E)),
    (2108, Press::Repeat),
    (2216, Press::Repeat),
    (2600, Press::Glitch(300)),
    (3000, Press::Key(0x10, 0x0C)),
    (3500, Press::Bytes([0x00, 0xFF, 0x0C, 0x0C])),
    (4000, Press::Key(0x00, 0x45)),
];

/// The IR remote app.
pub struct IrRemote;

impl App for IrRemote {
    fn name(&self) -> &str {
        "ir-remote"
    }

    fn about(&self) -> &str {
        "NEC infrared remote switching three LEDs, with a log of keys, repeats and errors (firmware/ir-remote)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new("led1", PartKind::Pin, "LED on pin LED1, high = lit (key 1)"),
            PartInfo::new("led2", PartKind::Pin, "LED on pin LED2, high = lit (key 2)"),
            PartInfo::new("led3", PartKind::Pin, "LED on pin LED3, high = lit (key 3)"),
            PartInfo::new("uart", PartKind::Serial, "the log on UART0, 115,200 baud"),
        ]
    }

    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let ir = board.input("IR", Pull::Up);
        let remote = NecRemote::new(&ir).with_jitter(Duration::from_micros(100));
        for (ms, press) in SCRIPT {
            let at = SimTime::from_millis(ms);
            match press {
                Press::Key(address, command) => remote.send_at(at, address, command),
                Press::Bytes(bytes) => remote.send_bytes_at(at, bytes),
                Press::Repeat => remote.repeat_at(at),
                Press::Glitch(us) => remote.glitch_at(at, Duration::from_micros(us)),
            }
        }
        let led = |name| board.output(name, Drive::PushPull, Level::Low);
        let leds = [led("LED1"), led("LED2"), led("LED3")];
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let mut parts = Parts::new();
        parts.pin("led1", leds[0].probe()).pin("led2", leds[1].probe()).pin("led3", leds[2].probe());
        parts.serial("uart", uart.peer());
        let board = board.clone();
        parts.boot(move |sim| {
            let leds = ["LED1", "LED2", "LED3"].map(|name| board.reclaim_pin(name));
            sim.spawn("ir-remote", app_ir_remote::run(board.reclaim_pin("IR"), leds, board.reclaim_uart("UART0")));
        });
        parts
    }
}
