//! An input pin that follows a script.

use core::convert::Infallible;

use embedded_hal::digital::{ErrorType, InputPin};
use embedded_hal_async::digital::Wait;

use crate::{now_us, until};

/// An input whose level is `initial` until the first of `edges`, then each edge's level from
/// its time on (`(µs, level)`, in time order).
///
/// A wait looks ahead in the script and sleeps until the edge it waits for, as a pin interrupt
/// would wake it; a wait for an edge the script never makes waits for ever.
#[derive(Clone, Copy, Debug)]
pub struct ScriptedPin<'a> {
    initial: bool,
    edges: &'a [(u64, bool)],
}

impl<'a> ScriptedPin<'a> {
    /// A pin at `initial`, then changing as `edges` say.
    pub const fn new(initial: bool, edges: &'a [(u64, bool)]) -> Self {
        ScriptedPin { initial, edges }
    }

    /// The level at `us` (an edge at `us` has happened).
    pub fn level_at(&self, us: u64) -> bool {
        self.edges.iter().take_while(|e| e.0 <= us).last().map_or(self.initial, |e| e.1)
    }

    /// Waits for the first edge after now whose levels before and after `wanted` accepts.
    async fn wait_for(&self, wanted: impl Fn(bool, bool) -> bool) {
        let now = now_us();
        let mut level = self.level_at(now);
        for &(at, next) in self.edges.iter().filter(|e| e.0 > now) {
            if wanted(level, next) {
                return until(at).await;
            }
            level = next;
        }
        core::future::pending().await
    }
}

impl ErrorType for ScriptedPin<'_> {
    type Error = Infallible;
}

impl InputPin for ScriptedPin<'_> {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.level_at(now_us()))
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(!self.level_at(now_us()))
    }
}

impl Wait for ScriptedPin<'_> {
    async fn wait_for_high(&mut self) -> Result<(), Infallible> {
        if !self.level_at(now_us()) {
            self.wait_for(|_, after| after).await;
        }
        Ok(())
    }

    async fn wait_for_low(&mut self) -> Result<(), Infallible> {
        if self.level_at(now_us()) {
            self.wait_for(|_, after| !after).await;
        }
        Ok(())
    }

    async fn wait_for_rising_edge(&mut self) -> Result<(), Infallible> {
        self.wait_for(|before, after| !before && after).await;
        Ok(())
    }

    async fn wait_for_falling_edge(&mut self) -> Result<(), Infallible> {
        self.wait_for(|before, after| before && !after).await;
        Ok(())
    }

    async fn wait_for_any_edge(&mut self) -> Result<(), Infallible> {
        self.wait_for(|before, after| before != after).await;
        Ok(())
    }
}
