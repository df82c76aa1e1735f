//! [`Queue`], and the waiting core it shares with [`RingbufQueue`](crate::RingbufQueue):
//! bounded FIFOs between tasks, with waiting and hand-off.
//!
//! Both keep their items in a const-generic buffer and serve waiting getters (and putters) in
//! arrival order. When an item arrives for a waiting getter it is *promised* to that getter:
//! nobody else (not even `get_nowait`) can take it before the getter runs, so several getters
//! are served FIFO — the order the Python versions showed, without their broadcast-and-retry.
//! (A promise is for *an* item: each woken getter takes the front item when it runs, so which
//! getter gets which item follows the executor's resumption order.)

use core::cell::RefCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use heapless::Deque;

use crate::mutants::{self, Mutant};
use crate::waitq::{WaitQueue, WaitState, Waiter};

/// `put_nowait` on a full [`Queue`]; gives the item back (Python's `QueueFull`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull<T>(pub T);

/// `get_nowait` on an empty queue (Python's `QueueEmpty`, or `IndexError` for
/// `RingbufQueue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueEmpty;

/// [`Queue::task_done`] called more often than items were put. Python's toolkit ignores this
/// silently (CPython raises `ValueError`); here it is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDoneUnderflow;

macro_rules! display {
    ($t:ty, $msg:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($msg)
            }
        }
    };
}
display!(QueueEmpty, "queue empty");
display!(TaskDoneUnderflow, "task_done() called more times than items were put");
impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue full")
    }
}

/// The state both queues share.
pub(crate) struct Core<T, const N: usize> {
    pub(crate) items: Deque<T, N>,
    /// Items promised to notified getters (they are the front ones).
    pub(crate) promised_items: usize,
    /// Free slots promised to notified putters.
    promised_space: usize,
    getters: WaitQueue,
    putters: WaitQueue,
    /// `Queue` only: items put and not yet marked done; and who waits for zero.
    unfinished: usize,
    joiners: WaitQueue,
}

impl<T, const N: usize> Core<T, N> {
    pub(crate) const fn new() -> Self {
        Core {
            items: Deque::new(),
            promised_items: 0,
            promised_space: 0,
            getters: WaitQueue::new(),
            putters: WaitQueue::new(),
            unfinished: 0,
            joiners: WaitQueue::new(),
        }
    }

    fn free_items(&self) -> usize {
        self.items.len() - self.promised_items
    }

    pub(crate) fn free_space(&self) -> usize {
        N - self.items.len() - self.promised_space
    }

    /// An item arrived: count it for `join`, offer it to the getters.
    fn item_added(&mut self) {
        self.unfinished += 1;
        self.promise_item();
    }

    /// Promises a free item to the longest-waiting getter, if any.
    fn promise_item(&mut self) {
        if self.getters.notify_one() {
            self.promised_items += 1;
        }
    }

    /// A slot was freed: promise it to the longest-waiting putter, if any.
    fn space_freed(&mut self) {
        if self.putters.notify_one() {
            self.promised_space += 1;
        }
    }

    fn take_front(&mut self) -> T {
        let item = self.items.pop_front().expect("an item was counted");
        if !mutants::on(Mutant::QueuePutterNotWoken) {
            self.space_freed();
        }
        item
    }

    pub(crate) fn push(&mut self, item: T) {
        if self.items.push_back(item).is_err() {
            unreachable!("a slot was counted");
        }
        self.item_added();
    }

    pub(crate) fn try_get(&mut self) -> Result<T, QueueEmpty> {
        if self.free_items() == 0 {
            return Err(QueueEmpty);
        }
        Ok(self.take_front())
    }

    fn poll_get(&mut self, waiter: Pin<&Waiter>, cx: &mut Context<'_>) -> Poll<T> {
        match waiter.state() {
            WaitState::Notified => {
                waiter.consume();
                self.promised_items -= 1;
                Poll::Ready(self.take_front())
            }
            WaitState::Idle if self.free_items() > 0 && self.getters.len() == 0 => Poll::Ready(self.take_front()),
            _ => {
                self.getters.register(waiter, cx.waker());
                Poll::Pending
            }
        }
    }

    fn cancel_get(&mut self, waiter: Pin<&Waiter>) {
        if self.getters.cancel(waiter) == WaitState::Notified && !mutants::on(Mutant::QueueCancelKeepsPromise) {
            // Promised an item it will never take: promise it to the next getter.
            self.promised_items -= 1;
            self.promise_item();
        }
    }

    fn poll_put(&mut self, waiter: Pin<&Waiter>, cx: &mut Context<'_>, item: &mut Option<T>) -> Poll<()> {
        match waiter.state() {
            WaitState::Notified => {
                waiter.consume();
                self.promised_space -= 1;
                self.push(item.take().expect("put once"));
                Poll::Ready(())
            }
            WaitState::Idle if self.free_space() > 0 && self.putters.len() == 0 => {
                self.push(item.take().expect("put once"));
                Poll::Ready(())
            }
            _ => {
                self.putters.register(waiter, cx.waker());
                Poll::Pending
            }
        }
    }

    fn cancel_put(&mut self, waiter: Pin<&Waiter>) {
        if self.putters.cancel(waiter) == WaitState::Notified {
            self.promised_space -= 1;
            self.space_freed();
        }
    }
}

/// The future of a queue's `get`.
#[must_use = "futures do nothing unless awaited"]
pub struct Get<'a, M: RawMutex, T, const N: usize> {
    core: &'a Mutex<M, RefCell<Core<T, N>>>,
    waiter: Waiter,
}

impl<'a, M: RawMutex, T, const N: usize> Get<'a, M, T, N> {
    pub(crate) fn new(core: &'a Mutex<M, RefCell<Core<T, N>>>) -> Self {
        Get { core, waiter: Waiter::new() }
    }
}

impl<M: RawMutex, T, const N: usize> Future for Get<'_, M, T, N> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.into_ref().get_ref();
        // SAFETY: the future is pinned, so its waiter is too.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        this.core.lock(|c| c.borrow_mut().poll_get(waiter, cx))
    }
}

impl<M: RawMutex, T, const N: usize> Drop for Get<'_, M, T, N> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.core.lock(|c| c.borrow_mut().cancel_get(waiter));
    }
}

/// The future of a queue's `put`. Dropping it before it completes drops the item.
#[must_use = "futures do nothing unless awaited"]
pub struct Put<'a, M: RawMutex, T, const N: usize> {
    core: &'a Mutex<M, RefCell<Core<T, N>>>,
    waiter: Waiter,
    item: Option<T>,
}

impl<'a, M: RawMutex, T, const N: usize> Put<'a, M, T, N> {
    pub(crate) fn new(core: &'a Mutex<M, RefCell<Core<T, N>>>, item: T) -> Self {
        Put { core, waiter: Waiter::new(), item: Some(item) }
    }
}

impl<M: RawMutex, T, const N: usize> Future for Put<'_, M, T, N> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `waiter` stays pinned in place; `item` is moved out by value only.
        let this = unsafe { self.get_unchecked_mut() };
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        let item = &mut this.item;
        this.core.lock(|c| c.borrow_mut().poll_put(waiter, cx, item))
    }
}

impl<M: RawMutex, T, const N: usize> Drop for Put<'_, M, T, N> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.core.lock(|c| c.borrow_mut().cancel_put(waiter));
    }
}

/// The methods both queues have, over their shared `core`.
macro_rules! shared_methods {
    () => {
        /// Items held (Python's `qsize()`).
        pub fn len(&self) -> usize {
            self.core.lock(|c| c.borrow().items.len())
        }

        /// Whether it holds no item.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        /// Whether it holds `N` items.
        pub fn is_full(&self) -> bool {
            self.len() == N
        }

        /// Takes the oldest item, if one is free (not promised to a waiting getter).
        pub fn get_nowait(&self) -> Result<T, QueueEmpty> {
            self.core.lock(|c| c.borrow_mut().try_get())
        }

        /// Adds an item, waiting for room.
        pub fn put(&self, item: T) -> Put<'_, M, T, N> {
            Put::new(&self.core, item)
        }

        /// Takes the oldest item, waiting for one.
        pub fn get(&self) -> Get<'_, M, T, N> {
            Get::new(&self.core)
        }
    };
}

/// The toolkit's `Queue(maxsize)`: a FIFO of at most `N` items, with `task_done`/`join`.
///
/// (`maxsize <= 0`, unbounded, has no allocation-free form: choose `N`.)
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use fwsim_primitives::{Queue, QueueEmpty, QueueFull};
///
/// let q = Queue::<NoopRawMutex, u8, 2>::new();
/// q.put_nowait(1).unwrap();
/// q.put_nowait(2).unwrap();
/// assert_eq!(q.put_nowait(3), Err(QueueFull(3)));
/// assert_eq!(q.get_nowait(), Ok(1));
/// assert_eq!((q.len(), q.is_full()), (1, false));
/// ```
pub struct Queue<M: RawMutex, T, const N: usize> {
    core: Mutex<M, RefCell<Core<T, N>>>,
}

impl<M: RawMutex, T, const N: usize> Queue<M, T, N> {
    /// An empty queue.
    pub const fn new() -> Self {
        Queue { core: Mutex::new(RefCell::new(Core::new())) }
    }

    shared_methods!();

    /// Adds an item, or gives it back if the queue is full.
    pub fn put_nowait(&self, item: T) -> Result<(), QueueFull<T>> {
        self.core.lock(|c| {
            let mut c = c.borrow_mut();
            if c.free_space() == 0 {
                return Err(QueueFull(item));
            }
            c.push(item);
            Ok(())
        })
    }

    /// Marks one item taken earlier as processed; [`join`](Self::join) returns when every item
    /// put has been marked.
    pub fn task_done(&self) -> Result<(), TaskDoneUnderflow> {
        self.core.lock(|c| {
            let mut c = c.borrow_mut();
            if c.unfinished == 0 {
                return Err(TaskDoneUnderflow);
            }
            c.unfinished -= 1;
            if c.unfinished == 0 {
                c.joiners.notify_all();
            }
            Ok(())
        })
    }

    /// Waits until every item put has been marked with [`task_done`](Self::task_done);
    /// returns at once if none is outstanding.
    pub fn join(&self) -> Join<'_, M, T, N> {
        Join { core: &self.core, waiter: Waiter::new() }
    }
}

impl<M: RawMutex, T, const N: usize> Default for Queue<M, T, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The future of [`Queue::join`].
#[must_use = "futures do nothing unless awaited"]
pub struct Join<'a, M: RawMutex, T, const N: usize> {
    core: &'a Mutex<M, RefCell<Core<T, N>>>,
    waiter: Waiter,
}

impl<M: RawMutex, T, const N: usize> Future for Join<'_, M, T, N> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.into_ref().get_ref();
        // SAFETY: the future is pinned, so its waiter is too.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        this.core.lock(|c| {
            let mut c = c.borrow_mut();
            match waiter.state() {
                WaitState::Notified => {
                    waiter.consume();
                    Poll::Ready(())
                }
                WaitState::Idle if c.unfinished == 0 => Poll::Ready(()),
                _ => {
                    c.joiners.register(waiter, cx.waker());
                    Poll::Pending
                }
            }
        })
    }
}

impl<M: RawMutex, T, const N: usize> Drop for Join<'_, M, T, N> {
    fn drop(&mut self) {
        if !self.waiter.is_lent() {
            return; // idle: nobody else can reach it, no lock needed (see `waitq`)
        }
        // SAFETY: if the waiter was ever linked, the future was pinned and has not moved.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        self.core.lock(|c| c.borrow_mut().joiners.cancel(waiter));
    }
}

pub(crate) use shared_methods;
