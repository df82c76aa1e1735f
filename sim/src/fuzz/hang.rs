//! A campaign under its hang limit ([`Fuzz::hang_limit`], see
//! [`hang_watch`](crate::hang_watch)): where the campaign is, so that a hang's report says
//! which execution hung, in which task, and how to get there again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Fuzz, ReplayFile};
use crate::sim::Sim;
use crate::testing::artifacts_root;
use crate::watchdog::LongPoll;

/// Where the campaign is, for a report of a hang: the execution under way (0 while
/// replaying a file), and the failure being shrunk, if one is.
#[derive(Default)]
pub(super) struct Whereabouts {
    execution: AtomicU64,
    shrinking: Mutex<Option<ReplayFile>>,
}

impl Whereabouts {
    /// Execution `n` (from 1) starts.
    #[inline]
    pub(super) fn executing(&self, n: u64) {
        self.execution.store(n, Ordering::Relaxed);
    }

    /// The failure in `file` (its schedule as found) is being shrunk and recorded.
    pub(super) fn shrinking(&self, file: ReplayFile) {
        *self.shrinking.lock().unwrap_or_else(|p| p.into_inner()) = Some(file);
    }

    fn is_shrinking(&self) -> bool {
        self.shrinking.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }
}

/// Runs `f` (which runs `body`) on a thread of its own under the campaign's hang limit (see
/// [`hang_watch`](crate::hang_watch)); a hang ends the process with where the campaign was.
pub(super) fn on_main_thread<R: Send, F>(fuzz: &Fuzz, at: &Whereabouts, body: &F, f: impl FnOnce() -> R + Send) -> R
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    std::thread::scope(|s| {
        crate::hang_watch::run_watched(s, fuzz.hang_limit, f).unwrap_or_else(|poll| {
            let poll = named(s, fuzz, at, body, poll);
            crate::hang_watch::end_process(&account(fuzz, at, &poll))
        })
    })
}

/// `poll`, the hung poll of a campaign's execution, with its task's name. The campaign's
/// executions are untraced and keep no names, so the campaign runs again to that execution on
/// a thread of its own, traced (a traced run names its polls to the watchdog), until one of
/// its polls runs long: the same execution's poll of the same task at the same instant names
/// the task. That run hangs too, and the process ends anyway. `poll` as it is when the hang was not in an execution of the campaign, or the
/// execution does not hang the same way (the body is not deterministic).
fn named<'s, F>(
    scope: &'s std::thread::Scope<'s, '_>,
    fuzz: &Fuzz,
    at: &Whereabouts,
    body: &'s F,
    poll: LongPoll,
) -> LongPoll
where
    F: for<'b> Fn(&'b Sim<'b>) + Sync,
{
    let hung = at.execution.load(Ordering::Relaxed);
    let (Some(limit), Some(serial)) = (fuzz.hang_limit, poll.task.strip_prefix('#')) else { return poll };
    if hung == 0 || at.is_shrinking() {
        return poll;
    }
    let again = Fuzz { iterations: hung, time_limit: None, progress: None, hang_limit: None, ..fuzz.clone() };
    let there = Arc::new(Whereabouts::default());
    let rerun = {
        let there = there.clone();
        move || drop(super::campaign::explore_traced(&again, body, &there))
    };
    // The hung poll is told from the run's others by its length; it need not run the whole
    // hang limit again to be told (a poll of a fuzzed body takes microseconds).
    let long = limit.min(Duration::from_millis(100));
    match crate::hang_watch::run_watched(scope, Some(long), rerun) {
        Err(p)
            if there.execution.load(Ordering::Relaxed) == hung
                && p.at == poll.at
                && p.task.rsplit('#').next() == Some(serial) =>
        {
            LongPoll { task: p.task, ..poll }
        }
        // It ended, or another poll ran long: it did not hang the same way.
        _ => poll,
    }
}

/// What hung, where the campaign was, and how to get there again.
fn account(fuzz: &Fuzz, at: &Whereabouts, poll: &LongPoll) -> String {
    let test = fuzz.name.clone().unwrap_or_default();
    let stuck = crate::hang_watch::describe(poll);
    let shrinking = at.shrinking.lock().unwrap_or_else(|p| p.into_inner()).take();
    let how = match shrinking {
        Some(file) => {
            let dir = artifacts_root().join(test.replace("::", "-"));
            let path = dir.join("replay.json");
            let written = std::fs::create_dir_all(&dir).and_then(|()| file.write(&path));
            let replay = match written {
                Ok(()) => format!("FWSIM_REPLAY={} replays that failure as found", path.display()),
                Err(e) => format!("its replay file could not be written ({e})"),
            };
            format!(
                "while shrinking the failure found in execution {} ({}): {stuck}. {replay}",
                file.execution,
                file.fault.signature()
            )
        }
        None => match at.execution.load(Ordering::Relaxed) {
            0 => format!("while replaying its file: {stuck}"),
            n => format!(
                "in execution {n} of its campaign ({}, seed {}): {stuck}. FWSIM_SEED={} FWSIM_ITERATIONS={n} runs the \
                 campaign to it again",
                fuzz.strategy, fuzz.seed, fuzz.seed
            ),
        },
    };
    format!("fwsim: `{test}` hung {how}")
}
