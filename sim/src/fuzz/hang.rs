//! A campaign under its hang limit ([`Fuzz::hang_limit`], see
//! [`hang_watch`](crate::hang_watch)): where the campaign is, so that a hang's report says
//! which execution hung and how to get there again.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Runs `f` on a thread of its own under the campaign's hang limit (see
/// [`hang_watch`](crate::hang_watch)); a hang is reported with where the campaign was.
pub(super) fn on_main_thread<R: Send>(fuzz: &Fuzz, at: &Whereabouts, f: impl FnOnce() -> R + Send) -> R {
    crate::hang_watch::on_main_thread(fuzz.hang_limit, f, |poll| account(fuzz, at, poll))
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
