//! The differential property test, shared by both oracles: generate programs, run them in
//! batches on the real implementation and one by one on fwsim, shrink the first mismatch.
//!
//! `FWSIM_CONFORMANCE_CASES` (default 1000) sets how many programs, `FWSIM_CONFORMANCE_SEED`
//! (default fixed) which ones.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use fwsim_programs::{Outcome, Program, first_difference};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Shrinks a failing program with single-program runs; `differs` runs both sides.
fn shrink(
    mut tree: impl ValueTree<Value = Program>,
    differs: &dyn Fn(&Program) -> Option<(Outcome, Outcome)>,
) -> (Program, Outcome, Outcome) {
    let mut best = tree.current();
    let (mut best_real, mut best_sim) = differs(&best).expect("the program failed in the batch");
    let mut steps = 0;
    while steps < 500 && tree.simplify() {
        steps += 1;
        loop {
            let candidate = tree.current();
            match differs(&candidate) {
                Some((r, s)) => {
                    best = candidate;
                    (best_real, best_sim) = (r, s);
                    break;
                }
                None if tree.complicate() => continue,
                None => break,
            }
        }
    }
    (best, best_real, best_sim)
}

/// Runs the differential test: `real` runs a batch on the oracle, `ours` one program on
/// fwsim. Prints the counts; on a mismatch returns the shrunk program, both mark sequences
/// and the first difference (with `render` showing the program in the oracle's terms).
pub fn check(
    oracle: &str,
    strategy: impl Strategy<Value = Program>,
    real: &dyn Fn(&[Program]) -> Vec<Outcome>,
    ours: &dyn Fn(&Program) -> Outcome,
    render: &dyn Fn(&Program) -> String,
) -> Result<(), String> {
    let cases = env_number("FWSIM_CONFORMANCE_CASES", 1000) as usize;
    let seed = env_number("FWSIM_CONFORMANCE_SEED", 0x5eed_f00d);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let mut trees: Vec<_> = (0..cases).map(|_| strategy.new_tree(&mut runner).expect("a program")).collect();
    let programs: Vec<Program> = trees.iter().map(|t| t.current()).collect();
    let mut outcomes = Vec::with_capacity(cases);
    for batch in programs.chunks(250) {
        outcomes.extend(real(batch));
    }
    let mismatches: Vec<usize> = (0..cases).filter(|&i| outcomes[i] != ours(&programs[i])).collect();
    let marks: usize = outcomes.iter().map(|o| o.marks.len()).sum();
    eprintln!("{cases} random programs (seed {seed:#x}), {marks} marks compared, {} mismatches", mismatches.len());
    let Some(&first) = mismatches.first() else { return Ok(()) };
    let differs = |p: &Program| {
        let r = real(std::slice::from_ref(p)).remove(0);
        let s = ours(p);
        (r != s).then_some((r, s))
    };
    let (p, r, s) = shrink(trees.swap_remove(first), &differs);
    Err(format!(
        "{} of {cases} programs differ (seed {seed:#x}); the first, shrunk:\n  program: {}\n  {oracle}: {r:?}\n  fwsim: {s:?}\n  first difference: {}\n{}",
        mismatches.len(),
        serde_json::to_string(&p).unwrap_or_default(),
        first_difference(&r, &s).unwrap_or_default(),
        render(&p)
    ))
}
