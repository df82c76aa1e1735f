//! A failed campaign's panic, and a failed `fwsim::test`'s verdict, name the test's line, not a
//! line inside fwsim: the first thing libtest prints is "panicked at <location>", and it
//! should lead to the test.
//! (One test in its own process: the panic hook is process-wide.)

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use fwsim::fuzz::{Fuzz, Strategy};

/// Every report of fwsim's: the thread that raised it, its file, line and first line.
static REPORT_LOCATIONS: Mutex<Vec<(String, String, u32, String)>> = Mutex::new(Vec::new());

/// Fails when the task it spawns runs before it resumes (FIFO's own order, so at once).
#[fwsim::test(explorer = "dfs", bound = 1)]
#[should_panic(expected = "the spawned task ran first")]
async fn an_attribute_test_that_fails() {
    let spawned = fwsim::spawn("spawned", async {});
    fwsim::yield_now().await;
    assert!(!spawned.is_finished(), "the spawned task ran first");
}

#[fwsim::test]
#[should_panic(expected = "the simulation recorded 1 error(s)")]
async fn a_plain_test_whose_task_panics() {
    let boom = fwsim::spawn("boom", async { panic!("sensor read failed") });
    while !boom.is_finished() {
        fwsim::yield_now().await;
    }
}

#[test]
fn the_failure_report_points_at_the_test() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let report = info.payload().downcast_ref::<String>().filter(|m| m.starts_with("fwsim: "));
        match (report, info.location()) {
            (Some(message), Some(at)) => {
                let thread = std::thread::current().name().unwrap_or_default().to_owned();
                let first = message.lines().next().unwrap_or_default().to_owned();
                REPORT_LOCATIONS.lock().unwrap().push((thread, at.file().to_owned(), at.line(), first));
            }
            _ => default_hook(info),
        }
    }));

    let builder_line = line!() + 2;
    let failed =
        catch_unwind(|| Fuzz::new(Strategy::Dfs { bound: 1 }).name("report_location-builder").run(common::lost(2, 1)));
    assert!(failed.is_err(), "the campaign finds the lost update");
    assert!(catch_unwind(AssertUnwindSafe(an_attribute_test_that_fails)).is_err());
    let plain_line = line!() + 2;
    let failed = catch_unwind(|| {
        fwsim::test(|sim| {
            sim.spawn("boom", async { panic!("sensor read failed") });
            sim.run_until_stalled().unwrap();
        })
    });
    assert!(failed.is_err(), "a task's panic fails the test");
    assert!(catch_unwind(AssertUnwindSafe(a_plain_test_whose_task_panics)).is_err());
    // A body that is not deterministic: its executions meet other choices, or a failure does
    // not fail again when its execution is rerun to record the schedule.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let diverging_line = line!() + 2;
    let failed = catch_unwind(|| {
        Fuzz::new(Strategy::Dfs { bound: 3 }).name("report_location-diverging").run(|sim| {
            for t in 0..2 + RUNS.fetch_add(1, Ordering::Relaxed) % 3 {
                sim.spawn(format!("t{t}"), fwsim::yield_now());
            }
            sim.run_until_stalled().unwrap();
        })
    });
    assert!(failed.is_err(), "the diverging body is refused");
    let failing_once_line = line!() + 2;
    let failed = catch_unwind(|| {
        Fuzz::new(Strategy::Random).name("report_location-fails-once").run(|sim| {
            sim.spawn("t", fwsim::yield_now());
            sim.run_until_stalled().unwrap();
            assert!(RUNS.fetch_add(1, Ordering::Relaxed) != 20, "one execution fails");
        })
    });
    assert!(failed.is_err(), "the body failing once is refused");

    // The `should_panic` test above may run at the same time, on a thread of its own.
    let this_thread = std::thread::current().name().unwrap_or_default().to_owned();
    let reports: Vec<_> =
        REPORT_LOCATIONS.lock().unwrap().iter().filter(|(thread, ..)| *thread == this_thread).cloned().collect();
    let locations: Vec<_> = reports.iter().map(|(_, file, line, _)| (file.clone(), *line)).collect();
    let here = file!();
    assert_eq!(locations.len(), 6, "one report per failed test: {locations:?}");
    assert_eq!(locations[0], (here.to_owned(), builder_line), "the builder's report names its `run` call");
    assert_eq!(locations[1].0, here, "the attribute's report names the test's file: {locations:?}");
    assert_eq!(locations[2], (here.to_owned(), plain_line), "fwsim::test's verdict names its call");
    assert_eq!(locations[3].0, here, "so does a plain #[fwsim::test]'s: {locations:?}");
    assert_eq!(locations[4], (here.to_owned(), diverging_line), "'not deterministic' names the `run` call");
    assert_eq!(locations[5], (here.to_owned(), failing_once_line), "so does a failure that does not recur");
    let verdict = |i: usize| reports[i].3.clone();
    assert!(verdict(2).contains("the simulation recorded 1 error(s)"), "{}", verdict(2));
    assert!(verdict(4).contains("is not deterministic: execution"), "{}", verdict(4));
    assert!(verdict(5).contains("run again with the same answers it passed"), "{}", verdict(5));
}
