//! Hand-polled exercises of every type with `unsafe` pin projections or intrusive waiters, so
//! that Miri checks them (`cargo +nightly miri test -p fwsim-primitives --lib`). The behaviour
//! itself is tested under fwsim in `tests/`; these drive the same code without an executor.
extern crate std;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::boxed::Box;
use std::vec::Vec;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;

use crate::*;

type M = NoopRawMutex;

fn poll<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn queue_promises_survive_cancelled_getters_and_putters() {
    let q = Queue::<M, u32, 1>::new();
    let mut g1 = Box::pin(q.get());
    let mut g2 = Box::pin(q.get());
    assert!(poll(g1.as_mut()).is_pending() && poll(g2.as_mut()).is_pending());
    q.put_nowait(7).unwrap(); // promised to g1
    drop(g1); // ... which is cancelled: the promise passes to g2
    assert_eq!(poll(g2.as_mut()), Poll::Ready(7));
    q.put_nowait(8).unwrap();
    let mut p1 = Box::pin(q.put(9));
    let mut p2 = Box::pin(q.put(10));
    assert!(poll(p1.as_mut()).is_pending() && poll(p2.as_mut()).is_pending());
    assert_eq!(q.get_nowait(), Ok(8)); // room promised to p1
    drop(p1); // cancelled (its item is dropped): the room passes to p2
    assert_eq!(poll(p2.as_mut()), Poll::Ready(()));
    assert_eq!(q.get_nowait(), Ok(10));
    let mut join = Box::pin(q.join());
    assert!(poll(join.as_mut()).is_pending());
    for _ in 0..4 {
        let _ = q.task_done();
    }
    assert_eq!(poll(join.as_mut()), Poll::Ready(()));
}

#[test]
fn ringbuf_and_semaphore_hand_offs() {
    let r = RingbufQueue::<M, Vec<u8>, 2>::new();
    let mut getter = Box::pin(r.get());
    assert!(poll(getter.as_mut()).is_pending());
    r.put_nowait(std::vec![1]).unwrap();
    r.put_nowait(std::vec![2]).unwrap();
    assert_eq!(r.put_nowait(std::vec![3]), Err(Overwritten(std::vec![1])));
    assert_eq!(poll(getter.as_mut()), Poll::Ready(std::vec![2]));

    let sem = Semaphore::<M>::new(1);
    let held = sem.try_acquire().unwrap();
    let mut a = Box::pin(sem.acquire());
    let mut b = Box::pin(sem.acquire());
    assert!(poll(a.as_mut()).is_pending() && poll(b.as_mut()).is_pending());
    drop(held); // to a
    drop(a); // cancelled: to b
    let Poll::Ready(p) = poll(b.as_mut()) else { panic!("b should hold the permit") };
    drop(p);
    assert_eq!(sem.available(), 1);
}

#[test]
fn barrier_condition_and_flag_waiters() {
    let barrier = Barrier::<M>::new(3);
    let mut w1 = Box::pin(barrier.wait());
    let mut w2 = Box::pin(barrier.wait());
    assert!(poll(w1.as_mut()).is_pending() && poll(w2.as_mut()).is_pending());
    drop(w2); // withdraws
    let mut w3 = Box::pin(barrier.wait());
    assert!(poll(w3.as_mut()).is_pending());
    let mut w4 = Box::pin(barrier.wait());
    assert!(matches!(poll(w4.as_mut()), Poll::Ready(r) if r.is_leader()));
    assert!(poll(w1.as_mut()).is_ready() && poll(w3.as_mut()).is_ready());

    let cond = Condition::<M>::new();
    let guard = cond.lock().try_acquire().unwrap();
    let mut waiting = Box::pin(cond.wait(guard));
    assert!(poll(waiting.as_mut()).is_pending()); // queued, lock released
    let g = cond.lock().try_acquire().expect("released while waiting");
    cond.notify(&g, 1);
    assert!(poll(waiting.as_mut()).is_pending(), "notified, but the lock is still held");
    drop(g);
    assert!(poll(waiting.as_mut()).is_ready());
    // A waiter dropped while queued on the condition unlinks.
    let guard = cond.lock().try_acquire().unwrap();
    let mut dropped = Box::pin(cond.wait(guard));
    assert!(poll(dropped.as_mut()).is_pending());
    assert_eq!(cond.waiting(), 1);
    drop(dropped);
    assert_eq!(cond.waiting(), 0);

    let flag = ThreadSafeFlag::<M>::new();
    let mut f = Box::pin(flag.wait());
    assert!(poll(f.as_mut()).is_pending());
    flag.set();
    assert!(poll(f.as_mut()).is_ready());
}

#[test]
fn gather_slots_are_pinned_in_place() {
    let ev = Event::<M>::new();
    let child = |n: u8, wait: bool| {
        let ev = &ev;
        async move {
            if wait {
                ev.wait().await;
            }
            if n.is_multiple_of(2) { Ok::<u8, u8>(n) } else { Err(n) }
        }
    };
    // Turns, as asyncio's: the first poll only yields, the decision is returned a turn later.
    let mut g = Box::pin(gather([child(2, true), child(4, false)]));
    assert!(poll(g.as_mut()).is_pending(), "start");
    assert!(poll(g.as_mut()).is_pending(), "waiting for the event");
    ev.set();
    assert!(poll(g.as_mut()).is_pending(), "decided");
    assert_eq!(poll(g.as_mut()), Poll::Ready(Ok([2, 4])));
    let mut all = Box::pin(gather_all([child(1, false), child(2, false)]));
    assert!(poll(all.as_mut()).is_pending() && poll(all.as_mut()).is_pending());
    assert_eq!(poll(all.as_mut()), Poll::Ready([Err(1), Ok(2)]));
    // Dropped mid-gather with a child linked into an event.
    let mut pending = Box::pin(gather([child(2, true)]));
    ev.clear();
    assert!(poll(pending.as_mut()).is_pending() && poll(pending.as_mut()).is_pending());
    assert_eq!(ev.waiting(), 1);
    drop(pending);
    assert_eq!(ev.waiting(), 0);
}
