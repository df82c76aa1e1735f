//! fwsim's timer queues against the real `embassy_time_queue_utils` queues, on random operation
//! sequences: the same `schedule_wake` answers, the same wakes in the same order, the same next
//! alarm. This is what lets the `Embassy` policy claim embassy's timer semantics (one slot per
//! task, earliest deadline, update in place, spurious wake of dropped timers, expiry in
//! descending insertion order; and the generic queue's eviction of the newest timer).

use std::sync::{Arc, Mutex};
use std::task::{Wake, Waker};

use embassy_executor_timer_queue::TimerQueueItem;
use embassy_time_queue_utils::queue_generic::ConstGenericQueue;
use embassy_time_queue_utils::queue_integrated::Queue as RealIntegrated;
use fwsim::timerq::{GenericTimerQueue, IntegratedTimerQueue};
use proptest::prelude::*;

// The integrated queue normally asks embassy-executor for a waker's item; these tests pass items
// explicitly (`schedule_wake_queue_item`), so the lookup must never be called.
#[unsafe(no_mangle)]
fn __embassy_time_queue_item_from_waker(_: &Waker) -> &'static mut TimerQueueItem {
    unreachable!("the tests pass queue items explicitly")
}

const TASKS: usize = 6;

struct Recorder {
    task: usize,
    log: Arc<Mutex<Vec<usize>>>,
}

impl Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.log.lock().unwrap().push(self.task);
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// Task `task` asks to be woken at `now + delta` (or never).
    Schedule { task: usize, delta: Option<u64> },
    /// The clock advances by `step`, and the alarm fires.
    Expire { step: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..TASKS, prop::option::weighted(0.95, 0u64..40)).prop_map(|(task, delta)| Op::Schedule { task, delta }),
        1 => (0u64..15).prop_map(|step| Op::Expire { step }),
    ]
}

fn drain(log: &Arc<Mutex<Vec<usize>>>) -> Vec<usize> {
    std::mem::take(&mut *log.lock().unwrap())
}

fn wakers(log: &Arc<Mutex<Vec<usize>>>) -> Vec<Waker> {
    (0..TASKS).map(|task| Waker::from(Arc::new(Recorder { task, log: log.clone() }))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn integrated_queue_matches_embassy(ops in prop::collection::vec(op(), 1..80)) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let wakers = wakers(&log);
        let mut items: Vec<Box<TimerQueueItem>> = (0..TASKS).map(|_| Box::new(TimerQueueItem::new())).collect();
        let mut real = RealIntegrated::new();
        let mut model = IntegratedTimerQueue::new();
        let (mut now, mut seq) = (0u64, 0u64);
        for (i, op) in ops.iter().enumerate() {
            match *op {
                Op::Schedule { task, delta } => {
                    let at = delta.map_or(u64::MAX, |d| now + d);
                    seq += 1;
                    let r = real.schedule_wake_queue_item(at, &mut items[task], &wakers[task]);
                    let m = model.schedule_wake(task as u32, at, seq);
                    prop_assert_eq!(r, m, "op {}: schedule_wake({}, {}) answers differ", i, task, at);
                }
                Op::Expire { step } => {
                    now += step;
                    let r_next = real.next_expiration(now);
                    let r_woken = drain(&log);
                    let mut expired = Vec::new();
                    let m_next = model.next_expiration(now, &mut expired);
                    let m_woken: Vec<usize> = expired.iter().map(|e| e.slot as usize).collect();
                    prop_assert_eq!(&r_woken, &m_woken, "op {}: wakes at {} differ", i, now);
                    prop_assert_eq!(r_next, m_next, "op {}: next alarm differs", i);
                }
            }
        }
    }

    #[test]
    fn generic_queue_matches_embassy(ops in prop::collection::vec(op(), 1..80)) {
        const N: usize = 3;
        let log = Arc::new(Mutex::new(Vec::new()));
        let wakers = wakers(&log);
        let mut real = ConstGenericQueue::<N>::new();
        let mut model = GenericTimerQueue::new(N);
        let mut now = 0u64;
        for (i, op) in ops.iter().enumerate() {
            match *op {
                Op::Schedule { task, delta } => {
                    let at = delta.map_or(u64::MAX, |d| now + d);
                    let r = real.schedule_wake(at, &wakers[task]);
                    let r_woken = drain(&log);
                    let mut evicted = Vec::new();
                    let m = model.schedule_wake(at, &wakers[task], &mut evicted);
                    evicted.into_iter().for_each(Waker::wake);
                    let m_woken = drain(&log);
                    prop_assert_eq!(r, m, "op {}: schedule_wake answers differ", i);
                    prop_assert_eq!(r_woken, m_woken, "op {}: overflow evictions differ", i);
                }
                Op::Expire { step } => {
                    now += step;
                    let r_next = real.next_expiration(now);
                    let r_woken = drain(&log);
                    let mut expired = Vec::new();
                    let m_next = model.next_expiration(now, &mut expired);
                    expired.into_iter().for_each(Waker::wake);
                    let m_woken = drain(&log);
                    prop_assert_eq!(r_woken, m_woken, "op {}: wakes at {} differ", i, now);
                    prop_assert_eq!(r_next, m_next, "op {}: next alarm differs", i);
                }
            }
        }
    }
}
