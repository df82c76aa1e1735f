//! The benchmark workloads, shared by the criterion bench (`benches/executors.rs`) and the
//! interleaved ratio runner (`benches/ratios.rs`). See BENCHMARKS.md.
//!
//! Every workload exists once per peer: fwsim, tokio current-thread with a paused clock, and a
//! naive `VecDeque` + `BinaryHeap` executor ("simple but sane"), plus the floor: one future
//! waking itself in a bare poll loop. Every peer runs the common primitive
//! (`embassy_sync::signal::Signal<NoopRawMutex, _>`); W1 also runs each peer's native one
//! (`w1_native_*`).

pub mod cpu;

use std::cell::{Cell, RefCell};
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use embassy_sync::blocking_mutex::raw::{NoopRawMutex, RawMutex};
use embassy_sync::signal::Signal;

/// W1 round trips.
pub const ROUND_TRIPS: u32 = 1_000_000;
/// W3 spawns.
pub const SPAWNS: u32 = 1_000_000;
/// W2 sleepers.
pub const SLEEPERS: u64 = 1_000;
/// W2 virtual seconds.
pub const VIRTUAL_SECS: u64 = 60;

fn period_ms(i: u64) -> u64 {
    1 + (i.wrapping_mul(2_654_435_761) % 100)
}

/// Each sleeper expires this many times: every expiration within the 60 s of virtual time.
fn rounds(i: u64) -> u64 {
    VIRTUAL_SECS * 1000 / period_ms(i)
}

// ---- the naive executor ----------------------------------------------------------------------

struct NaiveWaker {
    id: usize,
    queue: Arc<Mutex<VecDeque<usize>>>,
}
impl Wake for NaiveWaker {
    fn wake(self: Arc<Self>) {
        self.queue.lock().unwrap().push_back(self.id);
    }
}

thread_local! {
    static NAIVE_NOW: Cell<u64> = const { Cell::new(0) };
    static NAIVE_TIMERS: RefCell<BinaryHeap<std::cmp::Reverse<(u64, u64, usize)>>> = const { RefCell::new(BinaryHeap::new()) };
    static NAIVE_CURRENT: Cell<usize> = const { Cell::new(0) };
}

struct NaiveSleep(u64, bool);
impl Future for NaiveSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.1 {
            return Poll::Ready(());
        }
        self.1 = true;
        let at = self.0;
        NAIVE_TIMERS.with(|t| {
            let seq = t.borrow().len() as u64;
            t.borrow_mut().push(std::cmp::Reverse((at, seq, NAIVE_CURRENT.get())))
        });
        Poll::Pending
    }
}

#[derive(Default)]
struct Naive {
    tasks: Vec<Option<Pin<Box<dyn Future<Output = ()>>>>>,
    wakers: Vec<Waker>,
    queue: Arc<Mutex<VecDeque<usize>>>,
}

impl Naive {
    fn spawn(&mut self, f: impl Future<Output = ()> + 'static) {
        let id = self.tasks.len();
        self.tasks.push(Some(Box::pin(f)));
        self.wakers.push(Waker::from(Arc::new(NaiveWaker { id, queue: self.queue.clone() })));
        self.queue.lock().unwrap().push_back(id);
    }
    fn run(&mut self, until: u64) -> u64 {
        let mut polls = 0;
        loop {
            let next = self.queue.lock().unwrap().pop_front();
            if let Some(id) = next {
                if let Some(task) = &mut self.tasks[id] {
                    NAIVE_CURRENT.set(id);
                    polls += 1;
                    if task.as_mut().poll(&mut Context::from_waker(&self.wakers[id])).is_ready() {
                        self.tasks[id] = None;
                    }
                }
                continue;
            }
            let due = NAIVE_TIMERS.with(|t| t.borrow_mut().pop());
            match due {
                Some(std::cmp::Reverse((at, _, id))) if at <= until => {
                    NAIVE_NOW.set(at);
                    self.queue.lock().unwrap().push_back(id);
                }
                _ => return polls,
            }
        }
    }
}

// ---- workloads ---------------------------------------------------------------------------------

async fn ping<M: RawMutex>(a: Rc<Signal<M, u32>>, b: Rc<Signal<M, u32>>) {
    for i in 0..ROUND_TRIPS {
        a.signal(i);
        b.wait().await;
    }
}

async fn pong<M: RawMutex>(a: Rc<Signal<M, u32>>, b: Rc<Signal<M, u32>>) {
    for _ in 0..ROUND_TRIPS {
        let v = a.wait().await;
        b.signal(v);
    }
}

fn sim_config(trace: bool) -> fwsim::SimConfig {
    let c = fwsim::SimConfig::new().same_instant_poll_limit(u64::MAX).watchdog(None);
    if trace { c } else { c.no_trace() }
}

/// W1 on fwsim, tracing on or off.
pub fn w1_fwsim(trace: bool) {
    let (a, b) = (Rc::new(Signal::<NoopRawMutex, u32>::new()), Rc::new(Signal::new()));
    let sim = fwsim::Sim::with_config(sim_config(trace));
    sim.spawn("pong", pong(a.clone(), b.clone()));
    sim.block_on(ping(a, b)).unwrap();
}

/// W1 on tokio.
pub fn w1_tokio() {
    let rt = tokio::runtime::Builder::new_current_thread().start_paused(true).enable_time().build().unwrap();
    let local = tokio::task::LocalSet::new();
    let (a, b) = (Rc::new(Signal::<NoopRawMutex, u32>::new()), Rc::new(Signal::new()));
    local.spawn_local(pong(a.clone(), b.clone()));
    local.block_on(&rt, ping(a, b));
}

/// W1 on the naive executor.
pub fn w1_naive() {
    let (a, b) = (Rc::new(Signal::<NoopRawMutex, u32>::new()), Rc::new(Signal::new()));
    let mut ex = Naive::default();
    ex.spawn(pong(a.clone(), b.clone()));
    ex.spawn(ping(a, b));
    ex.run(0);
}

// ---- W1 on each peer's native primitive ---------------------------------------------------------

/// W1 on fwsim with what board firmware uses: `Signal<CriticalSectionRawMutex, _>`, whose every
/// access takes fwsim's critical section.
pub fn w1_native_fwsim() {
    use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
    let (a, b) = (Rc::new(Signal::<CriticalSectionRawMutex, u32>::new()), Rc::new(Signal::new()));
    let sim = fwsim::Sim::with_config(sim_config(false));
    sim.spawn("pong", pong(a.clone(), b.clone()));
    sim.block_on(ping(a, b)).unwrap();
}

/// W1 on tokio with `tokio::sync::Notify`.
pub fn w1_native_tokio() {
    use tokio::sync::Notify;
    let rt = tokio::runtime::Builder::new_current_thread().start_paused(true).enable_time().build().unwrap();
    let local = tokio::task::LocalSet::new();
    let (a, b) = (Rc::new(Notify::new()), Rc::new(Notify::new()));
    let (a2, b2) = (a.clone(), b.clone());
    local.spawn_local(async move {
        for _ in 0..ROUND_TRIPS {
            a2.notified().await;
            b2.notify_one();
        }
    });
    local.block_on(&rt, async move {
        for _ in 0..ROUND_TRIPS {
            a.notify_one();
            b.notified().await;
        }
    });
}

/// The naive executor's own primitive: a flag and one waker slot.
#[derive(Default)]
struct NaiveFlag {
    set: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl NaiveFlag {
    fn set(&self) {
        self.set.set(true);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }
    fn wait(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            if self.set.replace(false) {
                Poll::Ready(())
            } else {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }
}

/// W1 on the naive executor with its own flag.
pub fn w1_native_naive() {
    let (a, b) = (Rc::new(NaiveFlag::default()), Rc::new(NaiveFlag::default()));
    let mut ex = Naive::default();
    let (a2, b2) = (a.clone(), b.clone());
    ex.spawn(async move {
        for _ in 0..ROUND_TRIPS {
            a2.wait().await;
            b2.set();
        }
    });
    ex.spawn(async move {
        for _ in 0..ROUND_TRIPS {
            a.set();
            b.wait().await;
        }
    });
    ex.run(0);
}

/// The floor: a bare poll + wake loop, as many polls as W1.
pub fn floor() {
    struct SelfWake(u32);
    impl Future for SelfWake {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 == 0 {
                return Poll::Ready(());
            }
            self.0 -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
    let woken = Arc::new(Mutex::new(VecDeque::new()));
    let waker = Waker::from(Arc::new(NaiveWaker { id: 0, queue: woken.clone() }));
    let mut f = std::pin::pin!(SelfWake(2 * ROUND_TRIPS));
    let mut cx = Context::from_waker(&waker);
    while f.as_mut().poll(&mut cx).is_pending() {
        woken.lock().unwrap().pop_front();
    }
}

/// W2 on fwsim; returns the expirations.
pub fn w2_fwsim() -> u64 {
    let expirations = Rc::new(Cell::new(0u64));
    let sim = fwsim::Sim::with_config(sim_config(false));
    for i in 0..SLEEPERS {
        let n = expirations.clone();
        sim.spawn("sleeper", async move {
            for _ in 0..rounds(i) {
                embassy_time::Timer::after(embassy_time::Duration::from_millis(period_ms(i))).await;
                n.set(n.get() + 1);
            }
        });
    }
    let report = sim.run_until_quiescent(fwsim::secs(VIRTUAL_SECS + 1)).unwrap();
    assert!(report.waiting.is_empty());
    expirations.get()
}

/// W2 on tokio; returns the expirations.
pub fn w2_tokio() -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread().start_paused(true).enable_time().build().unwrap();
    let local = tokio::task::LocalSet::new();
    let expirations = Rc::new(Cell::new(0u64));
    for i in 0..SLEEPERS {
        let n = expirations.clone();
        local.spawn_local(async move {
            for _ in 0..rounds(i) {
                tokio::time::sleep(Duration::from_millis(period_ms(i))).await;
                n.set(n.get() + 1);
            }
        });
    }
    local.block_on(&rt, async { tokio::time::sleep(Duration::from_millis(VIRTUAL_SECS * 1000 + 500)).await });
    expirations.get()
}

/// W2 on the naive executor; returns the expirations.
pub fn w2_naive() -> u64 {
    NAIVE_NOW.set(0);
    NAIVE_TIMERS.with(|t| t.borrow_mut().clear());
    let expirations = Rc::new(Cell::new(0u64));
    let mut ex = Naive::default();
    for i in 0..SLEEPERS {
        let n = expirations.clone();
        ex.spawn(async move {
            for _ in 0..rounds(i) {
                NaiveSleep(NAIVE_NOW.get() + period_ms(i) * 1_000_000, false).await;
                n.set(n.get() + 1);
            }
        });
    }
    ex.run(u64::MAX);
    expirations.get()
}

/// W3 on fwsim.
pub fn w3_fwsim() {
    let done = Rc::new(Cell::new(0u32));
    let sim = fwsim::Sim::with_config(sim_config(false));
    for _ in 0..SPAWNS {
        let d = done.clone();
        drop(sim.spawn("t", async move { d.set(d.get() + 1) }));
    }
    sim.run_until_stalled().unwrap();
    assert_eq!(done.get(), SPAWNS);
}

/// W3 on tokio.
pub fn w3_tokio() {
    let rt = tokio::runtime::Builder::new_current_thread().start_paused(true).enable_time().build().unwrap();
    let local = tokio::task::LocalSet::new();
    let done = Rc::new(Cell::new(0u32));
    for _ in 0..SPAWNS {
        let d = done.clone();
        local.spawn_local(async move { d.set(d.get() + 1) });
    }
    local.block_on(&rt, tokio::task::yield_now());
    local.block_on(&rt, async {
        while done.get() < SPAWNS {
            tokio::task::yield_now().await
        }
    });
}

/// W3 on the naive executor.
pub fn w3_naive() {
    let done = Rc::new(Cell::new(0u32));
    let mut ex = Naive::default();
    for _ in 0..SPAWNS {
        let d = done.clone();
        ex.spawn(async move { d.set(d.get() + 1) });
    }
    ex.run(0);
    assert_eq!(done.get(), SPAWNS);
}
