//! The asyncio toolkit's synchronisation primitives, for `no_std` Rust with no allocator.
//!
//! MicroPython firmware leans on a small set of primitives — asyncio's own `Event`, `Lock`,
//! `ThreadSafeFlag`, `wait_for` and `gather`, and the toolkit's `Barrier`, `Semaphore`,
//! queues and `Delay_ms`. This crate ports their *observed* behaviour (waiter order, hand-off,
//! tie rules) so a port of such firmware behaves the same, and says where it deliberately
//! differs.
//!
//! # One crate, two worlds
//!
//! Nothing here knows about an executor. Waiting is done with wakers, time with
//! `embassy-time`, and every primitive is generic over an embassy-sync
//! [`RawMutex`](embassy_sync::blocking_mutex::raw::RawMutex):
//!
//! * `NoopRawMutex` — tasks only (the cheapest);
//! * `CriticalSectionRawMutex` — interrupt handlers may call it too;
//! * `fwsim::IsrCheckedRawMutex` — in simulation, a task-only primitive that reports
//!   `IsrMisuse` if an interrupt handler touches it.
//!
//! The same code therefore runs on a board under embassy-executor and on a laptop under
//! fwsim, where its timing is exact and its races reproducible.
//!
//! # Waiting without allocation
//!
//! Waiters are intrusive: each waiting future carries its own list node, linked into its
//! primitive while it waits and unlinked when it is dropped. There is no capacity to choose
//! and nothing to leak when a waiter is cancelled by a timeout or a `select`. Queues hold
//! their items in const-generic buffers.
//!
//! # Order
//!
//! "FIFO" in these docs is the order of *wake calls*: `Event::set` wakes its waiters in the
//! order they began to wait. The order in which woken tasks then *run* is the executor's:
//! the same under MicroPython's asyncio, reversed within a batch under embassy-executor.
#![no_std]
#![warn(missing_docs)]

mod barrier;
mod broker;
mod condition;
mod delay_ms;
mod elo;
mod event;
mod flag;
mod gather;
mod lock;
mod message;
#[cfg(feature = "mutants")]
pub mod mutants;
#[cfg(not(feature = "mutants"))]
mod mutants;
mod queue;
mod ringbuf;
mod semaphore;
mod time;
mod wait_any;
mod waitq;

#[cfg(test)]
mod unsafe_tests;

pub use barrier::{Barrier, BarrierResult, BarrierWait};
pub use broker::{Agent, Broker, BrokerFull, Delivery, Mailbox, Subscriber, Topic};
pub use condition::Condition;
pub use delay_ms::{Deinitialised, DelayMs};
pub use elo::{Cancelled, Elo};
pub use event::{Event, EventWait};
pub use flag::ThreadSafeFlag;
pub use gather::{Gather, GatherAll, gather, gather_all};
pub use lock::{Acquire, Lock, LockGuard};
pub use message::{Message, ThreadSafeEvent, ThreadSafeQueue};
pub use queue::{Get, Join, Put, Queue, QueueEmpty, QueueFull, TaskDoneUnderflow};
pub use ringbuf::{Overwritten, RingbufQueue};
pub use semaphore::{OverRelease, Permit, Semaphore, SemaphoreAcquire};
pub use time::{TimeoutError, WaitFor, wait_for, wait_for_ms};
pub use wait_any::{wait_all, wait_any};
