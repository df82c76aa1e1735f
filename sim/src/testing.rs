//! The test helper: [`test`](test()) and [`test_with`].
//!
//! ```
//! use embassy_time::{Duration, Timer};
//!
//! fwsim::test(|sim| {
//!     let log = sim.alloc(std::cell::RefCell::new(Vec::new()));
//!     let log = &*log;
//!     sim.spawn("fast", async move {
//!         loop {
//!             Timer::after(Duration::from_millis(300)).await;
//!             log.borrow_mut().push(("fast", fwsim::now().as_millis()));
//!         }
//!     });
//!     sim.spawn("slow", async move {
//!         loop {
//!             Timer::after(Duration::from_millis(1000)).await;
//!             log.borrow_mut().push(("slow", fwsim::now().as_millis()));
//!         }
//!     });
//!     sim.run_for(fwsim::secs(3600)).unwrap();
//!     let log = log.borrow();
//!     assert_eq!(log.iter().filter(|e| e.0 == "slow").count(), 3600);
//!     // At 3 s both fire. "slow" registered its timer at 2 s, "fast" at 2.7 s: embassy's
//!     // timer queue polls them in registration order.
//!     let at_3s: Vec<_> = log.iter().filter(|e| e.1 == 3000).map(|e| e.0).collect();
//!     assert_eq!(at_3s, ["slow", "fast"]);
//! });
//! ```
//!
//! What it does, so that a test that passes once passes always:
//!
//! 1. runs the body on a fresh thread **named `main`** (embassy-sync's `ThreadModeRawMutex`
//!    asserts that name on std, and libtest names threads after tests), with the simulation
//!    current;
//! 2. runs it **twice** with fresh simulations and the same configuration, and fails with the
//!    *first differing trace record* if the two traces differ;
//! 3. fails if the body left error-level [diagnostics](crate::Diagnostic) (a task panic, a
//!    lost waker…) — take the ones you expect with
//!    [`take_diagnostics`](crate::Sim::take_diagnostics);
//! 4. on failure prints the policy and seed and writes artifacts — the trace as JSON lines
//!    and as Perfetto JSON, the diagnostics, and what others added
//!    ([`SimHandle::add_artifact`](crate::SimHandle::add_artifact): a simulated board's VCD
//!    and signal log) — to `target/fwsim-artifacts/<test name>/` (or
//!    `$FWSIM_ARTIFACTS/<test name>/`);
//! 5. ends the test process (exit code 101) with the task's name and its virtual time if one
//!    poll runs for `FWSIM_HANG_LIMIT` of wall time (60 s by default; `off` waits for ever): a
//!    loop with no `.await` that reads nothing fwsim sees cannot be stopped on its thread, and
//!    the test would hang instead.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::PathBuf;

use crate::config::SimConfig;
use crate::sim::{Sim, scope};
use crate::trace::{Names, Record};

/// Runs `body` under the default configuration. See the [module docs](self).
///
/// # Panics
/// If the body or a task panics, the simulation records an error, or two runs differ; a
/// failure of fwsim's own checks names the caller's line.
#[track_caller]
pub fn test<F>(body: F)
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    test_with(SimConfig::default(), body)
}

/// Runs `body` under `config`. See the [module docs](self).
///
/// # Panics
/// As [`test()`].
#[track_caller]
pub fn test_with<F>(config: SimConfig, body: F)
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let test_name = std::thread::current().name().unwrap_or("fwsim-test").replace("::", "-");
    let limit = match crate::hang_watch::hang_limit_of_env() {
        Ok(limit) => limit,
        Err(e) => panic!("{e}"),
    };
    let hung = |poll: &crate::LongPoll| format!("fwsim: `{test_name}` hung: {}", crate::hang_watch::describe(poll));
    // The body's own panic keeps its location (it unwinds through); fwsim's verdicts are
    // raised here, so that libtest's "panicked at" names the test rather than this file.
    let verdict = crate::hang_watch::on_main_thread(limit, || run_checked(&config, &body, &test_name), hung);
    if let Err(verdict) = verdict {
        panic!("{verdict}");
    }
}

struct RunOutput {
    hash: Option<u64>,
    schedule: crate::Schedule,
    records: Vec<Record>,
    names: Names,
}

/// Runs `body` twice; the verdict if fwsim's checks fail (a body's panic unwinds through).
fn run_checked<F>(config: &SimConfig, body: &F, test_name: &str) -> Result<(), String>
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    let mut cfg = config.clone();
    cfg.trace.enabled = true;
    cfg.trace.keep_all = true;
    let first = run_once(&cfg, body, test_name)?;
    // An explorer shared across executions would answer the second run differently: it
    // replays the first run's schedule instead.
    let again = if cfg.has_shared_explorer() { cfg.clone().replaying(&first.schedule) } else { cfg.clone() };
    let second = run_once(&again, body, test_name)?;
    if first.hash == second.hash {
        return Ok(());
    }
    let i = first
        .records
        .iter()
        .zip(&second.records)
        .position(|(a, b)| a != b)
        .unwrap_or(first.records.len().min(second.records.len()));
    let show = |o: &RunOutput| match o.records.get(i) {
        Some(r) => describe(r, &o.names),
        None => "(end of trace)".to_owned(),
    };
    let context: Vec<String> =
        first.records[i.saturating_sub(5)..i].iter().map(|r| describe(r, &first.names)).collect();
    Err(format!(
        "fwsim: the test is not deterministic: two runs with {}, seed {} differ at trace record {i}\n  \
         run 1: {}\n  run 2: {}\n  preceded by:\n    {}\n\
         (look for wall-clock reads, thread timing, HashMap iteration or statics kept between runs)",
        cfg.scheduling(),
        cfg.seed,
        show(&first),
        show(&second),
        context.join("\n    ")
    ))
}

fn describe(r: &Record, names: &Names) -> String {
    format!(
        "{} {:?} task={} source={} arg={}",
        crate::SimTime(r.at),
        r.kind,
        names.describe(r.task_ref()),
        names.describe(r.source_ref()),
        r.arg
    )
}

/// One run; its trace, or the verdict on the errors it recorded.
fn run_once<F>(cfg: &SimConfig, body: &F, test_name: &str) -> Result<RunOutput, String>
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    scope(cfg.clone(), |sim| {
        let outcome = catch_unwind(AssertUnwindSafe(|| body(sim)));
        let errors = sim.errors();
        if outcome.is_err() || !errors.is_empty() {
            let dir = write_artifacts(sim, test_name);
            eprintln!(
                "fwsim: test failed under {}, seed {} at virtual time {}; artifacts in {}",
                cfg.scheduling(),
                cfg.seed,
                sim.now(),
                dir.map_or_else(|e| format!("(not written: {e})"), |d| d.display().to_string())
            );
            if let Err(p) = outcome {
                resume_unwind(p);
            }
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            return Err(format!(
                "fwsim: the simulation recorded {} error(s) (take expected ones with sim.take_diagnostics()):\n{}",
                errors.len(),
                list.join("\n")
            ));
        }
        Ok(RunOutput {
            hash: sim.trace_hash(),
            schedule: sim.schedule(),
            records: sim.trace_records(),
            names: sim.trace_names(),
        })
    })
}

/// Where failure artifacts go: `$FWSIM_ARTIFACTS`, else `<workspace>/target/fwsim-artifacts`.
pub fn artifacts_root() -> PathBuf {
    if let Some(d) = std::env::var_os("FWSIM_ARTIFACTS") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d).join("fwsim-artifacts");
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = cwd.ancestors().find(|d| d.join("Cargo.lock").exists()).unwrap_or(&cwd);
    root.join("target").join("fwsim-artifacts")
}

fn write_artifacts(sim: &Sim<'_>, test_name: &str) -> std::io::Result<PathBuf> {
    let dir = artifacts_root().join(test_name);
    std::fs::create_dir_all(&dir)?;
    write_artifacts_to(sim, &dir)?;
    Ok(dir)
}

/// Writes a simulation's failure artifacts into `dir` (which exists): the trace as JSON lines
/// and as Perfetto JSON, what others added (a board's VCD and signal log), and the
/// diagnostics with the scheduling, seed and wait report. An added artifact that cannot be
/// written is reported on stderr and skipped.
pub(crate) fn write_artifacts_to(sim: &Sim<'_>, dir: &std::path::Path) -> std::io::Result<()> {
    sim.write_trace_json_lines(&dir.join("trace.jsonl"))?;
    sim.write_perfetto(&dir.join("trace.perfetto.json"))?;
    for (name, e) in sim.write_added_artifacts(dir) {
        eprintln!("fwsim: artifact {name} not written: {e}");
    }
    let diags: Vec<String> = sim.diagnostics().iter().map(ToString::to_string).collect();
    std::fs::write(
        dir.join("diagnostics.txt"),
        format!(
            "scheduling: {}\nseed: {}\n{}\n{}\n",
            sim.config().scheduling(),
            sim.seed(),
            diags.join("\n"),
            sim.wait_report()
        ),
    )
}
