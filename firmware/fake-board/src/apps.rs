//! The four demo apps wired to the fakes, each with the stimuli of the fwsim-versus-QEMU test.
//!
//! Each function is the whole app as one future: a board spawns it as one task, the test as
//! one fwsim task. `tx` is where UART bytes really go (the board's UART; [`NoTx`](crate::NoTx)
//! on the simulator), and the output pins drive `led`/`heater` after marking. [`APPS`] names
//! them with the instant (µs) by which their stimuli have all had their effect.

use core::cell::RefCell;

use embedded_hal::digital::OutputPin;

use crate::i2c::Devices;
use crate::{Bme280, FakeBus, Hd44780, MarkedPin, Marks, ScriptedPin, ScriptedUart};

/// The apps by name, with the time (µs) the run ends.
pub const APPS: [(&str, u64); 4] =
    [("button-led", 6_000_000), ("uart-shell", 12_000_000), ("thermostat", 36_000_000), ("encoder-menu", 2_600_000)];

const fn ms(ms: u64) -> u64 {
    ms * 1000
}

/// `button-led`'s button (pulled up, low while pressed): a click, a double click, a long press.
pub const BUTTON: [(u64, bool); 8] = [
    (ms(500), false),
    (ms(580), true),
    (ms(2000), false),
    (ms(2080), true),
    (ms(2280), false),
    (ms(2360), true),
    (ms(4000), false),
    (ms(5200), true),
];

/// `button-led`: the toolkit's pushbutton toggling, blinking and switching off an LED.
pub async fn button_led<M: Marks, T: embedded_io::Write, L: OutputPin>(marks: &M, tx: T, led: L) {
    let log = ScriptedUart::new(marks, tx, &[]);
    app_button_led::run(ScriptedPin::new(true, &BUTTON), MarkedPin::new("led", marks, led), log).await
}

/// What is typed at `uart-shell`: commands, a line with CR LF, an unknown command, and a line
/// left unfinished (the shell's idle timeout ends it 10 s later).
pub const SHELL_INPUT: [(u64, &[u8]); 7] = [
    (ms(100), b"help\r"),
    (ms(300), b"led on\r"),
    (ms(500), b"status\r"),
    (ms(700), b"echo hello board\r\n"),
    (ms(900), b"reboot\r"),
    (ms(1100), b"led off\r"),
    (ms(1300), b"sta"),
];

/// `uart-shell`: a command shell switching an LED.
pub async fn uart_shell<M: Marks, T: embedded_io::Write, L: OutputPin>(marks: &M, tx: T, led: L) {
    app_uart_shell::run(ScriptedUart::new(marks, tx, &SHELL_INPUT), MarkedPin::new("led", marks, led)).await
}

/// The room of `thermostat` (°C × 100): 21 °C falling to 16 °C over 30 s.
pub const ROOM: [(u64, i32); 2] = [(0, 2100), (ms(30_000), 1600)];
/// `thermostat`'s units key (pulled up): pressed once, for 150 ms.
pub const UNITS_KEY: [(u64, bool); 2] = [(ms(12_000), false), (ms(12_150), true)];
/// `thermostat`'s window contact (high = open): open from 20 s to 27 s.
pub const WINDOW: [(u64, bool); 2] = [(ms(20_000), true), (ms(27_000), false)];
/// The thermostat's setpoint, as in the scenarios.
pub const SETPOINT: f32 = 19.5;

/// `thermostat`: sensor, display, heater relay, units key and window contact.
pub async fn thermostat<M: Marks, T: embedded_io::Write, H: OutputPin>(marks: &M, tx: T, heater: H) {
    let bus = RefCell::new(Devices::<M> { bme280: Some(Bme280::new(&ROOM)), oled: true, lcd: None });
    let shared = app_thermostat::Shared::new();
    let log = ScriptedUart::new(marks, tx, &[]);
    let heater = MarkedPin::new("heater", marks, heater);
    embassy_futures::join::join3(
        app_thermostat::thermostat(FakeBus(&bus), heater, embassy_time::Delay, log, SETPOINT, &shared),
        app_thermostat::units_button(ScriptedPin::new(true, &UNITS_KEY), &shared),
        app_thermostat::window_contact(ScriptedPin::new(false, &WINDOW), &shared),
    )
    .await;
}

/// `encoder-menu`'s knob contact A (pulled up). A clockwise detent starting at `t`: A falls at
/// `t`, B at `t`+10 ms, A rises at `t`+20 ms, B at `t`+30 ms; counter-clockwise, B leads.
/// Detents: one clockwise at 300 ms, three at 1,000 ms, five counter-clockwise at 1,400 ms,
/// two counter-clockwise at 2,100 ms, 40 ms apart.
pub const KNOB_A: [(u64, bool); 22] = [
    (ms(300), false),
    (ms(320), true),
    (ms(1000), false),
    (ms(1020), true),
    (ms(1040), false),
    (ms(1060), true),
    (ms(1080), false),
    (ms(1100), true),
    (ms(1410), false),
    (ms(1430), true),
    (ms(1450), false),
    (ms(1470), true),
    (ms(1490), false),
    (ms(1510), true),
    (ms(1530), false),
    (ms(1550), true),
    (ms(1570), false),
    (ms(1590), true),
    (ms(2110), false),
    (ms(2130), true),
    (ms(2150), false),
    (ms(2170), true),
];
/// `encoder-menu`'s knob contact B: see [`KNOB_A`].
pub const KNOB_B: [(u64, bool); 22] = [
    (ms(310), false),
    (ms(330), true),
    (ms(1010), false),
    (ms(1030), true),
    (ms(1050), false),
    (ms(1070), true),
    (ms(1090), false),
    (ms(1110), true),
    (ms(1400), false),
    (ms(1420), true),
    (ms(1440), false),
    (ms(1460), true),
    (ms(1480), false),
    (ms(1500), true),
    (ms(1520), false),
    (ms(1540), true),
    (ms(1560), false),
    (ms(1580), true),
    (ms(2100), false),
    (ms(2120), true),
    (ms(2140), false),
    (ms(2160), true),
];
/// `encoder-menu`'s knob button (pulled up): pressed at 600 ms and at 1,800 ms, 100 ms each.
pub const KNOB_SWITCH: [(u64, bool); 4] = [(ms(600), false), (ms(700), true), (ms(1800), false), (ms(1900), true)];

/// `encoder-menu`: a menu on a 16×2 LCD, driven by a rotary encoder with a push button.
pub async fn encoder_menu<M: Marks>(marks: &M) {
    let bus = RefCell::new(Devices { bme280: None, oled: false, lcd: Some(Hd44780::new(marks)) });
    app_encoder_menu::run(
        ScriptedPin::new(true, &KNOB_A),
        ScriptedPin::new(true, &KNOB_B),
        ScriptedPin::new(true, &KNOB_SWITCH),
        FakeBus(&bus),
        embassy_time::Delay,
    )
    .await
}
