//! The bug zoo's contract: every explorer passes every real primitive, and the fuzzer finds
//! every mutant and shrinks it to the fewest deviations a depth-first search can prove.

use fwsim::fuzz::{Fuzz, Strategy};
use fwsim_zoo::{Bug, ZOO};

const EXPLORERS: [Strategy; 4] =
    [Strategy::Random, Strategy::Pct { depth: 2 }, Strategy::Pct { depth: 3 }, Strategy::Dfs { bound: 2 }];

fn campaign(bug: &Bug, what: &str, strategy: Strategy) -> Fuzz {
    bug.fuzz(strategy).name(format!("zoo-{what}-{}", bug.name))
}

#[test]
fn the_zoo_has_thirteen_distinct_mutants() {
    let mut mutants: Vec<String> = ZOO.iter().map(|b| format!("{:?}", b.mutant)).collect();
    mutants.sort();
    mutants.dedup();
    assert_eq!(mutants.len(), 13);
}

#[test]
fn every_explorer_passes_every_real_primitive() {
    for bug in &ZOO {
        for strategy in EXPLORERS {
            let report = campaign(bug, "real", strategy)
                .iterations(3_000)
                .try_run(bug.body(false))
                .unwrap_or_else(|f| panic!("{} under {strategy}: the real primitive fails:\n{f}", bug.name));
            if let Strategy::Dfs { .. } = strategy {
                assert!(report.exhausted, "{} under {strategy}: {report:?}", bug.name);
            }
        }
    }
}

#[test]
fn random_finds_every_mutant_and_shrinks_it_to_the_proved_minimum() {
    for bug in &ZOO {
        for seed in 0..3 {
            let failure = campaign(bug, "mutant", Strategy::Random)
                .seed(seed)
                .iterations(10_000)
                .try_run(bug.body(true))
                .expect_err(bug.name);
            assert!(failure.proved_minimal, "{}: {failure}", bug.name);
            // The minimum, independently: DFS at bound k - 1 is exhausted, bound k fails.
            let k = failure.deviations as u32;
            if k > 0 {
                let below = campaign(bug, "below", Strategy::Dfs { bound: k - 1 }).iterations(100_000);
                assert!(below.try_run(bug.body(true)).is_ok_and(|r| r.exhausted), "{}: fewer than {k}", bug.name);
            }
            let at = campaign(bug, "at", Strategy::Dfs { bound: k }).iterations(100_000);
            assert!(at.try_run(bug.body(true)).is_err(), "{}: {k} deviations suffice", bug.name);
        }
    }
}

#[test]
fn bounded_dfs_finds_every_mutant() {
    for bug in &ZOO {
        let failure = campaign(bug, "dfs", Strategy::Dfs { bound: 2 }).try_run(bug.body(true)).expect_err(bug.name);
        assert!(failure.deviations <= 2);
    }
}

#[test]
fn the_replay_file_of_a_zoo_failure_replays_it() {
    let bug = &ZOO[0];
    let failure = campaign(bug, "replay", Strategy::Random).try_run(bug.body(true)).expect_err(bug.name);
    let file = fwsim::fuzz::ReplayFile::read(failure.replay_file.as_ref().unwrap()).unwrap();
    let again = bug.fuzz(Strategy::Random).replay(&file, bug.body(true)).expect_err("still fails");
    assert_eq!(again.fault.signature(), failure.fault.signature());
    assert!(bug.fuzz(Strategy::Random).replay(&file, bug.body(false)).is_ok(), "the real primitive passes it");
}
