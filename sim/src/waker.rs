//! Task wakers without allocation or reference counts.
//!
//! A waker's data word is not a pointer but a packed `(simulation tag, generation, slot)`:
//!
//! ```text
//!  63        32 31            20 19             0
//! [ sim tag 32 ][ generation 12 ][ task slot 20 ]
//! ```
//!
//! Cloning copies the word and counts the clone (for
//! [`WakerDropped`](crate::Diagnostic::WakerDropped)); waking looks up the thread's current
//! simulation, checks the tag and the slot's generation, and queues the task. Most clones are
//! a task registering its own waker while it is polled: those only bump one counter, moved to
//! the task when the poll ends. Nothing dangles, so a `Waker` is
//! `Send + Sync`-sound as the standard library requires:
//!
//! * a waker of a finished task (old generation) wakes nothing — a spurious wake, which
//!   futures must tolerate anyway;
//! * a waker of another simulation is reported as
//!   [`CrossSimWake`](crate::Diagnostic::CrossSimWake);
//! * a wake from a thread where the simulation is not current is refused and reported as
//!   [`CrossThreadWake`](crate::Diagnostic::CrossThreadWake) (or counted by
//!   [`orphan_wakes`](crate::orphan_wakes) if the simulation is gone).
//!
//! Every run has a tag of its own: no two live simulations hold the same tags (a recycled
//! simulation gives each run the next tag of a block it holds, see `registry`), and a tag is
//! not handed out again until 4,294,967,294 more have been (under an hour of fuzzing on one
//! core: a campaign takes one per execution), so a waker that outlives its run reaches no
//! other: its wakes are reported ([`CrossSimWake`](crate::Diagnostic::CrossSimWake)), or
//! counted when they come from another thread, its clones and drops ignored.
//! Generations wrap after 4,096 reuses of one slot. Either wrap can let a stale waker that was
//! kept that long meet a later task with the same slot and generation: its wake is then a
//! spurious wake, which futures tolerate, and its clones and drops move that task's count of
//! wakers (at worst a lost-waker report that is wrong, or one that is missed).
//!
//! The word needs 64 bits: fwsim runs on 64-bit hosts only.

use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::context::with_current;

#[cfg(not(target_pointer_width = "64"))]
compile_error!("fwsim packs a waker's identity into a 64-bit word: it needs a 64-bit host");

const SLOT_BITS: u32 = 20;
const GEN_BITS: u32 = 12;
pub(crate) const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;
pub(crate) const GEN_MASK: u32 = (1 << GEN_BITS) - 1;

#[inline]
pub(crate) fn pack(tag: u32, slot: u32, generation: u32) -> usize {
    ((tag as u64) << 32 | ((generation & GEN_MASK) as u64) << SLOT_BITS | (slot & SLOT_MASK) as u64) as usize
}

#[inline]
pub(crate) fn unpack(data: usize) -> (u32, u32, u32) {
    let d = data as u64;
    ((d >> 32) as u32, (d as u32) & SLOT_MASK, ((d >> SLOT_BITS) as u32) & GEN_MASK)
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop);

/// A task waker for `(tag, slot, generation)`. Creating one does not count as a clone.
#[inline]
pub(crate) fn raw(tag: u32, slot: u32, generation: u32) -> RawWaker {
    // A number, not an address: no provenance, never dereferenced.
    RawWaker::new(std::ptr::without_provenance(pack(tag, slot, generation)), &VTABLE)
}

/// The packed word of a waker made by fwsim, or `None` for any other waker.
#[inline]
pub(crate) fn decode(w: &Waker) -> Option<(u32, u32, u32)> {
    std::ptr::eq(w.vtable(), &VTABLE).then(|| unpack(w.data().addr()))
}

// SAFETY: `unsafe` only because `RawWakerVTable` requires it: `data` is a packed number,
// read with `addr()` and never dereferenced, so any value is sound.
unsafe fn clone(data: *const ()) -> RawWaker {
    let word = data.addr();
    with_current(|s| {
        let Some(s) = s else { return };
        if s.polling.get() == word {
            // The task being polled clones its own waker (it registers it somewhere): counted
            // in bulk when the poll ends (`Shared::polling`).
            s.poll_clones.set(s.poll_clones.get().wrapping_add(1));
        } else if s.tag == unpack(word).0 {
            let (_, slot, generation) = unpack(word);
            s.on_waker_clone(slot, generation);
        }
    });
    RawWaker::new(data, &VTABLE)
}

/// Routes a wake to its simulation: `own` when it is the one current on this thread, the
/// out-of-line [`wake_elsewhere`] otherwise.
#[inline(always)]
fn dispatch_wake(data: *const (), own: impl FnOnce(&crate::kernel::Shared, u32, u32)) {
    let word = data.addr();
    with_current(|s| match s {
        // Unpacked only once the tag matches: fewer values live across the branch.
        Some(s) if s.tag == unpack(word).0 => {
            let (_, slot, generation) = unpack(word);
            own(s, slot, generation)
        }
        other => wake_elsewhere(other, word),
    });
}

/// A wake for a simulation that is not current here: a diagnostic when another one is, the
/// registry when none is. Kept out of line so that the common path stays short.
#[cold]
#[inline(never)]
fn wake_elsewhere(current: Option<&crate::kernel::Shared>, word: usize) {
    let (tag, slot, generation) = unpack(word);
    match current {
        Some(s) => s.on_cross_sim_wake(),
        None => crate::registry::foreign_wake(tag, slot, generation),
    }
}

// SAFETY: `unsafe` only because `RawWakerVTable` requires it: `data` is a packed number,
// read with `addr()` and never dereferenced, so any value is sound.
unsafe fn wake(data: *const ()) {
    // Wake and release the clone under one lookup: this is the common path (embassy-sync's
    // `WakerRegistration::wake` takes the waker out and wakes it by value).
    dispatch_wake(data, |s, slot, generation| s.wake_and_release(slot, generation, None));
}

/// Wakes `w` as an I/O-readiness event (see [`crate::wake_from_io`]).
pub(crate) fn wake_from_io(w: Waker) {
    let own = with_current(|s| match (s, decode(&w)) {
        (Some(s), Some((tag, slot, generation))) if s.tag == tag => {
            s.wake_and_release(slot, generation, Some(crate::order::Cause::Io));
            true
        }
        _ => false,
    });
    if own {
        // The wake consumed the clone `w` stood for, as a by-value `wake` does.
        std::mem::forget(w);
    } else {
        w.wake();
    }
}

// SAFETY: `unsafe` only because `RawWakerVTable` requires it: `data` is a packed number,
// read with `addr()` and never dereferenced, so any value is sound.
unsafe fn wake_by_ref(data: *const ()) {
    dispatch_wake(data, |s, slot, generation| s.wake_from_waker(slot, generation));
}

// SAFETY: `unsafe` only because `RawWakerVTable` requires it: `data` is a packed number,
// read with `addr()` and never dereferenced, so any value is sound.
unsafe fn drop(data: *const ()) {
    let (tag, slot, generation) = unpack(data.addr());
    with_current(|s| {
        if let Some(s) = s
            && s.tag == tag
        {
            s.on_waker_drop(slot, generation);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        for (t, s, g) in [(1u32, 0u32, 0u32), (u32::MAX - 1, SLOT_MASK, GEN_MASK), (7, 12345, 999)] {
            assert_eq!(unpack(pack(t, s, g)), (t, s, g));
        }
        assert_eq!(unpack(pack(3, 1, GEN_MASK + 2)).2, 1, "generation wraps within its bits");
    }
}
