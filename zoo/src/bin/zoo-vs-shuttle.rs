//! fwsim against shuttle 0.9 on the same primitive code: the zoo's eight task-only bugs (see
//! `fwsim_zoo::on_shuttle`), each explorer over the same seeds and budget, then executions
//! per second on the real primitives, side by side in one process.
//!
//! `cargo run -p fwsim-zoo --release --bin zoo-vs-shuttle -- [SEEDS] [BUDGET] [SPEED_RUNS] [BUG…] 2>/dev/null`
//! (default 20, 10000, 200000, every bug; shuttle prints every failure it finds on stderr).
//! `SPEED_RUNS` is a round of shuttle's; a round of fwsim's is ten times as many executions.
//! `SEEDS` 0 skips the find table: `zoo-vs-shuttle 0` measures speed only, and
//! `zoo-vs-shuttle 0 0 200000 barrier-reuse` the speed of one bug.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fwsim::fuzz::{Fuzz, Strategy};
use fwsim_zoo::on_shuttle::{SHUTTLE_ZOO, ShuttleBug};
use fwsim_zoo::{Bug, ZOO};
use shuttle::scheduler::{PctScheduler, RandomScheduler, Scheduler};
use shuttle::{Config, FailurePersistence, Runner};

/// Shuttle's explorers, by the name fwsim's table uses.
#[derive(Clone, Copy)]
enum Peer {
    Random,
    Pct(usize),
}

fn shuttle_run<S: Scheduler + 'static>(scheduler: S, body: impl Fn() + Send + Sync + 'static) -> Result<u64, u64> {
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.silence_warnings = true;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        Runner::new(scheduler, config).run(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            body()
        })
    }));
    let n = count.load(Ordering::Relaxed);
    if outcome.is_ok() { Ok(n) } else { Err(n) }
}

fn shuttle_campaign(peer: Peer, seed: u64, budget: usize, bug: &ShuttleBug, mutated: bool) -> Result<u64, u64> {
    match peer {
        Peer::Random => shuttle_run(RandomScheduler::new_from_seed(seed, budget), bug.body(mutated)),
        Peer::Pct(d) => shuttle_run(PctScheduler::new_from_seed(seed, d, budget), bug.body(mutated)),
    }
}

fn fwsim_campaign(strategy: Strategy, seed: u64, budget: u64, bug: &Bug) -> Fuzz {
    bug.fuzz(strategy)
        .name(format!("zoo-vs-shuttle-{}", bug.name))
        .seed(seed)
        .iterations(budget)
        .shrink_limit(Duration::ZERO)
}

/// "found/seeds · median".
fn cell(mut found: Vec<u64>, seeds: u64) -> String {
    found.sort_unstable();
    match found.get(found.len().saturating_sub(1) / 2) {
        Some(m) => format!("{}/{seeds} · {m}", found.len()),
        None => format!("0/{seeds}"),
    }
}

fn main() {
    const USAGE: &str = "usage: zoo-vs-shuttle [SEEDS] [BUDGET] [SPEED_RUNS] [BUG…]";
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Up to three numbers, then bug names.
    let numbers: Vec<u64> = args.iter().map_while(|a| a.parse().ok()).take(3).collect();
    let seeds = numbers.first().copied().unwrap_or(20);
    let budget = numbers.get(1).copied().unwrap_or(10_000);
    let speed_runs = numbers.get(2).copied().unwrap_or(200_000);
    let chosen = &args[numbers.len()..];
    for name in chosen {
        if !SHUTTLE_ZOO.iter().any(|p| p.name == name) {
            let names: Vec<&str> = SHUTTLE_ZOO.iter().map(|p| p.name).collect();
            eprintln!(
                "zoo-vs-shuttle: `{name}` is neither a whole number nor one of the bugs ({}); {USAGE}",
                names.join(", ")
            );
            std::process::exit(2)
        }
    }
    let ports: Vec<&ShuttleBug> =
        SHUTTLE_ZOO.iter().filter(|p| chosen.is_empty() || chosen.iter().any(|n| n == p.name)).collect();
    if seeds > 0 {
        // The mutants' panics are the point of the find table: silenced there only, so that a
        // panic of the speed table (shuttle failing a real primitive) is still printed.
        let printing = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        find_table(&ports, seeds, budget);
        std::panic::set_hook(printing);
    }
    // A ratio moves with the CPU: every speed table says which one it was measured on.
    println!("\ncpu: {}", fwsim_benches::cpu::describe());
    println!(
        "\nExecutions per second on the real primitives, random explorer on both: {ROUNDS} rounds of \
         {} executions of fwsim and {speed_runs} of shuttle (equal times at the goal's ratio), taking \
         turns; the median round of each and its ratio, then each side's slowest and fastest round \
         and the ratio of the fastest (a slow spell of the host only ever lowers a round):\n",
        speed_runs * FWSIM_ROUND_SCALE
    );
    println!("| bug | fwsim | shuttle | ratio | fwsim rounds | shuttle rounds | fastest ratio |");
    println!("|---|---|---|---|---|---|---|");
    let mut slowest: Option<(f64, &str)> = None;
    for port in &ports {
        let bug = ZOO.iter().find(|b| b.name == port.name).expect("every port is a zoo bug");
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        // Taking turns, so that a slow spell of a shared machine slows both alike.
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let report = fwsim_campaign(Strategy::Random, 1, speed_runs * FWSIM_ROUND_SCALE, bug).run(bug.body(false));
            ours.push(report.executions as f64 / started.elapsed().as_secs_f64());
            let started = Instant::now();
            match shuttle_campaign(Peer::Random, 1, speed_runs as usize, port, false) {
                Ok(n) => theirs.push(n as f64 / started.elapsed().as_secs_f64()),
                Err(n) => panic!("{}: shuttle fails the real primitive after {n} executions", port.name),
            }
        }
        let (ours, theirs) = (Rounds::of(ours), Rounds::of(theirs));
        let ratio = ours.median / theirs.median;
        if slowest.is_none_or(|(lowest, _)| ratio < lowest) {
            slowest = Some((ratio, port.name));
        }
        println!(
            "| {} | {:.0}/s | {:.0}/s | {:.1}× | {} | {} | {:.1}× |",
            port.name,
            ours.median,
            theirs.median,
            ratio,
            ours.spread(),
            theirs.spread(),
            ours.fastest / theirs.fastest
        );
    }
    if let Some((ratio, name)) = slowest {
        // A reading, not a verdict: one run on a shared host moves by several per cent.
        let side = if ratio >= 10.0 { "at or above" } else { "below" };
        println!("\nlowest median ratio: {ratio:.2}× ({name}), {side} FUZZING.md's goal of 10× in this run");
    }
}

/// Seeds that find each bug and the median executions, for every explorer on both sides.
fn find_table(ports: &[&ShuttleBug], seeds: u64, budget: u64) {
    println!(
        "Seeds {seeds}, at most {budget} executions each. Cell: seeds that find the bug / median executions \
         (DFS takes no seed: its one search is every seed's).\n"
    );
    println!(
        "| bug | fwsim random | fwsim pct d2 | fwsim pct d3 | fwsim dfs b2 | shuttle random | shuttle pct d2 | shuttle pct d3 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for port in ports {
        let bug = ZOO.iter().find(|b| b.name == port.name).expect("every port is a zoo bug");
        let mut cells = Vec::new();
        for s in [Strategy::Random, Strategy::Pct { depth: 2 }, Strategy::Pct { depth: 3 }] {
            let found: Vec<u64> = (0..seeds)
                .filter_map(|seed| {
                    fwsim_campaign(s, seed, budget, bug).try_run(bug.body(true)).err().map(|f| f.execution)
                })
                .collect();
            cells.push(cell(found, seeds));
        }
        let dfs = fwsim_campaign(Strategy::Dfs { bound: 2 }, 0, budget, bug).try_run(bug.body(true));
        cells.push(match dfs {
            Err(f) => format!("{seeds}/{seeds} · {}", f.execution),
            Ok(_) => format!("0/{seeds}"),
        });
        for peer in [Peer::Random, Peer::Pct(2), Peer::Pct(3)] {
            let found: Vec<u64> =
                (0..seeds).filter_map(|seed| shuttle_campaign(peer, seed, budget as usize, port, true).err()).collect();
            cells.push(cell(found, seeds));
        }
        println!("| {} | {} |", port.name, cells.join(" | "));
    }
}

/// Rounds of the speed comparison: enough that a slow spell of a shared host (several
/// seconds) cannot cover most of a bug's rounds (nine of each side take about half a minute a
/// bug).
const ROUNDS: usize = 9;

/// How many times shuttle's executions a round of fwsim runs: the goal's ratio, so that at the
/// goal both sides' rounds last as long and a host whose speed drifts over seconds touches
/// both alike. (With rounds of equal executions fwsim's lasted a tenth of shuttle's: a slow
/// spell could hold most of fwsim's short rounds while each of shuttle's long ones averaged
/// over it, and the medians then compared unlike conditions.)
const FWSIM_ROUND_SCALE: u64 = 10;

/// One side's rounds of the speed table, in executions per second.
struct Rounds {
    slowest: f64,
    median: f64,
    fastest: f64,
}

impl Rounds {
    fn of(mut rates: Vec<f64>) -> Rounds {
        rates.sort_by(f64::total_cmp);
        Rounds { slowest: rates[0], median: rates[rates.len() / 2], fastest: rates[rates.len() - 1] }
    }

    /// The slowest and the fastest round, in thousands per second.
    fn spread(&self) -> String {
        format!("{:.0}–{:.0} k/s", self.slowest / 1e3, self.fastest / 1e3)
    }
}
