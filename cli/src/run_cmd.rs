//! `fwsim run`: load every file first (a bad one stops the run before anything runs), run the
//! scenarios on worker threads, print the reports in the order the files were given.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use fwsim::SimTime;
use fwsim_scenario::progress::Progress;
use fwsim_scenario::{App, Duration, Outcome, PolicyName, Report, RunOptions, Scenario};

use crate::args::{Format, PolicyArg, RunArgs};
use crate::supervise::Supervisor;
use crate::{EXIT_FAILED, EXIT_USAGE, files, junit};

pub fn run(a: &RunArgs, apps: &[&dyn App]) -> u8 {
    let hang_limit = match crate::args::hang_limit(&a.hang_limit) {
        Ok(limit) => limit,
        Err(e) => {
            errln!("fwsim: {e}");
            return EXIT_USAGE;
        }
    };
    let scenarios = match load_all(a, apps) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let bar = progress_bar(scenarios.len(), !a.quiet);
    let dirs = fwsim_scenario::artifact_dirs(&a.out, &scenarios);
    let options: Vec<RunOptions> = scenarios
        .iter()
        .zip(dirs)
        .map(|(s, dir)| RunOptions {
            artifact_dir: Some(dir),
            expect_text: a.expect_text.clone(),
            fail_text: a.fail_text.clone(),
            replay: None,
            explorer: None,
            isr_jitter: None,
            isr_preemption: false,
            progress: bar.clone().map(|bar| {
                let name = s.name.clone();
                Progress(Arc::new(move |t: SimTime| {
                    let s = t.as_millis() / 1000;
                    bar.set_message(format!("{name}: {}:{:02}:{:02} of virtual time", s / 3600, s / 60 % 60, s % 60));
                }))
            }),
        })
        .collect();
    let supervisor = Supervisor {
        jobs: a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        hang_limit,
        hung: &|i, poll| fwsim_scenario::hung(&scenarios[i], poll, options[i].artifact_dir.as_deref()),
        on_result: &|| {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        },
    };
    let job = |i: usize| {
        let app = apps.iter().copied().find(|x| x.name() == scenarios[i].app).expect("the loader resolved the app");
        fwsim_scenario::run(&scenarios[i], app, &options[i])
    };
    let reports = supervisor.run(scenarios.len(), &job, |reports| finish(a, &reports, bar.as_ref()));
    finish(a, &reports, bar.as_ref())
}

/// Prints the reports, writes the JUnit and serial files, and gives the exit code.
fn finish(a: &RunArgs, reports: &[Report], bar: Option<&indicatif::ProgressBar>) -> u8 {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    print_reports(a, reports);
    if let Some(path) = &a.junit
        && let Err(e) = std::fs::write(path, junit::xml(reports))
    {
        errln!("fwsim: cannot write {}: {e}", path.display());
        return EXIT_USAGE;
    }
    if let Some(path) = &a.serial_log_file
        && let Err(e) = std::fs::write(path, serial_log(reports))
    {
        errln!("fwsim: cannot write {}: {e}", path.display());
        return EXIT_USAGE;
    }
    let failed = reports.iter().any(|r| matches!(r.outcome, Outcome::Failed(_)));
    let timed_out = reports.iter().any(|r| matches!(r.outcome, Outcome::TimedOut(_)));
    match (failed, timed_out) {
        (true, _) => EXIT_FAILED,
        (false, true) => a.timeout_exit_code.unwrap_or(EXIT_FAILED),
        (false, false) => 0,
    }
}

fn load_all(a: &RunArgs, apps: &[&dyn App]) -> Result<Vec<Scenario>, u8> {
    let paths = files::expand(&a.scenarios).map_err(|e| {
        errln!("fwsim: {e}");
        EXIT_USAGE
    })?;
    let timeout = match &a.timeout {
        None => None,
        Some(t) => Some(Duration::parse(t).map_err(|e| {
            errln!("fwsim: --timeout: {e}");
            EXIT_USAGE
        })?),
    };
    let default_app = a.app.as_deref().or(apps.first().map(|a| a.name()));
    if let Some(name) = &a.app
        && !apps.iter().any(|x| x.name() == name)
    {
        let names: Vec<&str> = apps.iter().map(|x| x.name()).collect();
        let hint = fwsim_scenario::did_you_mean(name, names.iter().copied());
        errln!("fwsim: --app: unknown app `{name}`; expected one of {}{hint}", names.join(", "));
        return Err(EXIT_USAGE);
    }
    let mut scenarios = Vec::new();
    let mut bad = false;
    for path in paths {
        match fwsim_scenario::load(&path, apps, default_app) {
            Ok(mut s) => {
                if let Some(seed) = a.seed {
                    s.seed = seed;
                }
                if let Some(p) = a.policy {
                    s.policy = match p {
                        PolicyArg::Embassy => PolicyName::Embassy,
                        PolicyArg::Micropython => PolicyName::MicroPython,
                        PolicyArg::Fifo => PolicyName::Fifo,
                        PolicyArg::Random => PolicyName::Random,
                    };
                }
                if let Some(t) = timeout {
                    s.timeout = t;
                }
                scenarios.push(s);
            }
            Err(e) => {
                bad = true;
                errln!("{}", files::render(&e));
            }
        }
    }
    if bad { Err(EXIT_USAGE) } else { Ok(scenarios) }
}

/// On a terminal (and not `--quiet`): a bar of scenarios done, whose message follows the
/// virtual time of long waits.
fn progress_bar(scenarios: usize, wanted: bool) -> Option<indicatif::ProgressBar> {
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(scenarios as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios  {msg}")
            .expect("a valid progress template"),
    );
    Some(bar)
}

fn print_reports(a: &RunArgs, reports: &[Report]) {
    if a.format == Format::Json {
        outln!("{}", serde_json::to_string_pretty(reports).expect("reports serialise"));
        return;
    }
    for r in reports {
        if !(a.quiet && r.passed()) {
            out!("{}", r.human(a.verbose));
        }
    }
    if !a.quiet {
        let dirs: Vec<PathBuf> =
            reports.iter().filter_map(|r| r.artifacts.first().and_then(|p| p.parent()).map(PathBuf::from)).collect();
        if !dirs.is_empty() {
            outln!("artifacts:");
            for (r, d) in reports.iter().zip(&dirs) {
                outln!("  {}: {}", r.name, d.display());
            }
        }
        if let Some(j) = &a.junit {
            outln!("junit: {}", j.display());
        }
    }
    let passed = reports.iter().filter(|r| r.passed()).count();
    let all = fwsim_scenario::counted(reports.len() as u64, "scenario");
    outln!("{passed} passed, {} failed, {all}", reports.len() - passed);
}

fn serial_log(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        if reports.len() > 1 {
            out.push_str(&format!("== {}\n", r.file.display()));
        }
        for text in r.serial.values() {
            out.push_str(text);
        }
    }
    out
}
