//! # An infrared remote control switching LEDs
//!
//! An IR receiver module (active low, as the TSOP38238 and its kin) on an input pin with edge
//! interrupts, decoded by the toolkit's NEC decoder ([`NecDecoder`]), switches three LEDs:
//!
//! | key (command) | does | logs |
//! |---|---|---|
//! | `1` (0x0C), `2` (0x18), `3` (0x5E) | toggles LED 1, 2 or 3 | `key 0x0C: led1 on` |
//! | power (0x45) | switches every LED off | `key 0x45: all off` |
//! | held key (repeat code) | nothing: a toggle is one press | `repeat` |
//! | another remote's key | nothing | `other remote 0x10` |
//! | a block that does not decode | nothing | `error BadData` (the toolkit's error names) |
//!
//! Only keys from the remote at [`ADDRESS`] count. Plain `async fn`s over embedded-hal(-async)
//! and embedded-io-async.

#![no_std]
#![warn(missing_docs)]

use core::fmt::Write as _;

use embassy_futures::join::join;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal_async::digital::Wait;
use embedded_io_async::Write;
use fwsim_drivers::{NecDecoder, NecError, NecEvent};

/// The remote's address (8-bit NEC).
pub const ADDRESS: u16 = 0x00;
/// The keys that toggle LED 1, 2 and 3.
pub const LED_KEYS: [u8; 3] = [0x0C, 0x18, 0x5E];
/// The key that switches every LED off.
pub const POWER: u8 = 0x45;

/// Says `ir-remote ready` on `log`, then decodes `ir` and switches `leds` for ever.
pub async fn run<P: Wait + InputPin, L: OutputPin, W: Write>(ir: P, mut leds: [L; 3], mut log: W) {
    let _ = log.write_all(b"ir-remote ready\r\n").await;
    for led in &mut leds {
        let _ = led.set_low();
    }
    let events: Channel<CriticalSectionRawMutex, Result<NecEvent, NecError>, 4> = Channel::new();
    // A block takes 67.5 ms on the air: the queue only fills if the log UART is stuck.
    let decoder = NecDecoder { extended: false }.run(ir, |event| {
        let _ = events.try_send(event);
    });
    let actor = async {
        let mut on = [false; 3];
        loop {
            let mut line: heapless::String<48> = heapless::String::new();
            match events.receive().await {
                Ok(NecEvent::Key { address, command }) if address == ADDRESS => {
                    let _ = write!(line, "key 0x{command:02X}: ");
                    if let Some(i) = LED_KEYS.iter().position(|&k| k == command) {
                        on[i] = !on[i];
                        let _ = leds[i].set_state(on[i].into());
                        let _ = write!(line, "led{} {}", i + 1, if on[i] { "on" } else { "off" });
                    } else if command == POWER {
                        on = [false; 3];
                        for led in &mut leds {
                            let _ = led.set_low();
                        }
                        let _ = line.push_str("all off");
                    } else {
                        let _ = line.push_str("unused");
                    }
                }
                Ok(NecEvent::Key { address, .. }) => {
                    let _ = write!(line, "other remote 0x{address:02X}");
                }
                Ok(NecEvent::Repeat { .. }) => {
                    let _ = line.push_str("repeat");
                }
                Err(error) => {
                    let _ = write!(line, "error {error:?}");
                }
            }
            let _ = line.push_str("\r\n");
            let _ = log.write_all(line.as_bytes()).await;
        }
    };
    join(decoder, actor).await;
}
