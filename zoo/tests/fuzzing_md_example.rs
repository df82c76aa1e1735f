//! `FUZZING.md`'s first example, verbatim (the last test checks that it is): a queue test
//! fuzzed with PCT over the real `Queue`.

use std::rc::Rc;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use fwsim_primitives::Queue;

#[fwsim::test(explorer = "pct", depth = 2, iterations = 2000)]
async fn the_queue_loses_nothing() {
    let queue = Rc::new(Queue::<NoopRawMutex, u32, 2>::new());
    let q = queue.clone();
    let producer = fwsim::spawn("producer", async move {
        for i in 1..=5 {
            q.put(i).await; // waits while the queue is full
        }
    });
    let mut sum = 0;
    for _ in 0..5 {
        sum += queue.get().await;
    }
    producer.await.unwrap();
    assert_eq!(sum, 15, "an item was lost or repeated");
}

#[test]
fn this_file_holds_the_fuzzing_md_example() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../FUZZING.md")).unwrap();
    let block = &doc[doc.find("```rust\n").unwrap() + "```rust\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    assert!(include_str!("fuzzing_md_example.rs").contains(block), "FUZZING.md's first example differs from this file");
}
