//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Run firmware scenarios on a simulated board, in virtual time.
///
/// Exit codes: 0 every scenario passed; 1 a scenario failed (or timed out, unless
/// --timeout-exit-code says otherwise); 2 bad usage or a bad scenario file.
#[derive(Debug, Parser)]
#[command(name = "fwsim", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files (paths, directories or globs) and print verdicts.
    Run(RunArgs),
    /// Check scenario files without running them.
    Check(CheckArgs),
    /// List the apps, their parts, and the device models.
    List,
    /// Print (or write) a commented scenario skeleton for an app's parts.
    New(NewArgs),
    /// Run a scenario again exactly as a recorded run went (its artifacts' replay.json).
    Replay(ReplayArgs),
    /// Run scenarios under many schedules until one fails; shrink it and write its replay.
    Fuzz(FuzzArgs),
}

/// `fwsim fuzz`.
#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// Scenario files, directories or glob patterns.
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// The app for scenarios that name none.
    #[arg(long)]
    pub app: Option<String>,
    /// Who answers the choice points.
    #[arg(long, value_enum, default_value = "random")]
    pub explorer: ExplorerArg,
    /// PCT's bug depth: the choice points a bug needs (1 or more) [default: 2]. Only with
    /// --explorer pct.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub depth: Option<u32>,
    /// DFS's bound: the most deviations a schedule may have [default: 2]. Only with
    /// --explorer dfs.
    #[arg(long)]
    pub bound: Option<u32>,
    /// Executions per scenario.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: u64,
    /// Executions per unit of work (the unit of sharding and resuming).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub chunk: u64,
    /// The campaign's seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Stop starting work after this much wall-clock time (`90s`, `10m`); the first unit
    /// always runs.
    #[arg(long)]
    pub time_limit: Option<String>,
    /// Threads (default: the machine's cores).
    #[arg(long, short, value_parser = at_least_one())]
    pub jobs: Option<usize>,
    /// Run only this part of the work, `i/n` (1-based), for CI matrices.
    #[arg(long)]
    pub shard: Option<String>,
    /// Go on after a failure (every failure is still shrunk and recorded).
    #[arg(long)]
    pub keep_going: bool,
    /// How to show progress: a bar on a terminal (`auto`: a bar on a terminal, nothing on a
    /// pipe), or a line per finished unit on stderr (`lines`, for CI logs).
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressArg,
    /// Keep the campaign's progress in this file and resume from it.
    #[arg(long)]
    pub state: Option<std::path::PathBuf>,
    /// Directory for failures' artifacts (`<scenario>/unit-<n>/` for each failure).
    #[arg(long, default_value = "fwsim-out/fuzz")]
    pub out: PathBuf,
    /// Explore only what the scenario's scheduler could do: keep its task order, explore the
    /// order of interrupts and of timers due at the same instant and (with --isr-jitter)
    /// interrupt arrival times.
    #[arg(long)]
    pub realizable: bool,
    /// Let scheduled interrupts (button edges, serial bytes, sensor events) arrive up to this
    /// late (`500us`, `2ms`): each arrival becomes a choice to explore.
    #[arg(long)]
    pub isr_jitter: Option<String>,
    /// How many arrival times --isr-jitter spreads over (evenly, on time first).
    #[arg(long, default_value_t = 5, requires = "isr_jitter")]
    pub jitter_steps: u32,
    /// Let a scheduled interrupt due as tasks are polled land inside their polls, where any of
    /// their critical sections ends (where a check and a wait split in two sections break).
    #[arg(long)]
    pub isr_preemption: bool,
    /// Wall-clock budget for shrinking each failure (`30s`).
    #[arg(long, default_value = "30s")]
    pub shrink_limit: String,
    /// Give an execution up when its firmware holds the CPU in one poll for this long, in
    /// wall time (`60s`, `5m`, `off`): a task looping with no `.await`. It counts as a failure;
    /// the command exits once the other workers stop.
    #[arg(long, default_value = "60s")]
    pub hang_limit: String,
}

/// How `fwsim fuzz` shows progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    /// A bar when stderr is a terminal, nothing otherwise.
    Auto,
    /// A line per finished unit on stderr.
    Lines,
    /// Nothing.
    None,
}

/// An explorer on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExplorerArg {
    /// Uniformly random choices.
    Random,
    /// Probabilistic concurrency testing (--depth).
    Pct,
    /// Every schedule with at most --bound deviations, then stop.
    Dfs,
}

/// `fwsim replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The replay file (`replay.json` in a scenario's artifact directory).
    pub file: PathBuf,
    /// Directory for the artifacts of the replayed run.
    #[arg(long, default_value = "fwsim-out/replay")]
    pub out: PathBuf,
    /// Print every step with its virtual times, and the diagnostics.
    #[arg(long, short)]
    pub verbose: bool,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Give a scenario up when its firmware holds the CPU in one poll for this long, in wall
    /// time (`60s`, `5m`, `off`): a task looping with no `.await`. It fails with the task's
    /// name; the other scenarios run, and the command exits once they are done.
    #[arg(long, default_value = "60s")]
    pub hang_limit: String,
}

/// `fwsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files, directories (every .yaml in them) or glob patterns.
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// The app for scenarios that name none (as Wokwi's don't); default: the first app.
    #[arg(long)]
    pub app: Option<String>,
    /// Override every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override every scenario's run order.
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    /// Directory for the artifacts (one sub-directory per scenario).
    #[arg(long, default_value = "fwsim-out")]
    pub out: PathBuf,
    /// Print only failures and the summary.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every step with its virtual times, and the diagnostics.
    #[arg(long, short)]
    pub verbose: bool,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Also write a JUnit XML report of the whole run here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Virtual-time limit of every scenario (`30s`, `10min`), overriding the files'.
    #[arg(long)]
    pub timeout: Option<String>,
    /// Pass only if this text appears on a serial port (after the steps, before the timeout).
    #[arg(long)]
    pub expect_text: Option<String>,
    /// Fail if this text ever appears on a serial port.
    #[arg(long)]
    pub fail_text: Option<String>,
    /// Write the serial output of the run(s) to this file.
    #[arg(long)]
    pub serial_log_file: Option<PathBuf>,
    /// Exit code when a scenario times out (default: 1, like any failure).
    #[arg(long)]
    pub timeout_exit_code: Option<u8>,
    /// Scenarios run in parallel (default: the machine's cores). Output order never changes.
    #[arg(long, short, value_parser = at_least_one())]
    pub jobs: Option<usize>,
    /// Give a scenario up when its firmware holds the CPU in one poll for this long, in wall
    /// time (`60s`, `5m`, `off`): a task looping with no `.await`. It fails with the task's
    /// name; the other scenarios run, and the command exits once they are done.
    #[arg(long, default_value = "60s")]
    pub hang_limit: String,
}

/// `fwsim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files, directories or glob patterns.
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// The app for scenarios that name none.
    #[arg(long)]
    pub app: Option<String>,
}

/// `fwsim new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The app the scenario is for.
    pub app: String,
    /// Write here instead of printing (refuses to overwrite).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// A run order on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PolicyArg {
    /// embassy-executor's order.
    Embassy,
    /// MicroPython asyncio's order.
    Micropython,
    /// First in, first out.
    Fifo,
    /// Random order from the seed.
    Random,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Verdicts for people.
    Human,
    /// One JSON array of reports.
    Json,
}

/// A wall-clock time on the command line, read as the `FWSIM_TIME_LIMIT` variable reads it
/// (`500ms`, `30s`, `10m`, `1h`).
pub(crate) fn wall_time(flag: &str, text: &str) -> Result<std::time::Duration, String> {
    fwsim::fuzz::parse_wall_time(text)
        .ok_or_else(|| format!("{flag}: `{text}` is not a wall-clock time; expected one such as 500ms, 30s, 10m or 1h"))
}

/// `--hang-limit`: a wall-clock time, or `off`.
pub(crate) fn hang_limit(text: &str) -> Result<Option<std::time::Duration>, String> {
    match text {
        "off" => Ok(None),
        _ => wall_time("--hang-limit", text).map(Some).map_err(|e| format!("{e}, or `off`")),
    }
}

/// A count of threads: 1 or more (clap names the flag and the range when it is not).
fn at_least_one() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..)
}
