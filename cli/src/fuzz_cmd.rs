//! `fwsim fuzz`: arguments into a [`Plan`](fwsim_scenario::fuzz::Plan), a progress bar on a
//! terminal, and the failures printed with the command that replays each.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;
use fwsim_scenario::fuzz::{Explorer, Observer, Plan, Summary};
use fwsim_scenario::{App, Duration, Scenario, counted};

use crate::args::{ExplorerArg, FuzzArgs, ProgressArg};
use crate::words::program;
use crate::{EXIT_FAILED, EXIT_USAGE, files};

pub fn fuzz(a: &FuzzArgs, apps: &[&dyn App]) -> u8 {
    let plan = match plan(a) {
        Ok(p) => p,
        Err(e) => {
            errln!("fwsim fuzz: {e}");
            return EXIT_USAGE;
        }
    };
    let scenarios = match load(a, apps) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let pairs: Vec<(Scenario, &dyn App)> = scenarios
        .into_iter()
        .map(|s| {
            let app = apps.iter().copied().find(|x| x.name() == s.app).expect("the loader resolved the app");
            (s, app)
        })
        .collect();
    let bar = Progress { scenarios: pairs.len(), plan: plan.clone(), ..Progress::new(a.progress) };
    let summary = match fwsim_scenario::fuzz::fuzz(&plan, &pairs, &bar) {
        Ok(s) => s,
        Err(e) => {
            errln!("fwsim fuzz: {e}");
            return EXIT_USAGE;
        }
    };
    bar.finish(&summary)
}

/// PCT's depth and DFS's bound when the command line gives none (as `--help` says).
const DEFAULT_DEPTH: u32 = 2;
const DEFAULT_BOUND: u32 = 2;

fn plan(a: &FuzzArgs) -> Result<Plan, String> {
    // A parameter of another explorer would do nothing: refused rather than ignored.
    let explorer = match (a.explorer, a.depth, a.bound) {
        (ExplorerArg::Random, None, None) => Explorer::Random,
        (ExplorerArg::Pct, depth, None) => Explorer::Pct { depth: depth.unwrap_or(DEFAULT_DEPTH) },
        (ExplorerArg::Dfs, None, bound) => Explorer::Dfs { bound: bound.unwrap_or(DEFAULT_BOUND) },
        (explorer, depth, _) => {
            let (flag, owner) = if depth.is_some() { ("--depth", "pct") } else { ("--bound", "dfs") };
            let name = explorer.to_possible_value().expect("every explorer is a value of --explorer");
            let name = name.get_name();
            return Err(format!("{flag} is for --explorer {owner}; with --explorer {name} it would do nothing"));
        }
    };
    let shard = match &a.shard {
        None => (0, 1),
        Some(s) => {
            let parsed = s
                .split_once('/')
                .and_then(|(i, n)| Some((i.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)));
            match parsed {
                Some((i, n)) if i >= 1 && i <= n => (i - 1, n),
                _ => return Err(format!("--shard {s}: expected i/n with 1 ≤ i ≤ n, e.g. 2/4")),
            }
        }
    };
    Ok(Plan {
        explorer,
        seed: a.seed,
        iterations: a.iterations,
        chunk: a.chunk,
        shard,
        jobs: a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        keep_going: a.keep_going,
        time_limit: a.time_limit.as_deref().map(|t| crate::args::wall_time("--time-limit", t)).transpose()?,
        state: a.state.clone(),
        out: a.out.clone(),
        shrink_limit: crate::args::wall_time("--shrink-limit", &a.shrink_limit)?,
        hang_limit: crate::args::hang_limit(&a.hang_limit)?,
        realizable: a.realizable,
        isr_jitter: match &a.isr_jitter {
            None => None,
            Some(_) if a.jitter_steps < 2 => return Err("--jitter-steps must be at least 2".into()),
            Some(j) => Some((Duration::parse(j).map_err(|e| format!("--isr-jitter: {e}"))?.0, a.jitter_steps)),
        },
        isr_preemption: a.isr_preemption,
    })
}

fn load(a: &FuzzArgs, apps: &[&dyn App]) -> Result<Vec<Scenario>, u8> {
    let paths = files::expand(&a.scenarios).map_err(|e| {
        errln!("fwsim fuzz: {e}");
        EXIT_USAGE
    })?;
    let default_app = a.app.as_deref().or(apps.first().map(|a| a.name()));
    let mut scenarios = Vec::new();
    let mut bad = false;
    for path in paths {
        match fwsim_scenario::load(&path, apps, default_app) {
            Ok(s) => scenarios.push(s),
            Err(e) => {
                bad = true;
                errln!("{}", files::render(&e));
            }
        }
    }
    if bad { Err(EXIT_USAGE) } else { Ok(scenarios) }
}

/// The summary and each failure, for people.
fn describe(plan: &Plan, s: &Summary, scenarios: usize) -> String {
    let mut out = String::new();
    let explorer = match plan.explorer {
        Explorer::Random => "random".to_owned(),
        Explorer::Pct { depth } => format!("pct depth {depth}"),
        Explorer::Dfs { bound } => format!("dfs bound {bound}"),
    };
    for f in &s.failures {
        let minimal = if f.proved_minimal { ", the fewest possible" } else { "" };
        out.push_str(&format!(
            "FAIL {} (unit {}, execution {}): {} deviation(s){minimal}, shrunk from {}\n",
            f.scenario.display(),
            f.unit,
            f.execution,
            f.deviations,
            f.original_deviations
        ));
        for line in &f.report.choices.explained {
            out.push_str(&format!("    {line}\n"));
        }
        for line in f.report.human(false).lines() {
            out.push_str(&format!("  {line}\n"));
        }
        if let Some(replay) = &f.replay_file {
            out.push_str(&format!("  replay: {} replay {}\n", program(), replay.display()));
        }
    }
    for h in &s.hung {
        out.push_str(&format!("HUNG {} ({})\n", h.scenario.display(), h.stage));
        for line in h.report.human(false).lines() {
            out.push_str(&format!("  {line}\n"));
        }
        out.push_str("  the same command runs that unit again the same way\n");
    }
    let shard = if plan.shard.1 > 1 { format!(", shard {}/{}", plan.shard.0 + 1, plan.shard.1) } else { String::new() };
    let resumed = if s.resumed_units > 0 {
        let were = if s.resumed_units == 1 { "was" } else { "were" };
        let units = counted(s.resumed_units as u64, "unit");
        format!(" ({units} {were} done already; {} in all)", counted(s.total_executions, "execution"))
    } else {
        String::new()
    };
    let stopped =
        if s.stopped_early && s.failures.is_empty() && s.hung.is_empty() { ", stopped by --time-limit" } else { "" };
    out.push_str(&format!(
        "fuzz: {} over {} ({explorer}, seed {}{shard}){resumed}; {}/{} units done{stopped}; {}{}\n",
        counted(s.executions, "execution"),
        counted(scenarios as u64, "scenario"),
        plan.seed,
        s.resumed_units + s.finished_units,
        s.units,
        counted((s.failures.len() + s.hung.len()) as u64, "failure"),
        dfs_coverage(plan, s),
    ));
    out
}

/// Whether a passing DFS campaign explored every schedule within its bound (a proof for that
/// bound) or used up its iterations first; nothing for other explorers or other outcomes.
fn dfs_coverage(plan: &Plan, s: &Summary) -> String {
    let Explorer::Dfs { bound } = plan.explorer else { return String::new() };
    // (One unit per scenario; a resumed unit's search is not known here.)
    if !s.failures.is_empty() || !s.hung.is_empty() || s.stopped_early || s.resumed_units > 0 {
        return String::new();
    }
    let partial = s.finished_units - s.exhausted_units;
    match (s.exhausted_units, partial) {
        (_, 0) => format!("; every schedule within bound {bound} explored"),
        (0, _) => {
            format!("; not every schedule within bound {bound} explored: --iterations {} ran out", plan.iterations)
        }
        (done, left) => format!(
            "; every schedule within bound {bound} explored for {done} of {} scenarios (--iterations {} ran out for \
             {left})",
            s.finished_units, plan.iterations
        ),
    }
}

/// Progress: a bar of executions on a terminal, a line per unit, or nothing. The bar's length
/// is what the campaign plans to run, less what units that end early (a failure, a DFS out of
/// schedules) will not.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lines: bool,
    /// What the summary describes.
    plan: Plan,
    scenarios: usize,
}

impl Progress {
    fn new(mode: ProgressArg) -> Self {
        let bar = (mode == ProgressArg::Auto && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} executions, {per_sec}, {eta} left")
                    .expect("a valid template"),
            );
            bar
        });
        Progress { bar, lines: mode == ProgressArg::Lines, plan: Plan::default(), scenarios: 0 }
    }

    /// Prints the summary; gives the exit code.
    fn finish(&self, summary: &Summary) -> u8 {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        out!("{}", describe(&self.plan, summary, self.scenarios));
        if summary.failures.is_empty() && summary.hung.is_empty() { 0 } else { EXIT_FAILED }
    }
}

impl Observer for Progress {
    fn planned(&self, executions: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(executions);
        }
    }

    fn skipped(&self, executions: u64) {
        if let Some(bar) = &self.bar {
            bar.dec_length(executions);
        }
    }

    fn executed(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn gave_up(&self, summary: Summary) -> ! {
        let code = self.finish(&summary);
        errln!(
            "fwsim fuzz: gave up on {} stuck in one poll past the hang limit (a thread cannot be stopped, so the \
             command exits now)",
            counted(summary.hung.len() as u64, "run")
        );
        let _ = std::io::stdout().flush();
        std::process::exit(code.into())
    }

    fn unit_done(&self, scenario: &std::path::Path, unit: u64, executions: u64, done: usize, units: usize) {
        if self.lines {
            // A closed stderr (the reader went away) must not stop the campaign.
            let _ = writeln!(
                std::io::stderr(),
                "fuzz: {} unit {unit} done ({}); {done} of {units} units",
                scenario.display(),
                counted(executions, "execution")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Plan::default()` promises `fwsim fuzz`'s defaults: the command line given no options
    /// (but one thread) plans the same campaign.
    #[test]
    fn the_default_plan_is_the_command_lines() {
        use clap::Parser;
        let cli = crate::Cli::try_parse_from(["fwsim", "fuzz", "x.yaml", "--jobs", "1"]).unwrap();
        let crate::Command::Fuzz(args) = cli.command else { panic!("parsed as fuzz") };
        assert_eq!(format!("{:?}", plan(&args).unwrap()), format!("{:?}", Plan::default()));
    }

    /// The bar counts what the campaign will run: its plan, less what ended early.
    #[test]
    fn the_bar_is_as_long_as_the_work_left() {
        let progress = Progress { bar: Some(indicatif::ProgressBar::hidden()), ..Progress::new(ProgressArg::None) };
        progress.planned(50);
        progress.executed(1);
        progress.skipped(49);
        let bar = progress.bar.as_ref().unwrap();
        assert_eq!((bar.position(), bar.length()), (1, Some(1)));
    }
}
