//! The README's "Schedule fuzzing" example, verbatim (the last test checks that it is).

use std::cell::Cell;
use std::rc::Rc;

/// Adds to a shared total with an await between the read and the write.
async fn deposit(total: Rc<Cell<u32>>, amount: u32) {
    let balance = total.get();
    fwsim::yield_now().await; // a flash write, a log line…
    total.set(balance + amount);
}

#[fwsim::test(explorer = "dfs", bound = 2)]
#[should_panic(expected = "a deposit was lost")]
async fn deposits_race() {
    let total = Rc::new(Cell::new(0));
    let a = fwsim::spawn("a", deposit(total.clone(), 10));
    let b = fwsim::spawn("b", deposit(total.clone(), 5));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(total.get(), 15, "a deposit was lost");
}

#[test]
fn this_file_holds_the_readme_example() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = &readme[readme.find("## Schedule fuzzing").unwrap()..];
    let block = &section[section.find("```rust\n").unwrap() + 8..];
    let block = &block[..block.find("```").unwrap()];
    let this = include_str!("readme_fuzz_example.rs");
    assert!(this.contains(block), "README's example differs from this file");
}
