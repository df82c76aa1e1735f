//! [`Message`]: an event that carries a value, and the thread-safe aliases.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, RawMutex};

use crate::{Event, Queue, ThreadSafeFlag};

/// The toolkit's `Message`: an [`Event`] with a payload. [`set`](Message::set) stores the
/// value and releases every waiter; a second `set` before anyone reads overwrites the value
/// (the latest wins, as in Python). Waiters [`clear`](Message::clear) it themselves.
///
/// **Built as the toolkit builds it**, so that tasks resume in MicroPython's order: the first
/// waiter (while nobody else holds that role) yields once, then waits on a
/// [`ThreadSafeFlag`] and sets the event when the flag fires; the other waiters wait on the
/// event. `set` sets the event, then the flag. The event's waiters are released at once, the
/// flag's at the loop's next step (under fwsim's `MicroPython` order, as
/// MicroPython's IO poll does): the first waiter resumes *after* the
/// others, and after the setter itself when it yields.
///
/// Differences from the toolkit, and why:
/// * a first waiter whose wait is dropped (a cancel, a timeout) gives up its role, and the
///   next waiter takes it; the toolkit starts a task that keeps waiting on the flag, which
///   Rust cannot do without a spawner;
/// * there is no async iterator: loop on [`wait`](Message::wait).
///
/// As in the toolkit, a waiter that does not [`clear`](Message::clear) a message it received
/// leaves the flag consumed and the event set: the next first waiter then waits for the next
/// `set`, while the others return at once. Clear it in the task that handles it.
///
/// With `CriticalSectionRawMutex` it may be set from an interrupt handler. (Python documents
/// that too, but its `set` calls `asyncio.Event.set`, which must not run in an ISR —
/// PRIMITIVES.md §5.2 L3; here each part is inside a critical section.)
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
    flag: ThreadSafeFlag<M>,
    state: Mutex<M, RefCell<State<T>>>,
}

struct State<T> {
    value: Option<T>,
    /// A waiter waits on the flag (the toolkit's `_waiting_on_tsf`).
    flag_taken: bool,
}

/// Gives the flag role back when the first waiter's wait ends or is dropped.
struct FlagRole<'a, M: RawMutex, T>(&'a Message<M, T>);

impl<M: RawMutex, T> Drop for FlagRole<'_, M, T> {
    fn drop(&mut self) {
        self.0.state.lock(|s| s.borrow_mut().flag_taken = false);
    }
}

impl<M: RawMutex, T: Clone> Message<M, T> {
    /// A clear message with no value.
    pub const fn new() -> Self {
        Message {
            event: Event::new(),
            flag: ThreadSafeFlag::new(),
            state: Mutex::new(RefCell::new(State { value: None, flag_taken: false })),
        }
    }

    /// Stores `value` (replacing any unread one) and releases every waiter (see the type
    /// docs for the order).
    pub fn set(&self, value: T) {
        self.state.lock(|s| s.borrow_mut().value = Some(value));
        self.event.set();
        self.flag.set();
    }

    /// Clears the event (the value stays readable).
    pub fn clear(&self) {
        self.event.clear();
    }

    /// Whether it is set.
    pub fn is_set(&self) -> bool {
        self.event.is_set()
    }

    /// The last value set, if any.
    pub fn value(&self) -> Option<T> {
        self.state.lock(|s| s.borrow().value.clone())
    }

    /// Waits until it is set; returns the value.
    pub async fn wait(&self) -> T {
        if crate::mutants::on(crate::mutants::Mutant::MessageClearBeforeWait) {
            self.event.clear();
            self.flag.clear();
        }
        let first = self.state.lock(|s| !core::mem::replace(&mut s.borrow_mut().flag_taken, true));
        if first {
            let _role = FlagRole(self);
            // The toolkit's first waiter yields before it waits, so that the others see the
            // role taken.
            embassy_futures::yield_now().await;
            self.flag.wait().await;
            self.event.set();
        } else {
            self.event.wait().await;
        }
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
