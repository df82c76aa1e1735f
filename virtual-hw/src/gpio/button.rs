//! [`Button`] (a contact to a rail, with seeded bounce) and [`Led`].

use super::*;

/// A push button on a net. See [`Board::button`].
#[derive(Clone)]
pub struct Button {
    pub(super) board: Board,
    pub(super) id: usize,
}

impl Button {
    /// The interrupt this button's scheduled presses and releases run on.
    pub fn irq(&self) -> Irq {
        self.board.inner.borrow().gpio.buttons[self.id].irq
    }

    /// Adds contact bounce to every later press and release.
    pub fn with_bounce(self, bounce: Bounce) -> Self {
        self.board.borrow().gpio.buttons[self.id].bounce = Some(bounce);
        self
    }

    /// Sets (or, with `None`, removes) the contact bounce of every later press and release.
    pub fn set_bounce(&self, bounce: Option<Bounce>) {
        self.board.borrow().gpio.buttons[self.id].bounce = bounce;
    }

    /// Closes (`true`) or opens the contact now.
    pub fn set(&self, closed: bool) {
        let net = {
            let mut b = self.board.borrow();
            let button = &mut b.gpio.buttons[self.id];
            button.closed = closed;
            button.net
        };
        self.board.settle(net);
    }

    /// Whether the contact is closed now.
    pub fn is_closed(&self) -> bool {
        self.board.inner.borrow().gpio.buttons[self.id].closed
    }

    /// Presses the button at `at` (bouncing if configured).
    pub fn press_at(&self, at: SimTime) {
        self.change_at(at, true);
    }

    /// Releases the button at `at` (bouncing if configured).
    pub fn release_at(&self, at: SimTime) {
        self.change_at(at, false);
    }

    /// Presses at `at` and releases `hold` later.
    pub fn click_at(&self, at: SimTime, hold: impl IntoNanos) {
        self.press_at(at);
        self.release_at(at.saturating_add(hold));
    }

    pub(super) fn change_at(&self, at: SimTime, closed: bool) {
        let now = fwsim::now();
        assert!(at >= now, "fwsim-hw: a button change at {at} is in the past (now {now})");
        // The burst: the contact reaches its new state at `at`, then chatters (open/close
        // pairs) at seeded instants inside the window, and stays in the new state.
        let mut times = vec![(at, closed)];
        {
            let mut b = self.board.borrow();
            let b = &mut *b;
            if let Some(bounce) = b.gpio.buttons[self.id].bounce
                && bounce.max_pairs > 0
                && bounce.window.into_nanos() > 1
            {
                let pairs = 1 + b.rng.below(bounce.max_pairs as u64) as usize;
                let mut offsets: Vec<u64> =
                    (0..pairs * 2).map(|_| 1 + b.rng.below(bounce.window.into_nanos() - 1)).collect();
                offsets.sort_unstable();
                for (i, off) in offsets.into_iter().enumerate() {
                    times.push((SimTime(at.0 + off), if i % 2 == 0 { !closed } else { closed }));
                }
            }
        }
        let irq = self.irq();
        for (t, state) in times {
            let button = self.clone();
            fwsim::isr::schedule(t, irq, move || button.set(state));
        }
    }
}

/// An LED on a net. See [`Board::led`].
#[derive(Clone)]
pub struct Led {
    pub(super) probe: Probe,
    pub(super) lit_when: Level,
}

impl Led {
    /// Whether the LED is lit now.
    pub fn is_on(&self) -> bool {
        self.probe.logic() == self.lit_when.logic()
    }
}
