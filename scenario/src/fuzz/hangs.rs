//! Executions whose firmware never gives the CPU back: a poll that runs past the plan's hang
//! limit in wall time ([`fwsim::long_polls`]). Its thread cannot be stopped, so the campaign
//! gives the execution up: a report with the task and its virtual time, a new worker in its
//! place when the campaign goes on after failures, and at the end the observer, which ends
//! the process ([`Observer::gave_up`](super::Observer::gave_up)).
//!
//! The limit decides only when to stop waiting; nothing a simulation computes reads it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::thread::ThreadId;
use std::time::Duration;

use super::Unit;
use super::workers::Shared;
use crate::report::Report;

/// An execution given up while stuck in one poll.
#[derive(Debug)]
pub struct HungExecution {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Which run of the campaign it was.
    pub stage: Stage,
    /// Its failed report: the task, since when, for how long (and `report.json` in the
    /// unit's directory).
    pub report: Report,
}

/// Which of a campaign's runs hung.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// The scenario's run in its own order, which gives PCT its horizon.
    Horizon,
    /// An explored execution: the unit, and the execution in it (from 1).
    Execution(u64, u64),
    /// A run of the shrinker, on unit `.0`'s failure, which is recorded unshrunk.
    Shrinking(u64),
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::Horizon => write!(f, "its run in its own order, for PCT's horizon"),
            Stage::Execution(unit, execution) => write!(f, "unit {unit}, execution {execution}"),
            Stage::Shrinking(unit) => write!(f, "shrinking unit {unit}'s failure, recorded unshrunk"),
        }
    }
}

/// The executions under way: the worker thread, its unit and its execution.
#[derive(Default)]
pub(super) struct Running(std::sync::Mutex<Vec<(ThreadId, Unit, u64)>>);

impl Running {
    /// The calling thread runs execution `execution` of `unit` from now on (`None`: nothing).
    pub(super) fn set(&self, now: Option<(Unit, u64)>) {
        let me = std::thread::current().id();
        let mut running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        running.retain(|&(t, _, _)| t != me);
        if let Some((unit, execution)) = now {
            running.push((me, unit, execution));
        }
    }

    /// Takes `thread`'s execution off the list: given up.
    fn take(&self, thread: ThreadId) -> Option<(Unit, u64)> {
        let mut running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let i = running.iter().position(|&(t, _, _)| t == thread)?;
        let (_, unit, execution) = running.swap_remove(i);
        Some((unit, execution))
    }
}

/// Counts a worker as live while it exists, panics included, and says when it ends.
pub(super) struct Live<'a>(pub(super) &'a AtomicUsize, pub(super) Sender<()>);

impl Drop for Live<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
        let _ = self.1.send(());
    }
}

/// Waits until every worker has ended or, under `limit`, is stuck (`ended` hears each end);
/// gives stuck executions up and, when the campaign goes on after failures, starts a worker
/// in each one's place with `replace`. Returns how many it gave up.
pub(super) fn watch(shared: &Shared<'_>, limit: Option<Duration>, ended: &Receiver<()>, replace: &dyn Fn()) -> usize {
    let mut stuck = 0;
    while shared.live_workers.load(Ordering::Acquire) > stuck {
        let Some(limit) = limit else {
            let _ = ended.recv();
            continue;
        };
        // An ending worker wakes the wait at once.
        let _ = ended.recv_timeout(fwsim::hang_look_interval(limit));
        for poll in fwsim::long_polls(limit) {
            let Some((unit, execution)) = shared.running.take(poll.thread) else { continue };
            let scenario = &shared.scenarios[unit.scenario].0;
            let dir = shared.unit_dir(unit);
            let report = crate::hung(scenario, &poll, Some(&dir));
            let stage = Stage::Execution(unit.number, execution);
            let hung = HungExecution { scenario: scenario.path.clone(), stage, report };
            shared.hung.lock().unwrap_or_else(|p| p.into_inner()).push(hung);
            shared.executions.fetch_add(1, Ordering::Relaxed);
            shared.observer.executed(1);
            stuck += 1;
            if shared.plan.keep_going {
                replace();
            } else {
                shared.stop.store(true, Ordering::Relaxed);
            }
        }
    }
    stuck
}
