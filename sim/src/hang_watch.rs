//! A harness's body on a thread of its own, under a hang limit: [`fwsim::test`](crate::test)
//! and fuzzing campaigns run there, and a poll that runs past the limit in wall time (a loop
//! with no `.await` that reads nothing fwsim sees) ends the test process with a report. The
//! stuck thread cannot be stopped or joined, so the process cannot go on; without the limit
//! the test would hang instead.
//!
//! The limit decides only when to stop waiting; nothing a simulation computes reads it.

use std::io::Write;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use crate::watchdog::LongPoll;

/// The limit when neither the code nor `FWSIM_HANG_LIMIT` sets one.
pub(crate) const DEFAULT_HANG_LIMIT: Duration = Duration::from_secs(60);

/// Reads a `FWSIM_HANG_LIMIT` value: a limit, or `None` for `off`; an error names the
/// variable.
pub(crate) fn parse_hang_limit(v: &str) -> Result<Option<Duration>, String> {
    match v.trim() {
        "off" => Ok(None),
        limit => crate::fuzz::parse_wall_time(limit)
            .map(Some)
            .ok_or_else(|| format!("fwsim: FWSIM_HANG_LIMIT={v:?}: expected a duration such as 30s or 5m, or off")),
    }
}

/// The limit of the process's environment: `FWSIM_HANG_LIMIT`, or the default.
pub(crate) fn hang_limit_of_env() -> Result<Option<Duration>, String> {
    std::env::var("FWSIM_HANG_LIMIT").map_or(Ok(Some(DEFAULT_HANG_LIMIT)), |v| parse_hang_limit(&v))
}

/// How often a watcher of [`long_polls`](crate::long_polls) under `limit` looks: four times
/// per limit (at least every 10 ms), so that a hang is seen within 1.25 limits, and a
/// benchmark's run on one core is not interrupted more often than that (every 15 s at the
/// default 60 s). Wall time decides only when to look; a watcher also wakes when its work ends.
pub fn hang_look_interval(limit: Duration) -> Duration {
    (limit / 4).max(Duration::from_millis(10))
}

/// Runs `f` on a thread of `scope` named `main` (embassy-sync's `ThreadModeRawMutex` asserts
/// that name on std) and waits for it: what it returns (its panic unwinds here), or, under
/// `limit`, the poll of it that has run past the limit in wall time. That thread then stays
/// stuck, and `scope` can never end: the caller must end the process.
///
/// How `fwsim::test` and fuzzed tests run their bodies, and how `fwsim fuzz` runs the runs
/// that are not its workers' (a PCT horizon, a shrink).
pub fn run_watched<'s, R: Send + 's>(
    scope: &'s std::thread::Scope<'s, '_>,
    limit: Option<Duration>,
    f: impl FnOnce() -> R + Send + 's,
) -> Result<R, LongPoll> {
    // Dropped when `f` returns or panics: the wait below ends at once, not at its next look.
    let (done, ended) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("main".into())
        .spawn_scoped(scope, move || {
            let _done = done;
            f()
        })
        .expect("spawn a thread");
    if let Some(limit) = limit {
        let id = thread.thread().id();
        while let Err(RecvTimeoutError::Timeout) = ended.recv_timeout(hang_look_interval(limit)) {
            if let Some(poll) = crate::long_polls(limit).into_iter().find(|p| p.thread == id) {
                return Err(poll);
            }
        }
    }
    Ok(thread.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
}

/// [`run_watched`] in a scope of its own; a hang ends the process with `hung`'s account of it.
pub(crate) fn on_main_thread<R: Send>(
    limit: Option<Duration>,
    f: impl FnOnce() -> R + Send,
    hung: impl FnOnce(&LongPoll) -> String,
) -> R {
    std::thread::scope(|s| run_watched(s, limit, f).unwrap_or_else(|poll| end_process(&hung(&poll))))
}

/// How a stuck poll reads in a report.
pub(crate) fn describe(poll: &LongPoll) -> String {
    format!(
        "one poll of task {} has run for {:.1} s of wall time since virtual time {}, and nothing else runs until it \
         returns (a loop with no `.await` that reads nothing fwsim models, or a blocking call)",
        poll.task,
        poll.wall.as_secs_f64(),
        poll.at
    )
}

/// Says `report` on stderr (past libtest's capture, which a process that exits never prints)
/// and ends the process as a failed test does.
pub(crate) fn end_process(report: &str) -> ! {
    let _ = writeln!(
        std::io::stderr(),
        "{report}. A stuck thread cannot be stopped, so the test process ends here (FWSIM_HANG_LIMIT sets the \
         limit, `off` waits for ever)."
    );
    std::process::exit(101)
}
