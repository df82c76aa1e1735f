//! NOR flash behind `embedded-storage` (blocking and async): erase before write, timing,
//! and power loss in the middle of an operation.
//!
//! NOR flash can only clear bits: a write ANDs the new data into the old, and only an erase
//! (a whole sector at a time) sets bits back to 1. Writing a word that is not erased enough
//! is reported (`WriteWithoutErase`) and leaves the AND, as the chip does. Each word write
//! and each sector erase takes time (blocking: busy time; async: the task waits).
//!
//! [`Flash::power_loss_at`] cuts power at a virtual time: an operation in flight then is
//! torn — the words or sectors finished before the cut are done, the one in progress holds
//! seeded garbage — and every later operation fails with [`FlashError::PowerLost`] until
//! [`Flash::reboot`]. Run the firmware again on the same `Flash` to test its recovery.
//!
//! Cancel safety: dropping an async write or erase after its first poll does not stop it
//! (the flash controller finishes the operation on its own), as on hardware.

use std::cell::RefCell;
use std::rc::Rc;

use embedded_storage::nor_flash::{NorFlashError, NorFlashErrorKind};
use fwsim::rng::SimRng;
use fwsim::{IntoNanos, Irq, SimTime};

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashError {
    /// Offset or length not a multiple of the write or erase size.
    NotAligned,
    /// Outside the flash.
    OutOfBounds,
    /// Power was lost during or before the operation.
    PowerLost,
}

impl NorFlashError for FlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            FlashError::NotAligned => NorFlashErrorKind::NotAligned,
            FlashError::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            FlashError::PowerLost => NorFlashErrorKind::Other,
        }
    }
}

struct State {
    memory: Vec<u8>,
    word_write_ns: u64,
    sector_erase_ns: u64,
    power_loss: Option<SimTime>,
    powered: bool,
    rng: SimRng,
    busy_until: u64,
    writes_without_erase: u64,
    /// The flash controller's interrupt (a write or an erase done).
    irq: Irq,
}

/// A NOR flash of `capacity` bytes written in `WRITE`-byte words and erased in
/// `ERASE`-byte sectors. Clones share the memory (keep one for the test).
#[derive(Clone)]
pub struct Flash<const WRITE: usize = 4, const ERASE: usize = 4096> {
    state: Rc<RefCell<State>>,
}

enum Op<'a> {
    Write(u32, &'a [u8]),
    Erase(u32, u32),
}

impl<const WRITE: usize, const ERASE: usize> Flash<WRITE, ERASE> {
    /// An erased flash (all 0xFF): 50 µs per word, 25 ms per sector, completing on `irq`.
    fn new(capacity: usize, irq: Irq) -> Self {
        assert!(capacity.is_multiple_of(ERASE) && ERASE.is_multiple_of(WRITE), "fwsim-hw: flash geometry");
        Flash {
            state: Rc::new(RefCell::new(State {
                memory: vec![0xFF; capacity],
                word_write_ns: 50_000,
                sector_erase_ns: 25_000_000,
                power_loss: None,
                powered: true,
                rng: SimRng::new(fwsim::seed() ^ 0xf1a5_4000),
                busy_until: 0,
                writes_without_erase: 0,
                irq,
            })),
        }
    }

    /// Sets the word-write and sector-erase times.
    pub fn with_timing(self, word_write: impl IntoNanos, sector_erase: impl IntoNanos) -> Self {
        {
            let mut s = self.state.borrow_mut();
            s.word_write_ns = word_write.into_nanos();
            s.sector_erase_ns = sector_erase.into_nanos();
        }
        self
    }

    /// Cuts power at `at`.
    pub fn power_loss_at(&self, at: SimTime) {
        self.state.borrow_mut().power_loss = Some(at);
    }

    /// Powers up again after a power loss (the memory keeps what it had).
    pub fn reboot(&self) {
        let mut s = self.state.borrow_mut();
        s.powered = true;
        s.power_loss = None;
    }

    /// A copy of the memory.
    pub fn contents(&self) -> Vec<u8> {
        self.state.borrow().memory.clone()
    }

    /// Writes that tried to set a cleared bit.
    pub fn writes_without_erase(&self) -> u64 {
        self.state.borrow().writes_without_erase
    }

    fn check(&self, offset: u32, len: usize, align: usize) -> Result<(), FlashError> {
        let s = self.state.borrow();
        if !s.powered || s.power_loss.is_some_and(|t| t <= fwsim::now()) {
            return Err(FlashError::PowerLost);
        }
        if offset as usize + len > s.memory.len() {
            return Err(FlashError::OutOfBounds);
        }
        if !(offset as usize).is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(FlashError::NotAligned);
        }
        Ok(())
    }

    /// Applies `op` as of now; returns when it ends and whether power is lost first.
    fn run(&self, op: Op<'_>) -> Result<u64, (u64, FlashError)> {
        let now = fwsim::now().as_nanos();
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let start = now.max(s.busy_until);
        let (units, unit_ns) = match op {
            Op::Write(_, bytes) => (bytes.len() / WRITE, s.word_write_ns),
            Op::Erase(from, to) => ((to - from) as usize / ERASE, s.sector_erase_ns),
        };
        let cut = s.power_loss.map(|t| t.as_nanos());
        let mut bad_words = 0;
        for u in 0..units {
            let (begin, end) = (start + u as u64 * unit_ns, start + (u as u64 + 1) * unit_ns);
            let torn = cut.is_some_and(|c| c < end);
            let range = match op {
                Op::Write(offset, _) => offset as usize + u * WRITE..offset as usize + (u + 1) * WRITE,
                Op::Erase(from, _) => from as usize + u * ERASE..from as usize + (u + 1) * ERASE,
            };
            if torn {
                // The unit in progress when power went: some bits changed, some not.
                if cut.is_some_and(|c| c > begin) {
                    for i in range {
                        let noise = s.rng.next_u64() as u8;
                        s.memory[i] = match op {
                            Op::Write(offset, bytes) => s.memory[i] & (bytes[i - offset as usize] | noise),
                            Op::Erase(..) => s.memory[i] | noise,
                        };
                    }
                }
                s.powered = false;
                return Err((cut.unwrap_or(end).max(now), FlashError::PowerLost));
            }
            match op {
                Op::Write(offset, bytes) => {
                    let mut bad = false;
                    for i in range {
                        let new = bytes[i - offset as usize];
                        bad |= s.memory[i] & new != new;
                        s.memory[i] &= new;
                    }
                    bad_words += bad as u64;
                }
                Op::Erase(..) => s.memory[range].fill(0xFF),
            }
        }
        let end = start + units as u64 * unit_ns;
        s.busy_until = end;
        if bad_words > 0 {
            s.writes_without_erase += bad_words;
            if let Op::Write(offset, _) = op {
                fwsim::diag::report_hardware(
                    "nor flash",
                    "WriteWithoutErase",
                    format!(
                        "{bad_words} word(s) from {offset:#x} had cleared bits the write tried to set; erase first"
                    ),
                );
            }
        }
        Ok(end)
    }

    /// Checks and runs an erase: when it ends, and its result.
    fn erase_op(&self, from: u32, to: u32) -> (u64, Result<(), FlashError>) {
        if to < from {
            return (fwsim::now().as_nanos(), Err(FlashError::OutOfBounds));
        }
        self.timed(self.check(from, (to - from) as usize, ERASE).map(|()| Op::Erase(from, to)))
    }

    /// Checks and runs a write: when it ends, and its result.
    fn write_op(&self, offset: u32, bytes: &[u8]) -> (u64, Result<(), FlashError>) {
        self.timed(self.check(offset, bytes.len(), WRITE).map(|()| Op::Write(offset, bytes)))
    }

    fn timed(&self, op: Result<Op<'_>, FlashError>) -> (u64, Result<(), FlashError>) {
        match op.map(|op| self.run(op)) {
            Err(e) => (fwsim::now().as_nanos(), Err(e)),
            Ok(Ok(end)) => (end, Ok(())),
            Ok(Err((at, e))) => (at, Err(e)),
        }
    }

    fn read_now(&self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        self.check(offset, bytes.len(), 1)?;
        let s = self.state.borrow();
        bytes.copy_from_slice(&s.memory[offset as usize..offset as usize + bytes.len()]);
        Ok(())
    }
}

impl<const W: usize, const E: usize> embedded_storage::nor_flash::ErrorType for Flash<W, E> {
    type Error = FlashError;
}

impl<const W: usize, const E: usize> embedded_storage::nor_flash::ReadNorFlash for Flash<W, E> {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        self.read_now(offset, bytes)
    }

    fn capacity(&self) -> usize {
        self.state.borrow().memory.len()
    }
}

impl<const W: usize, const E: usize> embedded_storage::nor_flash::NorFlash for Flash<W, E> {
    const WRITE_SIZE: usize = W;
    const ERASE_SIZE: usize = E;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        let (end, result) = self.erase_op(from, to);
        crate::block_until(end);
        result
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let (end, result) = self.write_op(offset, bytes);
        crate::block_until(end);
        result
    }
}

impl<const W: usize, const E: usize> embedded_storage_async::nor_flash::ReadNorFlash for Flash<W, E> {
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), FlashError> {
        self.read_now(offset, bytes)
    }

    fn capacity(&self) -> usize {
        self.state.borrow().memory.len()
    }
}

impl<const W: usize, const E: usize> embedded_storage_async::nor_flash::NorFlash for Flash<W, E> {
    const WRITE_SIZE: usize = W;
    const ERASE_SIZE: usize = E;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), FlashError> {
        let (end, result) = self.erase_op(from, to);
        let irq = self.state.borrow().irq;
        crate::wait_until(end, irq).await;
        result
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        let (end, result) = self.write_op(offset, bytes);
        let irq = self.state.borrow().irq;
        crate::wait_until(end, irq).await;
        result
    }
}

impl crate::Board {
    /// A NOR flash of `capacity` bytes on this board (see [`Flash`]): erased, with its own
    /// interrupt; a [power cycle](crate::Board::power_cycle) keeps its memory and powers it up
    /// again ([`Flash::reboot`]).
    pub fn flash<const WRITE: usize, const ERASE: usize>(&self, capacity: usize) -> Flash<WRITE, ERASE> {
        let irq = self.borrow().allocate_named_irq(3, "flash");
        let flash = Flash::new(capacity, irq);
        let kept = flash.clone();
        self.borrow().power_hooks.push(Rc::new(move || kept.reboot()));
        flash
    }
}
