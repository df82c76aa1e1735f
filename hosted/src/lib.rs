//! # fwsim-embassy — embassy firmware, unmodified, in virtual time
//!
//! Firmware written the usual embassy way — `#[embassy_executor::task]` functions, a
//! `Spawner`, `static` channels and cells — runs here on the **real** embassy-executor: a
//! `raw::Executor` polled by one fwsim task ([`spawn_executor`]). Its tasks use fwsim's
//! embassy-time driver and critical section, so their timers run in virtual time, interrupts
//! scheduled on the simulation wake them, and the trace shows the hosting task's polls.
//!
//! ```text
//! fwsim::scope(SimConfig::new(), |sim| {
//!     sim.enter(|| fwsim_embassy::spawn_executor("firmware", |spawner| {
//!         spawner.spawn(my_app::blinker().unwrap());
//!     }));
//!     sim.run_for(fwsim::secs(10)).unwrap();
//! });
//! ```
//!
//! ## One simulation per process, where statics demand it
//!
//! `#[embassy_executor::task]` keeps each task in a `static` pool whose slot is taken until the
//! task *returns*; firmware tasks usually loop for ever, and firmware keeps its channels in
//! `static`s. So a process can host such firmware in one simulation: put each test that hosts
//! it in a test binary of its own (a file under `tests/` with one `#[test]`). The executor
//! itself is leaked (it must be `'static`, as on a board).
//!
//! This crate defines embassy-executor's `__pender`: link no other executor platform (no
//! `platform-*` feature of embassy-executor) into a binary that uses it.

use std::future::poll_fn;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Poll, Waker};

use embassy_executor::{Spawner, raw};

/// fwsim's side of the [`portable_spawn`] seam: spawns each [`Task`](portable_spawn::Task) as
/// a fwsim task (named after it) on the current simulation — no static pool, so a process may
/// run many simulations of firmware that spawns through the seam.
#[derive(Clone, Copy, Debug, Default)]
pub struct FwsimSpawner;

impl portable_spawn::Spawn for FwsimSpawner {
    type Error = std::convert::Infallible;
    fn spawn<T: portable_spawn::Task>(&self, args: T::Args) -> Result<(), Self::Error> {
        fwsim::spawn(T::NAME, T::future(args));
        Ok(())
    }
}

impl portable_spawn::SpawnSend for FwsimSpawner {
    type Error = std::convert::Infallible;
    fn spawn_send<T: portable_spawn::SendTask>(&self, args: T::Args) -> Result<(), Self::Error> {
        portable_spawn::Spawn::spawn::<T>(self, args)
    }
}

/// What the executor's pender signals: that it has work, and whom to wake for it.
struct Pender {
    pended: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

#[unsafe(export_name = "__pender")]
fn pender(context: *mut ()) {
    // SAFETY: every executor of this crate is created with a pointer to its leaked `Pender`
    // as its context (`spawn_executor`), which lives for the rest of the process.
    let pender = unsafe { &*(context as *const Pender) };
    pender.pended.store(true, Ordering::Release);
    if let Some(waker) = pender.waker.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        waker.wake_by_ref();
    }
}

/// Creates an embassy executor, lets `init` spawn the firmware's tasks on it, and hosts it in
/// a fwsim task named `name` on the current simulation. The task polls the executor whenever
/// the executor's pender fires (a task woken, a timer due) and never finishes.
pub fn spawn_executor(name: &'static str, init: impl FnOnce(Spawner)) -> fwsim::JoinHandle<()> {
    let pender: &'static Pender =
        Box::leak(Box::new(Pender { pended: AtomicBool::new(true), waker: Mutex::new(None) }));
    let executor: &'static raw::Executor = Box::leak(Box::new(raw::Executor::new(pender as *const Pender as *mut ())));
    init(executor.spawner());
    fwsim::spawn(name, async move {
        poll_fn(|cx| {
            *pender.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
            while pender.pended.swap(false, Ordering::AcqRel) {
                // SAFETY: this executor is polled only here, from its one hosting task, never
                // re-entered (a poll does not poll this task again).
                fwsim::hosting(|| unsafe { executor.poll() });
            }
            Poll::<()>::Pending
        })
        .await
    })
}
