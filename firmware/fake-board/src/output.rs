//! An output pin that reports its changes.

use core::convert::Infallible;

use embedded_hal::digital::{ErrorType, OutputPin};

use crate::Marks;

/// Drives `pin` and marks `"<name> on"` / `"<name> off"` each time the level changes (the
/// first level set is a change).
pub struct MarkedPin<'a, M, P> {
    name: &'static str,
    marks: &'a M,
    pin: P,
    level: Option<bool>,
}

impl<'a, M: Marks, P: OutputPin> MarkedPin<'a, M, P> {
    /// `pin`, reported on `marks` as `name`.
    pub fn new(name: &'static str, marks: &'a M, pin: P) -> Self {
        MarkedPin { name, marks, pin, level: None }
    }

    fn set(&mut self, high: bool) -> Result<(), P::Error> {
        if self.level != Some(high) {
            self.level = Some(high);
            let mut text: heapless::String<24> = heapless::String::new();
            let _ = text.push_str(self.name);
            let _ = text.push_str(if high { " on" } else { " off" });
            self.marks.mark(&text);
        }
        self.pin.set_state(high.into())
    }
}

impl<M, P: OutputPin> ErrorType for MarkedPin<'_, M, P> {
    type Error = P::Error;
}

impl<M: Marks, P: OutputPin> OutputPin for MarkedPin<'_, M, P> {
    fn set_low(&mut self) -> Result<(), P::Error> {
        self.set(false)
    }

    fn set_high(&mut self) -> Result<(), P::Error> {
        self.set(true)
    }
}

/// An output pin wired to nothing (the simulator's side of a [`MarkedPin`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPin;

impl ErrorType for NoPin {
    type Error = Infallible;
}

impl OutputPin for NoPin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
