//! Prints the bug zoo's find rates as the markdown table of `FUZZING.md`: for every bug and
//! explorer, the share of seeds that find the mutant within the execution budget and the
//! median executions to the first failure; then executions per second on the real
//! primitives.
//!
//! `cargo run -p fwsim-zoo --release --bin zoo-table -- [SEEDS] [BUDGET] [CLEAN]` (default
//! 20, 10000 and 100000: CLEAN executions of every real primitive under random and PCT d3
//! must report nothing).

use std::time::{Duration, Instant};

use fwsim::fuzz::{Fuzz, Strategy};
use fwsim_zoo::{Bug, ZOO};

const EXPLORERS: [Strategy; 4] =
    [Strategy::Random, Strategy::Pct { depth: 2 }, Strategy::Pct { depth: 3 }, Strategy::Dfs { bound: 2 }];

fn campaign(strategy: Strategy, seed: u64, budget: u64, bug: &Bug) -> Fuzz {
    bug.fuzz(strategy)
        .name(format!("zoo-table-{}", bug.name))
        .seed(seed)
        .iterations(budget)
        .shrink_limit(Duration::ZERO)
}

/// Executions to the first failure for each seed (`None`: not found within the budget).
fn find(bug: &Bug, strategy: Strategy, seeds: u64, budget: u64) -> Vec<Option<u64>> {
    // DFS draws nothing at random: one run stands for every seed.
    let seeds = if matches!(strategy, Strategy::Dfs { .. }) { 1 } else { seeds };
    (0..seeds)
        .map(|seed| campaign(strategy, seed, budget, bug).try_run(bug.body(true)).err().map(|f| f.execution))
        .collect()
}

fn median(mut found: Vec<u64>) -> Option<u64> {
    found.sort_unstable();
    found.get(found.len().saturating_sub(1) / 2).copied()
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().expect("SEEDS and BUDGET are whole numbers"));
    let seeds = args.next().unwrap_or(20);
    let budget = args.next().unwrap_or(10_000);
    let clean = args.next().unwrap_or(100_000);
    println!(
        "Seeds: {seeds}, budget: {budget} executions per seed. Cell: share of seeds that find it / median executions.\n"
    );
    println!("| bug | random | pct d2 | pct d3 | dfs b2 |");
    println!("|---|---|---|---|---|");
    for bug in &ZOO {
        let cells: Vec<String> = EXPLORERS
            .iter()
            .map(|&s| {
                let runs = find(bug, s, seeds, budget);
                let total = runs.len();
                let found: Vec<u64> = runs.into_iter().flatten().collect();
                match median(found.clone()) {
                    Some(m) => format!("{}/{} · {m}", found.len(), total),
                    None => format!("0/{total}"),
                }
            })
            .collect();
        println!("| {} | {} |", bug.name, cells.join(" | "));
    }
    println!("\nExecutions per second on the real primitives (no failure, {budget} executions each):\n");
    println!("| bug | random | pct d2 | dfs b2 |");
    println!("|---|---|---|---|");
    for bug in &ZOO {
        let cells: Vec<String> = [Strategy::Random, Strategy::Pct { depth: 2 }, Strategy::Dfs { bound: 2 }]
            .iter()
            .map(|&s| {
                let started = Instant::now();
                let report = match campaign(s, 0, budget, bug).try_run(bug.body(false)) {
                    Ok(report) => report,
                    Err(failure) => return format!("**the real primitive fails**: {}", failure.fault.message),
                };
                let rate = report.executions as f64 / started.elapsed().as_secs_f64();
                let exhausted = if report.exhausted { " (exhausted)" } else { "" };
                format!("{rate:.0}/s over {}{exhausted}", report.executions)
            })
            .collect();
        println!("| {} | {} |", bug.name, cells.join(" | "));
    }
    println!("\nFalse positives: {clean} executions of every real primitive under random and PCT d3:\n");
    let mut total = 0;
    for bug in &ZOO {
        for s in [Strategy::Random, Strategy::Pct { depth: 3 }] {
            match campaign(s, 1, clean, bug).try_run(bug.body(false)) {
                Ok(report) => total += report.executions,
                Err(failure) => println!("- **{} under {s} fails**: {}", bug.name, failure.fault.message),
            }
        }
    }
    println!("{total} executions, every one clean unless listed above.");
}
