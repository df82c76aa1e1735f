//! The zoo's task-only bugs ported to shuttle, to measure fwsim against it on the same
//! primitive code: the primitives are executor-agnostic, so each port is its fwsim scenario
//! with shuttle's `spawn_local`, `yield_now` and `block_on` (and `Rc` instead of
//! `Sim::alloc`). The four bugs that need timers are left out: shuttle has no clock for
//! embassy-time.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use embassy_futures::select::select;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim_primitives::{Barrier, Condition, Event, Lock, Message, Queue, Semaphore, ThreadSafeFlag};
use shuttle::future::{block_on, spawn_local, yield_now};

use crate::Mutant;

/// A zoo bug as a shuttle test body.
#[derive(Clone, Copy, Debug)]
pub struct ShuttleBug {
    /// The fwsim zoo's name for it.
    pub name: &'static str,
    /// The planted bug.
    pub mutant: Mutant,
    /// The body, run inside shuttle.
    pub scenario: fn(),
}

impl ShuttleBug {
    /// The body over the real primitive (`false`) or the mutant (`true`).
    pub fn body(&self, mutated: bool) -> impl Fn() + Send + Sync + 'static {
        let (mutant, scenario) = (self.mutant, self.scenario);
        move || {
            let _active = fwsim_primitives::mutants::activate(mutated.then_some(mutant));
            scenario()
        }
    }
}

/// Every port.
pub const SHUTTLE_ZOO: [ShuttleBug; 8] = [
    ShuttleBug { name: "event-lost-wakeup", mutant: Mutant::EventCheckThenRegister, scenario: event },
    ShuttleBug { name: "condition-if-for-while", mutant: Mutant::ConditionIfForWhile, scenario: condition },
    ShuttleBug { name: "message-clear-before-wait", mutant: Mutant::MessageClearBeforeWait, scenario: message },
    ShuttleBug { name: "lock-barging", mutant: Mutant::LockBarging, scenario: lock },
    ShuttleBug { name: "flag-stale-waker", mutant: Mutant::FlagKeepsStaleWaker, scenario: flag },
    ShuttleBug { name: "barrier-reuse", mutant: Mutant::BarrierReuse, scenario: barrier },
    ShuttleBug { name: "queue-putter-not-woken", mutant: Mutant::QueuePutterNotWoken, scenario: queue },
    ShuttleBug { name: "semaphore-over-release", mutant: Mutant::SemaphoreOverRelease, scenario: semaphore },
];

/// Spawns `tasks` and waits for all of them (a deadlock is shuttle's failure).
fn run_all(tasks: Vec<std::pin::Pin<Box<dyn Future<Output = ()>>>>) {
    let handles: Vec<_> = tasks.into_iter().map(spawn_local).collect();
    block_on(async move {
        for h in handles {
            h.await.expect("task finished");
        }
    });
}

async fn yields(n: usize) {
    for _ in 0..n {
        yield_now().await;
    }
}

fn event() {
    let ev = Rc::new(Event::<NoopRawMutex>::new());
    let (a, b) = (ev.clone(), ev);
    run_all(vec![
        Box::pin(async move { a.wait().await }),
        Box::pin(async move {
            yields(1).await;
            b.set();
        }),
    ]);
}

fn condition() {
    let cond = Rc::new(Condition::<NoopRawMutex>::new());
    let items = Rc::new(Cell::new(0u32));
    let consumer = |late: usize| {
        let (cond, items) = (cond.clone(), items.clone());
        Box::pin(async move {
            yields(late).await;
            let guard = cond.acquire().await;
            let guard = cond.wait_for(guard, || items.get() > 0).await;
            assert!(items.get() > 0, "took an item that was not there");
            items.set(items.get() - 1);
            drop(guard);
        }) as std::pin::Pin<Box<dyn Future<Output = ()>>>
    };
    let producer = {
        let (cond, items) = (cond.clone(), items.clone());
        Box::pin(async move {
            for _ in 0..2 {
                yields(1).await;
                let guard = cond.acquire().await;
                items.set(items.get() + 1);
                cond.notify(&guard, 1);
            }
        })
    };
    run_all(vec![consumer(0), consumer(3), producer]);
}

fn message() {
    let msg = Rc::new(Message::<NoopRawMutex, u32>::new());
    let (rx, tx) = (msg.clone(), msg);
    run_all(vec![
        Box::pin(async move {
            yields(1).await;
            assert_eq!(rx.wait().await, 7);
        }),
        Box::pin(async move {
            yields(2).await;
            tx.set(7);
        }),
    ]);
}

fn lock() {
    let lock = Rc::new(Lock::<NoopRawMutex>::new());
    let holders = Rc::new(Cell::new(0u32));
    let worker = |late: usize| {
        let (lock, holders) = (lock.clone(), holders.clone());
        Box::pin(async move {
            yields(late).await;
            let guard = lock.acquire().await;
            holders.set(holders.get() + 1);
            assert_eq!(holders.get(), 1, "two tasks hold the lock");
            yields(1).await;
            holders.set(holders.get() - 1);
            drop(guard);
        }) as std::pin::Pin<Box<dyn Future<Output = ()>>>
    };
    run_all(vec![worker(0), worker(0), worker(0), worker(2)]);
}

fn flag() {
    let flag = Rc::new(ThreadSafeFlag::<NoopRawMutex>::new());
    let consumer = spawn_local({
        let flag = flag.clone();
        async move { flag.wait().await }
    });
    let probe = spawn_local({
        let flag = flag.clone();
        async move {
            select(flag.wait(), yield_now()).await;
        }
    });
    let setter = spawn_local(async move {
        probe.await.expect("probe finished");
        flag.set();
    });
    block_on(async move {
        consumer.await.expect("consumer finished");
        setter.await.expect("setter finished");
    });
}

fn barrier() {
    let barrier = Rc::new(Barrier::<NoopRawMutex>::new(3));
    let arrived = Rc::new([Cell::new(0u32), Cell::new(0u32)]);
    let participant = || {
        let (barrier, arrived) = (barrier.clone(), arrived.clone());
        Box::pin(async move {
            for (round, count) in arrived.iter().enumerate() {
                count.set(count.get() + 1);
                barrier.wait().await;
                assert_eq!(count.get(), 3, "passed round {round} before everyone arrived");
                yields(1).await;
            }
        }) as std::pin::Pin<Box<dyn Future<Output = ()>>>
    };
    run_all(vec![participant(), participant(), participant()]);
}

fn queue() {
    let queue = Rc::new(Queue::<NoopRawMutex, u32, 1>::new());
    let (tx, rx) = (queue.clone(), queue);
    run_all(vec![
        Box::pin(async move {
            tx.put(1).await;
            yields(1).await;
            tx.put(2).await;
        }),
        Box::pin(async move {
            assert_eq!(rx.get().await, 1);
            assert_eq!(rx.get().await, 2);
        }),
    ]);
}

fn semaphore() {
    let semaphore = Rc::new(Semaphore::<NoopRawMutex>::new(1));
    let holders = Rc::new(Cell::new(0u32));
    let worker = || {
        let (semaphore, holders) = (semaphore.clone(), holders.clone());
        Box::pin(async move {
            let permit = semaphore.acquire().await;
            holders.set(holders.get() + 1);
            assert_eq!(holders.get(), 1, "more holders than permits");
            yields(1).await;
            holders.set(holders.get() - 1);
            drop(permit);
        }) as std::pin::Pin<Box<dyn Future<Output = ()>>>
    };
    run_all(vec![worker(), worker(), worker()]);
}
