//! A campaign's hang limit: its executions run on a thread of their own, and one whose poll
//! runs past [`Fuzz::hang_limit`] in wall time (a loop with no `.await` that reads nothing
//! fwsim sees) ends the test process with a report. The stuck thread cannot be stopped or
//! joined, so the process cannot go on; without the limit the test would hang instead.
//!
//! The limit decides only when to stop waiting; nothing an execution computes reads it.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use super::{Fuzz, ReplayFile};
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
}

/// Runs `f` on a thread named `main` (embassy-sync's `ThreadModeRawMutex` asserts that name
/// on std); under a hang limit, watches its polls and ends the process if one runs past it.
pub(super) fn on_main_thread<R: Send>(fuzz: &Fuzz, at: &Whereabouts, f: impl FnOnce() -> R + Send) -> R {
    let outcome = std::thread::scope(|s| {
        // Dropped when `f` returns or panics: the wait below ends at once, not at its next look.
        let (done, ended) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("main".into())
            .spawn_scoped(s, move || {
                let _done = done;
                f()
            })
            .expect("spawn the fuzzing thread");
        if let Some(limit) = fuzz.hang_limit {
            let id = thread.thread().id();
            // Wall time decides only when to look again.
            while let Err(RecvTimeoutError::Timeout) = ended.recv_timeout(Duration::from_millis(50)) {
                if let Some(poll) = crate::long_polls(limit).into_iter().find(|p| p.thread == id) {
                    give_up(fuzz, at, &poll);
                }
            }
        }
        thread.join()
    });
    outcome.unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// Reports the hang on stderr (past libtest's capture, which a process that exits never
/// prints) and ends the process as a failed test does.
fn give_up(fuzz: &Fuzz, at: &Whereabouts, poll: &LongPoll) -> ! {
    let test = fuzz.name.clone().unwrap_or_default();
    let stuck = format!(
        "one poll of task {} has run for {:.1} s of wall time since virtual time {}, and nothing else runs until it \
         returns (a loop with no `.await` that reads nothing fwsim models, or a blocking call)",
        poll.task,
        poll.wall.as_secs_f64(),
        poll.at
    );
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
    let _ = writeln!(
        std::io::stderr(),
        "fwsim: `{test}` hung {how}. A stuck thread cannot be stopped, so the test process ends here \
         (FWSIM_HANG_LIMIT sets the limit, `off` waits for ever)."
    );
    std::process::exit(101)
}
