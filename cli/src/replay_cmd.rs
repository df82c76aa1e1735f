//! `fwsim replay`: the recorded run again, choice for choice, and a check that it still is
//! the same run.

use fwsim_scenario::{App, Duration, ReplayFile, Report, RunOptions};

use crate::args::{Format, ReplayArgs};
use crate::supervise::Supervisor;
use crate::{EXIT_FAILED, EXIT_USAGE, files};

pub fn replay(a: &ReplayArgs, apps: &[&dyn App]) -> u8 {
    let replay = match ReplayFile::read(&a.file) {
        Ok(r) => r,
        Err(e) => {
            errln!("{}", files::render(&e));
            return EXIT_USAGE;
        }
    };
    let source = match std::fs::read_to_string(&replay.scenario) {
        Ok(s) => s,
        Err(e) => {
            errln!(
                "fwsim replay: cannot read the scenario {} named by {}: {e}; run the replay from the directory `fwsim run` ran in",
                replay.scenario.display(),
                a.file.display()
            );
            return EXIT_USAGE;
        }
    };
    let now = fwsim_scenario::replay::fingerprint(&source);
    if now != replay.fingerprint {
        errln!(
            "fwsim replay: {} changed since the replay was recorded (fingerprint {}, now {now}); run it again to record a new replay",
            replay.scenario.display(),
            replay.fingerprint
        );
        return EXIT_USAGE;
    }
    let mut scenario = match fwsim_scenario::parse(&replay.scenario, &source, apps, Some(&replay.app)) {
        Ok(s) => s,
        Err(e) => {
            errln!("{}", files::render(&e.with_source(&source)));
            return EXIT_USAGE;
        }
    };
    if scenario.app != replay.app {
        errln!("fwsim replay: the replay is of app `{}`, the scenario names `{}`", replay.app, scenario.app);
        return EXIT_USAGE;
    }
    let Some(app) = apps.iter().copied().find(|x| x.name() == replay.app) else {
        errln!("fwsim replay: this command has no app `{}`", replay.app);
        return EXIT_USAGE;
    };
    scenario.seed = replay.seed;
    match fwsim_scenario::PolicyName::parse(&replay.policy) {
        Some(p) => scenario.policy = p,
        None => {
            errln!("fwsim replay: {}: unknown policy `{}` in the replay", a.file.display(), replay.policy);
            return EXIT_USAGE;
        }
    }
    scenario.timeout = Duration(replay.timeout_ns);
    let options = RunOptions {
        artifact_dir: Some(fwsim_scenario::artifact_dir(&a.out, &scenario)),
        replay: Some(replay.schedule.clone()),
        isr_jitter: replay.isr_jitter,
        isr_preemption: replay.isr_preemption,
        ..RunOptions::default()
    };
    let hang_limit = match crate::args::hang_limit(&a.hang_limit) {
        Ok(limit) => limit,
        Err(e) => {
            errln!("fwsim replay: {e}");
            return EXIT_USAGE;
        }
    };
    let supervisor = Supervisor {
        jobs: 1,
        hang_limit,
        hung: &|_, poll| fwsim_scenario::hung(&scenario, poll, options.artifact_dir.as_deref()),
        on_result: &|| {},
    };
    let job = |_| fwsim_scenario::run(&scenario, app, &options);
    let mut reports = supervisor.run(1, &job, |mut reports| finish(a, reports.remove(0)));
    finish(a, reports.remove(0))
}

/// Prints the replayed run's report; gives the exit code.
fn finish(a: &ReplayArgs, mut report: Report) -> u8 {
    report.policy = format!("{} replayed", report.policy);
    match a.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report).expect("a report serialises")),
        Format::Human => {
            out!("{}", report.human(a.verbose));
            let deviations = &report.choices.explained;
            if !deviations.is_empty() {
                outln!("the replayed schedule's {} deviation(s):", deviations.len());
                for line in deviations {
                    outln!("  {line}");
                }
            }
            if let Some(dir) = report.artifacts.first().and_then(|p| p.parent()) {
                outln!("artifacts: {}", dir.display());
            }
        }
    }
    if report.passed() { 0 } else { EXIT_FAILED }
}
