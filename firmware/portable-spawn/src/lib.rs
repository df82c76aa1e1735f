//! A spawn seam: firmware that spawns sub-tasks does it through [`Spawn`], so the same code
//! spawns on embassy's `Spawner` on a board and on fwsim's own tasks in a test
//! (`fwsim_embassy::FwsimSpawner`).
//!
//! embassy spawns a task through the token its `#[embassy_executor::task]` function makes
//! (the task lives in a `static` pool); fwsim spawns any future (the task lives in the
//! simulation, so tests may run many). A [`Task`] names both for one sub-task:
//!
//! ```
//! use portable_spawn::{Spawn, Task};
//!
//! /// The work, as a plain `async fn`: what fwsim runs.
//! async fn blink(period_ms: u64) {
//!     let _ = period_ms; // toggle a pin every `period_ms`…
//! }
//!
//! /// The board's task: a thin `#[embassy_executor::task]` around the same work.
//! #[embassy_executor::task]
//! async fn blink_task(period_ms: u64) {
//!     blink(period_ms).await
//! }
//!
//! /// The seam's name for this sub-task.
//! pub struct Blink;
//!
//! impl Task for Blink {
//!     type Args = u64;
//!     const NAME: &'static str = "blink";
//!     fn future(period_ms: u64) -> impl Future<Output = ()> + 'static {
//!         blink(period_ms)
//!     }
//!     fn token(
//!         period_ms: u64,
//!     ) -> Result<embassy_executor::SpawnToken<impl Sized>, embassy_executor::SpawnError> {
//!         blink_task(period_ms)
//!     }
//! }
//!
//! /// Firmware that spawns through the seam runs on either executor.
//! fn start(spawner: &impl Spawn) {
//!     spawner.spawn::<Blink>(250).expect("a blink task");
//! }
//! ```
//!
//! A sub-task spawned from another executor or thread (embassy's `SendSpawner`, say from a task
//! of an interrupt executor) goes through [`SpawnSend`] instead; its [`SendTask`] adds a `Send`
//! token. fwsim's spawner implements both seams.
#![no_std]

use core::future::Future;

use embassy_executor::{SendSpawner, SpawnError, SpawnToken, Spawner};

/// One kind of sub-task, spawnable on either executor.
pub trait Task {
    /// What the task is started with.
    type Args;
    /// Its name (fwsim's task name; embassy ignores it).
    const NAME: &'static str;
    /// The task as a future (fwsim spawns it).
    fn future(args: Self::Args) -> impl Future<Output = ()> + 'static;
    /// The task's spawn token, from its `#[embassy_executor::task]` function (embassy spawns
    /// it; `Err` when the task's pool is full).
    fn token(args: Self::Args) -> Result<SpawnToken<impl Sized>, SpawnError>;
}

/// Something that spawns [`Task`]s.
pub trait Spawn {
    /// Why a spawn failed.
    type Error: core::fmt::Debug;
    /// Spawns task `T` with `args`.
    fn spawn<T: Task>(&self, args: T::Args) -> Result<(), Self::Error>;
}

impl Spawn for Spawner {
    type Error = SpawnError;
    fn spawn<T: Task>(&self, args: T::Args) -> Result<(), SpawnError> {
        Spawner::spawn(self, T::token(args)?);
        Ok(())
    }
}

/// A [`Task`] whose token may cross to another executor or thread: what a [`SendSpawner`]
/// needs. Its `#[embassy_executor::task]` future must be `Send`; the token of such a task
/// function is `Send` already, so `send_token` is usually the same call as `token`.
pub trait SendTask: Task {
    /// The task's spawn token, `Send` (`Err` when the task's pool is full).
    fn send_token(args: Self::Args) -> Result<SpawnToken<impl Sized + Send>, SpawnError>;
}

/// Something that spawns [`SendTask`]s from anywhere: embassy's [`SendSpawner`] (a task of an
/// interrupt executor, or another thread, spawning onto the thread-mode executor), its
/// [`Spawner`], and fwsim's spawner.
///
/// Firmware that holds a `SendSpawner` takes `&impl SpawnSend` and runs on fwsim unchanged.
pub trait SpawnSend {
    /// Why a spawn failed.
    type Error: core::fmt::Debug;
    /// Spawns task `T` with `args`.
    fn spawn_send<T: SendTask>(&self, args: T::Args) -> Result<(), Self::Error>;
}

impl SpawnSend for SendSpawner {
    type Error = SpawnError;
    fn spawn_send<T: SendTask>(&self, args: T::Args) -> Result<(), SpawnError> {
        SendSpawner::spawn(self, T::send_token(args)?);
        Ok(())
    }
}

impl SpawnSend for Spawner {
    type Error = SpawnError;
    fn spawn_send<T: SendTask>(&self, args: T::Args) -> Result<(), SpawnError> {
        Spawn::spawn::<T>(self, args)
    }
}
