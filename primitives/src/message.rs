//! [`Message`]: an event that carries a value, and the thread-safe aliases.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, RawMutex};

use crate::{Event, Queue};

/// The toolkit's `Message`: an [`Event`] with a payload. [`set`](Message::set) stores the
/// value and releases every waiter; a second `set` before anyone reads overwrites the value
/// (the latest wins, as in Python). Waiters [`clear`](Message::clear) it themselves.
///
/// **Wake order, as MicroPython's.** The toolkit parks the first waiter on a
/// `ThreadSafeFlag` and the others on the event; `set` releases the event's waiters at once
/// and the flag's at the loop's next step, so the first waiter resumes *after* the others.
/// `set` here wakes the others in wait order, then the longest waiting one.
///
/// With `CriticalSectionRawMutex` it may be set from an interrupt handler. (Python documents
/// that too, but its `set` calls `asyncio.Event.set`, which must not run in an ISR —
/// PRIMITIVES.md §5.2 L3; here the whole operation is inside the critical section.)
///
/// ```
/// use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
/// use fwsim::{Irq, SimTime};
/// use fwsim_primitives::Message;
///
/// let msg = Message::<CriticalSectionRawMutex, u32>::new();
/// let sim = fwsim::Sim::new();
/// let mut reader = sim.spawn("reader", async { msg.wait().await });
/// sim.schedule_isr(SimTime::from_millis(2), Irq::new(1, 8), || { msg.set(1); msg.set(2) });
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(reader.try_take(), Some(Ok(2)));
/// ```
pub struct Message<M: RawMutex, T> {
    event: Event<M>,
    value: Mutex<M, RefCell<Option<T>>>,
}

impl<M: RawMutex, T: Clone> Message<M, T> {
    /// A clear message with no value.
    pub const fn new() -> Self {
        Message { event: Event::new(), value: Mutex::new(RefCell::new(None)) }
    }

    /// Stores `value` (replacing any unread one) and releases every waiter.
    pub fn set(&self, value: T) {
        self.value.lock(|v| *v.borrow_mut() = Some(value));
        self.event.set_longest_waiter_last();
    }

    /// Clears the flag (the value stays readable).
    pub fn clear(&self) {
        self.event.clear();
    }

    /// Whether it is set.
    pub fn is_set(&self) -> bool {
        self.event.is_set()
    }

    /// The last value set, if any.
    pub fn value(&self) -> Option<T> {
        self.value.lock(|v| v.borrow().clone())
    }

    /// Waits until it is set; returns the value.
    pub async fn wait(&self) -> T {
        if crate::mutants::on(crate::mutants::Mutant::MessageClearBeforeWait) {
            self.event.clear();
        }
        self.event.wait().await;
        self.value().expect("a set message has a value")
    }
}

impl<M: RawMutex, T: Clone> Default for Message<M, T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The toolkit's `ThreadSafeEvent`: an [`Event`] whose `set` is safe from interrupt handlers
/// (and, on the host, other threads). Python needs a special class built on a
/// `ThreadSafeFlag`; in Rust the mutex type says it.
pub type ThreadSafeEvent = Event<CriticalSectionRawMutex>;

/// The toolkit's `ThreadSafeQueue`: a bounded FIFO between interrupt handlers (or threads) and
/// tasks. `put_nowait`/`get_nowait` are Python's non-blocking `put_sync`/`get_sync` (an error
/// instead of `IndexError`); the blocking variants, which busy-wait and must not be used in a
/// task or an ISR, are left out. Holds `N` items (Python: `len(buf) - 1`).
///
/// ```
/// use fwsim::{Irq, SimTime};
/// use fwsim_primitives::ThreadSafeQueue;
///
/// let q = ThreadSafeQueue::<u16, 8>::new();
/// let sim = fwsim::Sim::new();
/// let mut sum = sim.spawn("consumer", async { q.get().await + q.get().await });
/// sim.schedule_isr(SimTime::from_millis(1), Irq::new(1, 11), || { q.put_nowait(40).unwrap(); q.put_nowait(2).unwrap() });
/// sim.run_until_quiescent(fwsim::secs(1)).unwrap();
/// assert_eq!(sum.try_take(), Some(Ok(42)));
/// ```
pub type ThreadSafeQueue<T, const N: usize> = Queue<CriticalSectionRawMutex, T, N>;
