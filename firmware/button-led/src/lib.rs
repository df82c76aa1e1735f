//! # A pushbutton and an LED
//!
//! The toolkit's `Pushbutton` (fwsim-drivers) in its suppressed mode, so that one gesture
//! gives one event:
//!
//! | gesture | event | the LED | UART line |
//! |---|---|---|---|
//! | click (press shorter than 1 s) | release, reported 400 ms after the press | toggles | `click` |
//! | two clicks within 400 ms | double | blinks [`BLINKS`] times, [`BLINK`] on and off, then as before | `double` |
//! | press held 1 s | long | off | `long` |
//!
//! The button is active low (closed = pin low). Plain `async fn`s over embedded-hal,
//! embedded-io-async and embassy-time: the same code runs on the simulator and on a board.

#![no_std]
#![warn(missing_docs)]

use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Timer};
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_io_async::Write;
use fwsim_drivers::{ButtonEvent, Pushbutton, PushbuttonConfig};

/// How many times a double click blinks the LED.
pub const BLINKS: u32 = 3;
/// How long each blink is on, and off.
pub const BLINK: Duration = Duration::from_millis(100);

/// The button's configuration: the toolkit's timings, suppressed, released level high.
pub const CONFIG: PushbuttonConfig = PushbuttonConfig::new().suppress(true).sense(true).events(false, true, true, true);

/// Says `button-led ready` on `log`, then runs the button and the LED for ever (returns only
/// on a pin or UART error).
pub async fn run<B: InputPin, L: OutputPin, W: Write>(button: B, mut led: L, mut log: W) {
    if log.write_all(b"button-led ready\r\n").await.is_err() {
        return;
    }
    let pushbutton: Pushbutton<CriticalSectionRawMutex> = Pushbutton::new(CONFIG);
    let events: Channel<CriticalSectionRawMutex, ButtonEvent, 4> = Channel::new();
    let reader = pushbutton.run(button, |e| {
        // Gestures are seconds apart; a full queue would mean the LED task is stuck.
        let _ = events.try_send(e);
    });
    let actor = async {
        let mut on = false;
        let _ = led.set_low();
        loop {
            let (line, blink): (&[u8], bool) = match events.receive().await {
                ButtonEvent::Release => {
                    on = !on;
                    (b"click\r\n", false)
                }
                ButtonEvent::Double => (b"double\r\n", true),
                ButtonEvent::Long => {
                    on = false;
                    (b"long\r\n", false)
                }
                ButtonEvent::Press => continue,
            };
            let _ = log.write_all(line).await;
            if blink {
                for _ in 0..BLINKS {
                    let _ = led.set_state((!on).into());
                    Timer::after(BLINK).await;
                    let _ = led.set_state(on.into());
                    Timer::after(BLINK).await;
                }
            }
            let _ = led.set_state(on.into());
        }
    };
    select(reader, actor).await;
}
