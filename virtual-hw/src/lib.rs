//! # fwsim-hw — the simulated board
//!
//! Firmware under [fwsim] talks to hardware through the embedded-hal family of traits;
//! this crate provides a [`Board`] whose peripherals implement those traits in virtual time:
//!
//! * [`gpio`]: pins on nets with push-pull/open-drain drivers and pulls, buttons with seeded
//!   bounce, jumpers, LEDs; contention and floating reads are diagnostics; async `Wait` with
//!   embassy's semantics; interrupt handlers.
//! * [`uart`]: byte timing exact to the nanosecond from baud rate and frame format, a 32-byte
//!   receive FIFO that overruns when no read is armed (or a buffered ring), line errors
//!   reported once, and peers: another UART or a scripted [`UartPeer`](uart::UartPeer).
//! * [`i2c`]: buses with addressed [`I2cDevice`](i2c::I2cDevice) models, transfer time from
//!   the bus clock, NACK for absent addresses, injected faults, an embedded-hal-mock adapter,
//!   and device models ([`devices`]).
//! * [`spi`]: buses with chip-selected [`SpiTarget`](spi::SpiTarget) models, `SpiBus` and
//!   `SpiDevice` handles.
//! * [`display`]: panel [`Image`](display::Image)s with PNG, ASCII, assertions and golden
//!   files; a [`Canvas`](display::Canvas) `DrawTarget`.
//! * [`analog`]: ADC channels on voltage curves, PWM, a real-time clock, a watchdog.
//! * [`storage`]: NOR flash (`embedded-storage`) with erase-before-write and power loss.
//! * [`expect`]: timing assertions on the record (`board.expect("LED").rises().within(ms(5)).after(t)`).
//! * [`signal`]: every pin level, UART byte and I2C transaction on record, exported to VCD.
//!
//! Firmware never depends on this crate: it takes `impl OutputPin`, `impl I2c`, `impl Read`;
//! the test builds a board and hands the handles over. That is what lets the same firmware
//! run on a board.
//!
//! Peripheral and device-model misuse (contention, a datasheet timing broken) is reported as
//! a [`fwsim::Diagnostic::Hardware`], which fails a [`fwsim::test`](fn@fwsim::test) unless the test takes it
//! with [`Sim::take_diagnostics`](fwsim::Sim::take_diagnostics).

#![warn(missing_docs)]

pub mod analog;
mod board;
pub mod curve;
mod device_context;
pub mod devices;
pub mod display;
pub mod expect;
pub mod gpio;
pub mod i2c;
mod reset;
pub mod signal;
pub mod spi;
pub mod storage;
pub mod uart;

pub use board::{Board, FIRST_BOARD_IRQ};
pub use curve::Curve;
pub use device_context::DeviceContext;
pub use gpio::{Bounce, Button, Drive, Edge, Led, Level, Pin, PinContext, PinDevice, Probe, Pull};
pub use reset::ResetCause;
pub use signal::{Logic, Signals};

/// Nanoseconds for `bits` bit times at `hz`, rounded to the nearest nanosecond. Computing a
/// whole stream's end from its bit count (instead of adding rounded per-byte times) keeps
/// long transfers exact: 9,600 bytes at 9600 8N1 take 10 s, not 10.000003 s.
pub fn bit_time_ns(bits: u64, hz: u64) -> u64 {
    let num = bits as u128 * 1_000_000_000;
    ((num + hz as u128 / 2) / hz as u128) as u64
}

/// Spends busy time until virtual time `t` (ns): how a blocking HAL call lasts as long as
/// its transfer.
pub(crate) fn block_until(t: u64) {
    let now = fwsim::now().as_nanos();
    if t > now {
        fwsim::busy_wait(std::time::Duration::from_nanos(t - now));
    }
}

/// Waits, without blocking other tasks, until virtual time `t` (ns): the completion
/// interrupt `irq` of an async transfer wakes the caller then, to the nanosecond (an
/// embassy `Timer` would round to ticks).
pub(crate) async fn wait_until(t: u64, irq: fwsim::Irq) {
    let mut armed = false;
    std::future::poll_fn(|cx| {
        if fwsim::now().as_nanos() >= t {
            return std::task::Poll::Ready(());
        }
        if !armed {
            armed = true;
            let waker = cx.waker().clone();
            fwsim::isr::schedule(fwsim::SimTime(t), irq, move || waker.wake());
        }
        std::task::Poll::Pending
    })
    .await
}
