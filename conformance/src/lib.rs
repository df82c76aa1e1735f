//! Differential conformance: the same scheduler programs on fwsim and on the real thing.
//!
//! fwsim claims that its `MicroPython` policy schedules exactly like MicroPython's asyncio.
//! This crate checks the claim by construction: a [`Program`](program::Program) (tasks that
//! spawn, sleep, yield, wait on and set events, hold locks, cancel and await each other, and
//! log marks) runs on fwsim ([`fwsim_backend`]) and, rendered as a Python script, on the real
//! `micropython` interpreter in virtual time ([`micropython`]); the marks, with their virtual
//! times, must be identical. The same programs (an embassy subset) run under fwsim's
//! `Embassy` policy and on the real embassy-executor ([`embassy_oracle`]). [`strategy`]
//! generates random programs for property tests.
//! See `CONFORMANCE.md` at the repository root.

pub mod differential;
pub mod embassy_oracle;
pub mod fwsim_backend;
pub mod micropython;
pub mod strategy;

/// The program language (the `fwsim-programs` crate, shared with the oracles).
pub use fwsim_programs as program;
