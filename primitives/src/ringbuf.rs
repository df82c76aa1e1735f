//! [`RingbufQueue`]: a ring that overwrites its oldest item rather than block a producer.

use core::cell::RefCell;
use core::fmt;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;

use crate::queue::{Core, Get, Put, QueueEmpty, shared_methods};

/// `put_nowait` on a full [`RingbufQueue`]: the new item was stored and this, the oldest, was
/// dropped to make room (Python stores, drops and raises `IndexError`; here the dropped item
/// is handed back instead of lost).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overwritten<T>(pub T);

impl<T> fmt::Display for Overwritten<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue full: the oldest item was dropped")
    }
}

/// The toolkit's `RingbufQueue`: a ring of `N` items where a full `put_nowait` overwrites the
/// oldest — for producers (often interrupts) that must never block.
///
/// Python's `RingbufQueue(buf)` holds `len(buf) - 1` items; `RingbufQueue<_, _, N>` holds
/// `N`. Async [`put`](Self::put) waits for room instead of overwriting; async
/// [`get`](Self::get) waits for an item (`async for` in Python: `loop { q.get().await }`).
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::{Overwritten, RingbufQueue};
///
/// let q = RingbufQueue::<NoopRawMutex, u8, 3>::new();
/// for i in 1..=3 {
///     q.put_nowait(i).unwrap();
/// }
/// assert_eq!(q.put_nowait(4), Err(Overwritten(1)));
/// assert_eq!([q.get_nowait(), q.get_nowait(), q.get_nowait()], [Ok(2), Ok(3), Ok(4)]);
/// ```
pub struct RingbufQueue<M: RawMutex, T, const N: usize> {
    core: Mutex<M, RefCell<Core<T, N>>>,
}

impl<M: RawMutex, T, const N: usize> RingbufQueue<M, T, N> {
    /// An empty ring.
    pub const fn new() -> Self {
        RingbufQueue { core: Mutex::new(RefCell::new(Core::new())) }
    }

    shared_methods!();

    /// Adds an item; when full, drops the oldest to make room and returns it as the error.
    pub fn put_nowait(&self, item: T) -> Result<(), Overwritten<T>> {
        self.core.lock(|c| {
            let mut c = c.borrow_mut();
            if c.free_space() > 0 {
                c.push(item);
                return Ok(());
            }
            let oldest = c.items.pop_front();
            if c.items.push_back(item).is_err() {
                unreachable!("a slot was just freed");
            }
            // Same count, so promises stand; a getter promised "the front item" gets the next.
            match oldest {
                Some(oldest) => Err(Overwritten(oldest)),
                None => unreachable!("N > 0 and full"),
            }
        })
    }

    /// A copy of the item [`get_nowait`](Self::get_nowait) would return.
    pub fn peek(&self) -> Result<T, QueueEmpty>
    where
        T: Clone,
    {
        self.core.lock(|c| {
            let c = c.borrow();
            c.items.iter().nth(c.promised_items).cloned().ok_or(QueueEmpty)
        })
    }
}

impl<M: RawMutex, T, const N: usize> Default for RingbufQueue<M, T, N> {
    fn default() -> Self {
        Self::new()
    }
}
