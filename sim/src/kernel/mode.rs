//! How the loop, the wake path and the pick are compiled: once per [`Mode`].
//!
//! A simulation with one executor of a built-in order runs in a mode that knows that order
//! (`Lean<O>` or `Full<O>`), so its methods inline into the loop; any other runs in `General`,
//! which reaches its orders through [`RunQueue`]'s dispatch. The lean modes also have none of
//! the optional work (explorer, trace, cost model, poll spans, strict stops): what sits behind
//! `!M::LEAN` disappears from them. Entry points (a waker, the run loop) choose the mode once
//! per call with [`by_mode!`].

use std::marker::PhantomData;

use crate::order::{BuiltIn, Order, RunOrder, RunQueue};

/// A way of compiling the kernel's hot path.
pub(super) trait Mode {
    /// Nothing optional (and one executor).
    const LEAN: bool;
    /// One executor, of the order `Q`.
    const SINGLE: bool;
    /// The run queue type the hot path calls.
    type Q: RunOrder;
    /// Executor `exec`'s queue (a lean mode has executor 0 only).
    fn queue(executors: &mut [RunQueue], exec: usize) -> &mut Self::Q;
}

/// Any configuration.
pub(super) struct General;

impl Mode for General {
    const LEAN: bool = false;
    const SINGLE: bool = false;
    type Q = RunQueue;
    #[inline(always)]
    fn queue(executors: &mut [RunQueue], exec: usize) -> &mut RunQueue {
        &mut executors[exec]
    }
}

/// A lean simulation whose one executor runs the built-in order `O`.
pub(super) struct Lean<O>(PhantomData<O>);

impl<O: BuiltIn> Mode for Lean<O> {
    const LEAN: bool = true;
    const SINGLE: bool = true;
    type Q = O;
    #[inline(always)]
    fn queue(executors: &mut [RunQueue], _exec: usize) -> &mut O {
        O::of(&mut executors[0])
    }
}

/// A simulation whose one executor runs the built-in order `O`, with optional work on.
pub(super) struct Full<O>(PhantomData<O>);

impl<O: BuiltIn> Mode for Full<O> {
    const LEAN: bool = false;
    const SINGLE: bool = true;
    type Q = O;
    #[inline(always)]
    fn queue(executors: &mut [RunQueue], _exec: usize) -> &mut O {
        O::of(&mut executors[0])
    }
}

/// Which mode a simulation runs in, decided when it is built (and again when an executor is
/// added).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ModeKind {
    General,
    LeanEmbassy,
    LeanMicroPython,
    LeanFifo,
    FullEmbassy,
    FullMicroPython,
    FullFifo,
}

impl ModeKind {
    /// The mode for a simulation whose optional work is off (`lean`) or not, and whose one
    /// executor runs the built-in `order` (`None`: several executors, or a custom order).
    pub(super) fn choose(lean: bool, order: Option<Order>) -> Self {
        match (lean, order) {
            (true, Some(Order::Embassy)) => ModeKind::LeanEmbassy,
            (true, Some(Order::MicroPython)) => ModeKind::LeanMicroPython,
            (true, Some(Order::Fifo)) => ModeKind::LeanFifo,
            (false, Some(Order::Embassy)) => ModeKind::FullEmbassy,
            (false, Some(Order::MicroPython)) => ModeKind::FullMicroPython,
            (false, Some(Order::Fifo)) => ModeKind::FullFifo,
            _ => ModeKind::General,
        }
    }
}

/// Runs `$e` with `$m` naming the mode of `$kind`.
macro_rules! by_mode {
    ($kind:expr, $m:ident => $e:expr) => {
        match $kind {
            ModeKind::LeanEmbassy => {
                type $m = Lean<Embassy>;
                $e
            }
            ModeKind::LeanMicroPython => {
                type $m = Lean<MicroPython>;
                $e
            }
            ModeKind::LeanFifo => {
                type $m = Lean<Fifo>;
                $e
            }
            ModeKind::FullEmbassy => {
                type $m = Full<Embassy>;
                $e
            }
            ModeKind::FullMicroPython => {
                type $m = Full<MicroPython>;
                $e
            }
            ModeKind::FullFifo => {
                type $m = Full<Fifo>;
                $e
            }
            ModeKind::General => {
                type $m = General;
                $e
            }
        }
    };
}
pub(super) use by_mode;
