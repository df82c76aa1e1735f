//! Resets of the MCU alone: why the firmware last started, and the reset a watchdog's bite
//! asks for.
//!
//! On a chip a watchdog that is not fed resets the MCU: every task ends, the on-chip
//! peripherals return to their reset state, and the firmware boots again, while the devices on
//! the board keep their power. The firmware can tell such a boot from a power-on by a
//! reset-cause register (`RCC_CSR` on an STM32, `RESETREAS` on an nRF52), which is what
//! [`Board::reset_cause`] models. The board cannot restart the firmware itself: whoever drives
//! the simulation takes the request ([`Board::take_reset_request`]) and does what
//! [`Board::power_cycle`]'s docs describe, without cutting the devices' power. The scenario
//! runner does this at the instant of the bite.

use crate::Board;

/// Why the MCU last started: what firmware reads at boot from its reset-cause register.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ResetCause {
    /// The board was powered on (or power-cycled).
    #[default]
    PowerOn,
    /// The watchdog of this name was not fed in time.
    Watchdog(String),
}

/// The board's reset state.
#[derive(Default)]
pub(crate) struct ResetState {
    /// Why the MCU last started (or will start, once a pending reset is carried out).
    cause: ResetCause,
    /// A reset (by `cause`) is asked for and not yet carried out.
    pending: bool,
}

impl Board {
    /// Why the MCU last started: [`ResetCause::PowerOn`] until a watchdog bites, and again
    /// after a [power cycle](Board::power_cycle). Firmware reads it at boot, as it would read
    /// its reset-cause register.
    ///
    /// ```
    /// use fwsim_hw::{Board, ResetCause};
    ///
    /// fwsim::test(|sim| {
    ///     let board = Board::new();
    ///     let dog = board.watchdog("iwdg", fwsim::ms(100));
    ///     dog.start();
    ///     sim.run_for(fwsim::ms(150)).unwrap();
    ///     assert_eq!(board.reset_cause(), ResetCause::Watchdog("iwdg".into()));
    ///     // Whoever runs the firmware carries the reset out (the scenario runner does).
    ///     assert_eq!(board.take_reset_request(), Some(ResetCause::Watchdog("iwdg".into())));
    ///     assert_eq!(board.take_reset_request(), None);
    ///     sim.take_diagnostics(); // the bite is a `WatchdogReset` diagnostic
    /// });
    /// ```
    pub fn reset_cause(&self) -> ResetCause {
        self.borrow().reset.cause.clone()
    }

    /// Whether a reset has been asked for and not yet taken.
    pub fn reset_requested(&self) -> bool {
        self.borrow().reset.pending
    }

    /// Takes the reset asked for since the last call, if one was: whoever runs the firmware
    /// then stops its tasks and boots it again (see [`Board::power_cycle`]), leaving the
    /// devices powered.
    pub fn take_reset_request(&self) -> Option<ResetCause> {
        let reset = &mut self.borrow().reset;
        std::mem::take(&mut reset.pending).then(|| reset.cause.clone())
    }

    /// A reset by `cause`, now: recorded as the cause of the next boot and asked for.
    pub(crate) fn request_reset(&self, cause: ResetCause) {
        self.borrow().reset = ResetState { cause, pending: true };
    }

    /// A power-on: no reset left to carry out, and the next boot's cause is the power.
    pub(crate) fn reset_on_power_up(&self) {
        self.borrow().reset = ResetState::default();
    }
}
