//! The README's "Schedule fuzzing" example, verbatim (the last test checks that it is).

use std::cell::Cell;
use std::rc::Rc;

/// Adds to a shared total with an await between the read and the write.
async fn deposit(total: Rc<Cell<u32>>, amount: u32) {
    let balance = total.get();
    fwsim::yield_now().await; // a flash write, a log line…
    total.set(balance + amount);
}

/// Adds a bonus once the other tasks have had their turn: no await between its read and write.
async fn bonus(total: Rc<Cell<u32>>) {
    fwsim::yield_now().await;
    total.set(total.get() + 5);
}

#[fwsim::test(explorer = "dfs", bound = 2)]
#[should_panic(expected = "a deposit was lost")]
async fn deposits_race() {
    let total = Rc::new(Cell::new(0));
    let a = fwsim::spawn("deposit", deposit(total.clone(), 10));
    let b = fwsim::spawn("bonus", bonus(total.clone()));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(total.get(), 15, "a deposit was lost");
}

// The checks, after the example (which must stay one block, as the README has it).
mod common;

use common::{doc_block, relative_artifacts};

#[test]
fn this_file_holds_the_readme_example() {
    let this = include_str!("readme_fuzz_example.rs");
    assert!(this.contains(&readme_block("rust")), "README's example differs from this file");
}

/// The failure report the README prints under the example is the one the example gives: each
/// of its lines (but the elided one) is a line of the real report.
#[test]
fn the_readme_shows_the_report_the_example_gives() {
    let shown = readme_block("text");
    // Named as libtest names the test, since the report names the thread's test.
    let report = std::thread::Builder::new()
        .name("deposits_race".into())
        .spawn(|| std::panic::catch_unwind(deposits_race).expect_err("the example fails"))
        .unwrap()
        .join()
        .unwrap();
    let report = relative_artifacts(report.downcast_ref::<String>().expect("a formatted report"));
    let report = as_if_pasted(&report);
    for line in shown.lines().filter(|l| l.trim() != "…") {
        assert!(report.lines().any(|l| l == line), "README line `{line}` is not in the report:\n{report}");
    }
}

/// `report` with the assertion's location in this file written as it is in the README's block
/// pasted into `tests/deposits.rs`, as the README shows it.
fn as_if_pasted(report: &str) -> String {
    let line_of = |text: &str| text.lines().position(|l| l.contains("assert_eq!(total.get()")).unwrap() + 1;
    let here =
        format!("raised at sim/tests/readme_fuzz_example.rs:{}:5", line_of(include_str!("readme_fuzz_example.rs")));
    assert!(report.contains(&here), "the report names the assertion `{here}`:\n{report}");
    report.replace(&here, &format!("raised at tests/deposits.rs:{}:5", line_of(&readme_block("rust"))))
}

/// The first code block of kind `kind` in the README's fuzzing section.
fn readme_block(kind: &str) -> String {
    doc_block("README.md", "## Schedule fuzzing", kind)
}
