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
/// once, where Python starts a hidden task; dropping it is `deinit()`: the delay stops, and
/// from then on [`trigger`](DelayMs::trigger) returns [`Deinitialised`] (Python raises
/// `RuntimeError`) instead of starting a countdown nothing would ever end.
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
///     delay.trigger().unwrap();
///     Timer::after_millis(50).await;
///     delay.trigger().unwrap(); // retriggered: now due at 150 ms
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

/// [`DelayMs::trigger`] after the delay's [`run`](DelayMs::run) future was dropped
/// (Python's `deinit()`): nothing would ever fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deinitialised;

impl core::fmt::Display for Deinitialised {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DelayMs triggered after its run future was dropped (deinit)")
    }
}

impl core::error::Error for Deinitialised {}

struct State {
    deadline: Option<Instant>,
    /// The `run` future was dropped.
    deinitialised: bool,
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
            state: Mutex::new(RefCell::new(State {
                deadline: None,
                deinitialised: false,
                generation: 0,
                runner: None,
            })),
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

    /// Starts (or restarts) the delay: it fires `duration` from now. `Err` once the
    /// [`run`](Self::run) future has been dropped.
    pub fn trigger(&self) -> Result<(), Deinitialised> {
        self.trigger_for(self.duration)
    }

    /// Starts (or restarts) the delay for `duration` from now (Python's `trigger(ms)`). `Err`
    /// once the [`run`](Self::run) future has been dropped.
    pub fn trigger_for(&self, duration: Duration) -> Result<(), Deinitialised> {
        if self.state.lock(|s| s.borrow().deinitialised) {
            return Err(Deinitialised);
        }
        self.change(Some(Instant::now() + duration));
        Ok(())
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

    /// The delay's timing: spawn or join it once. Calls `on_expiry` at each expiry. It never
    /// completes; dropping it (polled or not) deinitialises the delay.
    pub fn run<'a>(&'a self, on_expiry: impl FnMut() + 'a) -> impl core::future::Future + 'a {
        let deinit_on_drop = DeinitOnDrop(self);
        async move {
            let _deinit_on_drop = deinit_on_drop;
            self.timing(on_expiry).await
        }
    }

    async fn timing(&self, mut on_expiry: impl FnMut()) -> ! {
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
                    let current =
                        s.generation == generation || crate::mutants::on(crate::mutants::Mutant::DelayMsStaleTrigger);
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

/// Deinitialises a [`DelayMs`] when its `run` future is dropped.
struct DeinitOnDrop<'a, M: RawMutex>(&'a DelayMs<M>);

impl<M: RawMutex> Drop for DeinitOnDrop<'_, M> {
    fn drop(&mut self) {
        self.0.state.lock(|s| {
            let mut s = s.borrow_mut();
            s.deinitialised = true;
            s.deadline = None;
            s.runner = None;
        });
    }
}
