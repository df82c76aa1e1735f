//! The firmware: an LED 200 ms on, 800 ms off, for ever. Portable: it names no board, no
//! executor and no time driver, so fwsim runs it on the host and embassy runs it on a chip.
#![no_std]

use embassy_time::Timer;
use embedded_hal::digital::OutputPin;

/// Blinks `led` once a second.
pub async fn blinky(mut led: impl OutputPin) -> ! {
    loop {
        let _ = led.set_high();
        Timer::after_millis(200).await;
        let _ = led.set_low();
        Timer::after_millis(800).await;
    }
}
