//! `#[fwsim::test]` on async test bodies.

use std::cell::Cell;
use std::rc::Rc;

use embassy_time::{Duration, Timer};

#[fwsim::test]
async fn a_plain_async_test_runs_in_virtual_time() {
    Timer::after(Duration::from_secs(3600)).await;
    assert_eq!(fwsim::now(), fwsim::SimTime::from_secs(3600));
}

#[fwsim::test(order = "micropython")]
async fn a_test_may_return_a_result() -> Result<(), String> {
    let child = fwsim::spawn("child", async { 7 });
    let seven = child.await.map_err(|e| e.to_string())?;
    if seven == 7 { Ok(()) } else { Err(format!("got {seven}")) }
}

#[fwsim::test]
#[should_panic(expected = "the test returned an error: \"got 8\"")]
async fn an_error_returned_fails_the_test() -> Result<(), String> {
    Err("got 8".into())
}

/// Under an explorer too: the error is the failure the campaign reports and shrinks.
#[fwsim::test(explorer = "dfs", bound = 1)]
#[should_panic(expected = "the test returned an error: \"lost\"")]
async fn an_error_returned_fails_a_fuzzed_test() -> Result<(), String> {
    if two_increments(false).await == 2 { Ok(()) } else { Err("lost".into()) }
}

/// Two workers increment with a yield between read and write; the second starts a turn later.
async fn two_increments(atomic: bool) -> usize {
    let count = Rc::new(Cell::new(0));
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let count = count.clone();
            fwsim::spawn(format!("worker{w}"), async move {
                if w == 1 {
                    fwsim::yield_now().await;
                }
                if atomic {
                    count.set(count.get() + 1);
                    fwsim::yield_now().await;
                } else {
                    let seen = count.get();
                    fwsim::yield_now().await;
                    count.set(seen + 1);
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    count.get()
}

#[fwsim::test(explorer = "dfs", bound = 3)]
async fn a_correct_body_passes_every_schedule_within_the_bound() {
    assert_eq!(two_increments(true).await, 2);
}

#[fwsim::test(explorer = "random", iterations = 500)]
#[should_panic(expected = "an increment was lost")]
async fn random_exploration_finds_a_lost_update() {
    assert_eq!(two_increments(false).await, 2, "an increment was lost");
}

#[fwsim::test(explorer = "pct", depth = 2)]
#[should_panic(expected = "1 deviation(s) from the Fifo order, the fewest possible")]
async fn pct_finds_it_and_the_report_gives_the_shrunk_schedule() {
    assert_eq!(two_increments(false).await, 2, "an increment was lost");
}
