//! What a run leaves waiting: each unfinished task and what it waits for, as far as the
//! simulator can tell (the report of a deadlock, or of a run that reached its time limit).

use std::fmt;

use crate::SimTime;

/// What a waiting task is waiting for, as far as the simulator can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitState {
    /// Runnable (queued), not waiting.
    Queued,
    /// Holds a timer that fires at this time.
    Timer(SimTime),
    /// Awaits the join handle of a task that has not finished, and perhaps more.
    Joining {
        /// The task, `name#serial`.
        task: String,
        /// Clones of the waiting task's waker held elsewhere besides the join handle's (a
        /// `select` over the handle and something else): whoever holds them may wake it too.
        others: u32,
    },
    /// Its waker is held elsewhere (`n` clones): whoever holds it may wake it.
    WakerHeld(u32),
    /// Never cloned its waker (`pending().await`): nothing can wake it.
    Parked,
    /// Cloned its waker, then every clone was dropped unwoken.
    Lost,
}

impl fmt::Display for WaitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitState::Queued => write!(f, "runnable"),
            WaitState::Timer(t) => write!(f, "timer at {t}"),
            WaitState::Joining { task, others: 0 } => write!(f, "waiting for {task} to finish"),
            WaitState::Joining { task, others } => {
                write!(f, "waiting for {task} to finish, or for {others} more waker clone(s) held elsewhere")
            }
            WaitState::WakerHeld(n) => write!(f, "waiting, {n} waker clone(s) held elsewhere"),
            WaitState::Parked => write!(f, "parked (never registered a waker)"),
            WaitState::Lost => write!(f, "lost (its waker was dropped)"),
        }
    }
}

/// A task that has not finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskReport {
    /// `name#serial`.
    pub task: String,
    /// What it waits for.
    pub state: WaitState,
}

/// Tasks still waiting when a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitReport {
    /// When.
    pub at: SimTime,
    /// `true` when the run stopped at its time limit with events still scheduled.
    pub reached_limit: bool,
    /// Every unfinished task, in spawn order.
    pub waiting: Vec<TaskReport>,
}

impl WaitReport {
    /// The waiting tasks in words, without the time: `2 task(s) waiting:` and a line for each
    /// (`\n  main#0: waiting for consumer#1 to finish`), or `no task waiting`.
    pub(crate) fn tasks_waiting(&self) -> String {
        if self.waiting.is_empty() {
            return "no task waiting".to_owned();
        }
        let mut text = format!("{} task(s) waiting:", self.waiting.len());
        for t in &self.waiting {
            text.push_str(&format!("\n  {}: {}", t.task, t.state));
        }
        text
    }
}

impl fmt::Display for WaitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}", self.at)?;
        if self.reached_limit {
            write!(f, " (time limit reached)")?;
        }
        let joint = if self.waiting.is_empty() { ": " } else { ", " };
        write!(f, "{joint}{}", self.tasks_waiting())
    }
}
