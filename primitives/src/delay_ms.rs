//! [`DelayMs`]: the toolkit's retriggerable monostable (`Delay_ms`), a software watchdog.

use core::cell::RefCell;
use core::future::poll_fn;
use core::task::{Poll, Waker};

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, Instant, Timer};

use crate::Event;

/// A timer that fires once `duration` after the last [`trigger`](DelayMs::trigger), unless
/// [`stop`](DelayMs::stop)ped first.
///
/// Each trigger sets an absolute deadline, so a later trigger may lengthen *or shorten* it.
/// On expiry, in this order: the [`wait`](DelayMs::wait) event is set,
/// [`running`](DelayMs::running) turns false, and the callback given to
/// [`run`](DelayMs::run) is called. `trigger` is safe from an interrupt handler with a
/// `CriticalSectionRawMutex`.
///
/// The timing lives in [`run`](DelayMs::run), a future that the firmware spawns (or joins)
/// once, where Python starts a hidden task; dropping it is `deinit()`.
///
/// **Fixed: trigger then stop in one step.** In the Python version `stop()` leaves the
/// trigger pending, so `trigger(); stop()` before the timer task runs still fires later (and
/// in the read-with-timeout pattern cancels the caller after a good read; PRIMITIVES.md §5.2
/// L1). Here `stop` wins: state changes are counted, and the runner acts on the latest.
///
/// ```
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// use embassy_time::{Duration, Instant, Timer};
/// use fwsim_primitives::DelayMs;
/// use std::cell::Cell;
///
/// # fwsim::test(|sim| {
/// let fired_at = &*sim.alloc(Cell::new(0));
/// let delay = &*sim.alloc(DelayMs::<NoopRawMutex>::new(Duration::from_millis(100)));
/// sim.spawn("delay", delay.run(move || fired_at.set(Instant::now().as_millis())));
/// sim.spawn("user", async move {
///     delay.trigger();
///     Timer::after_millis(50).await;
///     delay.trigger(); // retriggered: now due at 150 ms
/// });
/// sim.run_for(fwsim::secs(1)).unwrap();
/// assert_eq!(fired_at.get(), 150);
/// # });
/// ```
pub struct DelayMs<M: RawMutex> {
    duration: Duration,
    state: Mutex<M, RefCell<State>>,
    expired: Event<M>,
}

struct State {
    deadline: Option<Instant>,
    /// Bumped by every trigger and stop: the runner's timer is for one generation.
    generation: u32,
    runner: Option<Waker>,
}

impl<M: RawMutex> DelayMs<M> {
    /// A stopped delay whose [`trigger`](Self::trigger) lasts `duration` (Python's default:
    /// 1000 ms).
    pub const fn new(duration: Duration) -> Self {
        DelayMs {
            duration,
            state: Mutex::new(RefCell::new(State { deadline: None, generation: 0, runner: None })),
            expired: Event::new(),
        }
    }

    fn change(&self, deadline: Option<Instant>) {
        let runner = self.state.lock(|s| {
            let mut s = s.borrow_mut();
            s.deadline = deadline;
            s.generation = s.generation.wrapping_add(1);
            s.runner.take()
        });
        if let Some(w) = runner {
            w.wake();
        }
    }

    /// Starts (or restarts) the delay: it fires `duration` from now.
    pub fn trigger(&self) {
        self.trigger_for(self.duration);
    }

    /// Starts (or restarts) the delay for `duration` from now (Python's `trigger(ms)`).
    pub fn trigger_for(&self, duration: Duration) {
        self.change(Some(Instant::now() + duration));
    }

    /// Stops the delay without firing and clears the event.
    pub fn stop(&self) {
        self.change(None);
        self.expired.clear();
    }

    /// Whether it is counting down (Python's `running()` / `__call__`).
    pub fn running(&self) -> bool {
        self.state.lock(|s| s.borrow().deadline.is_some())
    }

    /// The deadline, while running.
    pub fn deadline(&self) -> Option<Instant> {
        self.state.lock(|s| s.borrow().deadline)
    }

    /// Waits until the delay has expired (the event stays set until [`clear`](Self::clear),
    /// [`stop`](Self::stop) or the next expiry's reader clears it).
    pub async fn wait(&self) {
        self.expired.wait().await
    }

    /// Clears the expiry event.
    pub fn clear(&self) {
        self.expired.clear();
    }

    /// Sets the expiry event by hand (Python's `set()`).
    pub fn set(&self) {
        self.expired.set();
    }

    /// The delay's timing: spawn or join it once. Calls `on_expiry` at each expiry.
    pub async fn run(&self, mut on_expiry: impl FnMut()) -> ! {
        loop {
            // Wait to be triggered.
            let (deadline, generation) = poll_fn(|cx| {
                self.state.lock(|s| {
                    let mut s = s.borrow_mut();
                    match s.deadline {
                        Some(d) => Poll::Ready((d, s.generation)),
                        None => {
                            s.runner = Some(cx.waker().clone());
                            Poll::Pending
                        }
                    }
                })
            })
            .await;
            // Wait for the deadline, unless the state changes first.
            let changed = poll_fn(|cx| {
                self.state.lock(|s| {
                    let mut s = s.borrow_mut();
                    if s.generation != generation {
                        return Poll::Ready(());
                    }
                    s.runner = Some(cx.waker().clone());
                    Poll::Pending
                })
            });
            if let Either::First(()) = select(Timer::at(deadline), changed).await {
                let fire = self.state.lock(|s| {
                    let mut s = s.borrow_mut();
                    let current = s.generation == generation;
                    if current {
                        s.deadline = None;
                    }
                    current
                });
                if fire {
                    self.expired.set();
                    on_expiry();
                }
            }
        }
    }
}
