//! The list's invariants, exercised through the primitives with hand-made wakers (and a
//! mutex that counts its locks) so that the tests run under Miri
//! (`cargo +nightly miri test -p fwsim-primitives --lib`).
extern crate std;

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Wake;
use std::vec::Vec;

use core::cell::Cell;
use core::marker::PhantomData;

use embassy_sync::blocking_mutex::raw::{NoopRawMutex, RawMutex};

use crate::{Barrier, Event, Lock, Queue, Semaphore};

std::thread_local! {
    static LOCKS: Cell<usize> = const { Cell::new(0) };
}

/// A one-thread mutex, as `NoopRawMutex`, that counts how often it is taken.
struct Counting(PhantomData<*mut ()>);
// SAFETY: as `NoopRawMutex`: `!Sync`, so a mutex over it never leaves its thread.
unsafe impl RawMutex for Counting {
    const INIT: Self = Counting(PhantomData);
    fn lock<R>(&self, f: impl FnOnce() -> R) -> R {
        LOCKS.with(|l| l.set(l.get() + 1));
        f()
    }
}

/// How many locks dropping `f` takes.
fn locks_to_drop<T>(f: T) -> usize {
    let before = LOCKS.with(Cell::get);
    drop(f);
    LOCKS.with(Cell::get) - before
}

/// A waker that counts its wakes.
struct Counter(AtomicUsize);
impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
fn counter() -> (Arc<Counter>, Waker) {
    let c = Arc::new(Counter(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}
fn woken(c: &Counter) -> usize {
    c.0.load(Ordering::SeqCst)
}

#[test]
fn event_wakes_every_waiter_once_and_each_completes() {
    let ev = Event::<NoopRawMutex>::new();
    let wakers: Vec<_> = (0..3).map(|_| counter()).collect();
    let mut futs: Vec<_> = (0..3).map(|_| std::boxed::Box::pin(ev.wait())).collect();
    for (f, (_, w)) in futs.iter_mut().zip(&wakers) {
        assert_eq!(f.as_mut().poll(&mut Context::from_waker(w)), Poll::Pending);
    }
    assert_eq!(ev.waiting(), 3);
    ev.set();
    ev.clear();
    assert_eq!(ev.waiting(), 0);
    for (f, (c, w)) in futs.iter_mut().zip(&wakers) {
        assert_eq!(woken(c), 1);
        assert_eq!(f.as_mut().poll(&mut Context::from_waker(w)), Poll::Ready(()));
    }
}

#[test]
fn a_waiter_dropped_mid_wait_unlinks_from_anywhere_in_the_list() {
    let ev = Event::<NoopRawMutex>::new();
    let (c, w) = counter();
    let mut cx = Context::from_waker(&w);
    let mut first = std::boxed::Box::pin(ev.wait());
    let mut middle = std::boxed::Box::pin(ev.wait());
    let mut last = std::boxed::Box::pin(ev.wait());
    for f in [&mut first, &mut middle, &mut last] {
        assert!(f.as_mut().poll(&mut cx).is_pending());
    }
    drop(middle);
    assert_eq!(ev.waiting(), 2);
    drop(first);
    assert_eq!(ev.waiting(), 1);
    ev.set();
    assert_eq!(woken(&c), 1);
    assert!(last.as_mut().poll(&mut cx).is_ready());
    drop(last);
    // A waiter polled on the stack, then dropped while queued.
    ev.clear();
    {
        let mut f = pin!(ev.wait());
        assert!(f.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(ev.waiting(), 0);
}

#[test]
fn a_repoll_with_a_new_waker_replaces_it() {
    let ev = Event::<NoopRawMutex>::new();
    let (c1, w1) = counter();
    let (c2, w2) = counter();
    let mut f = std::boxed::Box::pin(ev.wait());
    assert!(f.as_mut().poll(&mut Context::from_waker(&w1)).is_pending());
    assert!(f.as_mut().poll(&mut Context::from_waker(&w2)).is_pending());
    assert_eq!(ev.waiting(), 1, "re-polling does not queue twice");
    ev.set();
    assert_eq!((woken(&c1), woken(&c2)), (0, 1));
}

#[test]
fn a_future_whose_wait_is_over_drops_without_the_lock_and_a_queued_one_with_it() {
    let (_, w) = counter();
    let mut cx = Context::from_waker(&w);
    let ev = Event::<Counting>::new();
    assert_eq!(locks_to_drop(ev.wait()), 0, "never polled");
    let mut queued = std::boxed::Box::pin(ev.wait());
    assert!(queued.as_mut().poll(&mut cx).is_pending());
    assert_eq!(locks_to_drop(queued), 1, "queued: unlinked under the lock");
    assert_eq!(ev.waiting(), 0);
    let mut woken = std::boxed::Box::pin(ev.wait());
    assert!(woken.as_mut().poll(&mut cx).is_pending());
    ev.set();
    assert!(woken.as_mut().poll(&mut cx).is_ready());
    assert_eq!(locks_to_drop(woken), 0, "woken and consumed");
    let mut at_once = std::boxed::Box::pin(ev.wait());
    assert!(at_once.as_mut().poll(&mut cx).is_ready());
    assert_eq!(locks_to_drop(at_once), 0, "ready at once");

    let barrier = Barrier::<Counting>::new(2);
    let mut first = std::boxed::Box::pin(barrier.wait());
    assert!(first.as_mut().poll(&mut cx).is_pending());
    let mut last = std::boxed::Box::pin(barrier.wait());
    assert!(last.as_mut().poll(&mut cx).is_ready());
    assert!(first.as_mut().poll(&mut cx).is_ready());
    assert_eq!(locks_to_drop(first) + locks_to_drop(last), 0);

    let sem = Semaphore::<Counting>::new(0);
    let mut acquire = std::boxed::Box::pin(sem.acquire());
    assert!(acquire.as_mut().poll(&mut cx).is_pending());
    sem.release().unwrap();
    let Poll::Ready(permit) = acquire.as_mut().poll(&mut cx) else { panic!("handed the permit") };
    assert_eq!(locks_to_drop(acquire), 0);
    drop(permit);

    let queue = Queue::<Counting, u8, 1>::new();
    let mut get = std::boxed::Box::pin(queue.get());
    assert!(get.as_mut().poll(&mut cx).is_pending());
    queue.put_nowait(7).unwrap();
    assert_eq!(get.as_mut().poll(&mut cx), Poll::Ready(7));
    assert_eq!(locks_to_drop(get), 0);
}

#[test]
fn lock_hands_off_in_order_and_a_cancelled_heir_passes_it_on() {
    let lock = Lock::<NoopRawMutex>::new();
    let (_, w) = counter();
    let mut cx = Context::from_waker(&w);
    let guard = lock.try_acquire().expect("free");
    let mut a = std::boxed::Box::pin(lock.acquire());
    let mut b = std::boxed::Box::pin(lock.acquire());
    assert!(a.as_mut().poll(&mut cx).is_pending());
    assert!(b.as_mut().poll(&mut cx).is_pending());
    drop(guard); // handed to a
    assert!(!lock.locked());
    assert!(lock.try_acquire().is_none(), "no barging during the hand-off");
    drop(a); // a cancelled after the hand-off: b inherits
    let Poll::Ready(g) = b.as_mut().poll(&mut cx) else { panic!("b should hold the lock") };
    assert!(lock.locked());
    drop(g);
    assert!(!lock.locked());
    assert_eq!(lock.waiting(), 0);
}
