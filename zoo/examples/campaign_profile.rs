//! One random campaign over a zoo bug's real primitive, for a profiler: the instruction
//! counts in `FUZZING.md` come from it.
//!
//! ```sh
//! cargo build --release -p fwsim-zoo --example campaign_profile
//! valgrind --tool=callgrind target/release/examples/campaign_profile barrier-reuse 2000
//! valgrind --tool=callgrind target/release/examples/campaign_profile barrier-reuse 6000
//! ```
//!
//! The difference between the two totals, over 4,000, is the instructions per execution
//! (the first executions and the process's start-up cancel out).

use std::time::Duration;

use fwsim::fuzz::Strategy;
use fwsim_zoo::ZOO;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "barrier-reuse".into());
    let executions = args.next().map_or(2_000, |n| n.parse().expect("executions: a whole number"));
    let Some(bug) = ZOO.iter().find(|b| b.name == name) else {
        let names: Vec<&str> = ZOO.iter().map(|b| b.name).collect();
        panic!("no zoo bug `{name}`; the bugs: {}", names.join(", "));
    };
    let report = bug
        .fuzz(Strategy::Random)
        .name("profile")
        .seed(1)
        .iterations(executions)
        .shrink_limit(Duration::ZERO)
        .run(bug.body(false));
    println!("{} executions of {name}", report.executions);
}
