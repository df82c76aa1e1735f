//! How the loop, the wake path and the pick are compiled: once per [`Mode`].
//!
//! A simulation with one executor of a built-in order runs in a mode that knows that order
//! (`Lean<O>`, `Explore<O>` or `Full<O>`), so its methods inline into the loop; any other runs
//! in `General`, which reaches its orders through [`RunQueue`]'s dispatch. What a mode can
//! leave out disappears from it: the extras (trace, cost model, poll spans, strict stops)
//! behind `M::EXTRAS`, the explorer behind `M::EXPLORES`. A lean mode has neither; a fuzz
//! campaign's executions run in an explore mode. Entry points (a waker, the run loop) choose
//! the mode once per call with [`by_mode!`].

use std::marker::PhantomData;

use super::Executors;
use crate::order::{BuiltIn, Order, RunOrder, RunQueue};

/// A way of compiling the kernel's hot path.
pub(super) trait Mode {
    /// A trace, cost model, poll spans or strict stops may be on.
    const EXTRAS: bool;
    /// An explorer may answer the choice points.
    const EXPLORES: bool;
    /// One executor, of the order `Q`.
    const SINGLE: bool;
    /// The run queue type the hot path calls.
    type Q: RunOrder;
    /// Executor `exec`'s queue (a lean mode has executor 0 only).
    fn queue(executors: &mut Executors, exec: usize) -> &mut Self::Q;
}

/// Any configuration.
pub(super) struct General;

impl Mode for General {
    const EXTRAS: bool = true;
    const EXPLORES: bool = true;
    const SINGLE: bool = false;
    type Q = RunQueue;
    #[inline(always)]
    fn queue(executors: &mut Executors, exec: usize) -> &mut RunQueue {
        &mut executors[exec]
    }
}

/// A simulation whose one executor runs the built-in order `O`, with the extras (`EXTRAS`)
/// and an explorer (`EXPLORES`) compiled in or out.
pub(super) struct Single<O, const EXTRAS: bool, const EXPLORES: bool>(PhantomData<O>);

impl<O: BuiltIn, const EXTRAS: bool, const EXPLORES: bool> Mode for Single<O, EXTRAS, EXPLORES> {
    const EXTRAS: bool = EXTRAS;
    const EXPLORES: bool = EXPLORES;
    const SINGLE: bool = true;
    type Q = O;
    #[inline(always)]
    fn queue(executors: &mut Executors, _exec: usize) -> &mut O {
        O::of(executors.first())
    }
}

/// Neither: the common configuration.
pub(super) type Lean<O> = Single<O, false, false>;
/// An explorer and no extras: a fuzz campaign's execution.
pub(super) type Explore<O> = Single<O, false, true>;
/// Extras on (and perhaps an explorer).
pub(super) type Full<O> = Single<O, true, true>;

/// Which mode a simulation runs in, decided when it is built (and again when an executor is
/// added).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ModeKind {
    General,
    LeanEmbassy,
    LeanMicroPython,
    LeanFifo,
    ExploreEmbassy,
    ExploreMicroPython,
    ExploreFifo,
    FullEmbassy,
    FullMicroPython,
    FullFifo,
}

impl ModeKind {
    /// The mode for a simulation with `extras` on or not and an explorer (`explores`) or not,
    /// whose one executor runs the built-in `order` (`None`: several executors, or a custom
    /// order).
    pub(super) fn choose(extras: bool, explores: bool, order: Option<Order>) -> Self {
        use ModeKind::*;
        match (extras, explores, order) {
            (false, false, Some(Order::Embassy)) => LeanEmbassy,
            (false, false, Some(Order::MicroPython)) => LeanMicroPython,
            (false, false, Some(Order::Fifo)) => LeanFifo,
            (false, true, Some(Order::Embassy)) => ExploreEmbassy,
            (false, true, Some(Order::MicroPython)) => ExploreMicroPython,
            (false, true, Some(Order::Fifo)) => ExploreFifo,
            (true, _, Some(Order::Embassy)) => FullEmbassy,
            (true, _, Some(Order::MicroPython)) => FullMicroPython,
            (true, _, Some(Order::Fifo)) => FullFifo,
            (_, _, None) => General,
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
            ModeKind::ExploreEmbassy => {
                type $m = Explore<Embassy>;
                $e
            }
            ModeKind::ExploreMicroPython => {
                type $m = Explore<MicroPython>;
                $e
            }
            ModeKind::ExploreFifo => {
                type $m = Explore<Fifo>;
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
