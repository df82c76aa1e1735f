//! The fuzzing harness: finding, shrinking, reporting and replaying a failing schedule.

use std::cell::Cell;

mod common;

use common::{lost, lost_update};
use fwsim::fuzz::{Fuzz, ReplayFile, Strategy};
use fwsim::{Order, Sim};

#[test]
fn the_default_order_passes_and_dfs_at_bound_0_is_exhausted_at_once() {
    let report = Fuzz::new(Strategy::Dfs { bound: 0 }).name("dfs0").run(|sim| lost_update(sim, 3, 3));
    assert!(report.exhausted);
    assert_eq!(report.executions, 1, "bound 0 is the run order's own schedule only");
}

#[test]
fn dfs_exhausts_a_correct_body_and_says_so() {
    let body = |sim: &Sim| {
        for name in ["a", "b", "c"] {
            sim.spawn(name, async {
                fwsim::yield_now().await;
            });
        }
        sim.run_until_stalled().unwrap();
    };
    let bounded = Fuzz::new(Strategy::Dfs { bound: 1 }).iterations(10_000).run(body);
    let complete = Fuzz::new(Strategy::Dfs { bound: u32::MAX }).iterations(10_000).run(body);
    assert!(bounded.exhausted && complete.exhausted);
    assert!(bounded.executions < complete.executions, "{bounded:?} vs {complete:?}");
    // Three tasks, two polls each: 6!/(2!·2!·2!) = 90 interleavings of the polls.
    assert_eq!(complete.executions, 90);
}

/// The fewest deviations any failing schedule of `body` has, proved by DFS: bound `k - 1`
/// is exhausted without a failure, bound `k` fails.
fn minimum_by_dfs<F>(name: &str, body: F) -> usize
where
    F: for<'s> Fn(&'s Sim<'s>) + Sync,
{
    for bound in 0..6 {
        match Fuzz::new(Strategy::Dfs { bound }).name(name).iterations(1_000_000).try_run(&body) {
            Ok(report) => assert!(report.exhausted, "bound {bound} not exhausted: {report:?}"),
            Err(failure) => {
                assert_eq!(failure.deviations, bound as usize, "DFS finds the failure at its bound");
                return failure.deviations;
            }
        }
    }
    panic!("{name}: no failure within 5 deviations");
}

#[test]
fn random_finds_the_lost_update_and_shrinks_it_to_the_minimum_dfs_proves() {
    for (workers, late) in [(2, 1), (3, 2), (4, 2), (2, 3)] {
        let body = lost(workers, late);
        let minimum = minimum_by_dfs("lost-update-min", body);
        for seed in 0..5 {
            let failure = Fuzz::new(Strategy::Random)
                .name("lost-update-random")
                .seed(seed)
                .iterations(20_000)
                .try_run(body)
                .expect_err("random finds the lost update");
            assert_eq!(
                failure.deviations, minimum,
                "{workers} workers, {late} late, seed {seed}: shrunk from {}",
                failure.original_deviations
            );
            assert!(failure.proved_minimal);
        }
    }
}

#[test]
fn pct_with_a_learnt_horizon_finds_a_depth_two_bug() {
    // (Two late yields, not three: under PCT each yield hands over to the other task, so
    // every further late yield the bug must run past costs another change point.)
    let failure = Fuzz::new(Strategy::Pct { depth: 2 })
        .name("pct-lost-update")
        .iterations(2_000)
        .try_run(|s| lost_update(s, 2, 2))
        .expect_err("pct finds it");
    assert_eq!(failure.deviations, minimum_by_dfs("pct-min", |s| lost_update(s, 2, 2)));
    let file = ReplayFile::read(failure.replay_file.as_ref().unwrap()).unwrap();
    assert_eq!(file.explorer, Strategy::Pct { depth: 2 });
    assert!(file.pct_horizon.is_some_and(|h| h > 0), "the horizon was learnt: {file:?}");
}

/// The shrunk run's trace shows each deviation as what it is: a choice point's number, the
/// option taken and how many there were (not a task: the poll after it shows the task run),
/// in the JSON lines and on a track of its own in the Perfetto file.
#[test]
fn the_trace_of_a_failure_shows_its_deviations() {
    let failure =
        Fuzz::new(Strategy::Dfs { bound: 1 }).name("trace::lost_update").try_run(|s| lost_update(s, 2, 1)).unwrap_err();
    let [deviation] = &failure.schedule.deviations[..] else { panic!("one deviation: {:?}", failure.schedule) };
    let dir = failure.artifacts.as_ref().unwrap();
    let lines = std::fs::read_to_string(dir.join("trace.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let shown: Vec<_> = records.iter().filter(|r| r["kind"] == "Deviation").collect();
    assert_eq!(shown.len(), 1, "{lines}");
    assert_eq!(shown[0]["choice"], deviation.choice);
    assert_eq!(shown[0]["alternative"], deviation.alternative);
    assert_eq!(shown[0]["options"], deviation.options);
    assert!(shown[0]["task"].is_null(), "{}", shown[0]);
    let perfetto: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("trace.perfetto.json")).unwrap()).unwrap();
    let events = perfetto["traceEvents"].as_array().unwrap();
    let marks: Vec<_> = events.iter().filter(|e| e["name"] == "deviation").collect();
    assert_eq!(marks.len(), 1);
    assert_eq!((&marks[0]["tid"], &marks[0]["args"]["alternative"]), (&4.into(), &deviation.alternative.into()));
    // Every task track is a task that ran: none is made up of an option's index.
    let tracks: Vec<&str> =
        events.iter().filter(|e| e["ph"] == "M").map(|e| e["args"]["name"].as_str().unwrap()).collect();
    assert!(tracks.iter().all(|t| !t.starts_with('?')), "{tracks:?}");
    assert!(tracks.contains(&"schedule deviations"), "{tracks:?}");
}

#[test]
fn the_report_says_what_where_when_and_how_to_replay() {
    let failure =
        Fuzz::new(Strategy::Random).name("report::lost_update").try_run(|s| lost_update(s, 2, 1)).expect_err("found");
    let text = failure.to_string();
    let shown = common::doc_block("FUZZING.md", "## When it fails", "text");
    let relative = common::relative_artifacts(&text);
    for line in shown.lines() {
        assert!(relative.lines().any(|l| l == line), "FUZZING.md's line `{line}` is not in the report:\n{text}");
    }
    for needle in [
        "`report::lost_update` failed in execution",
        "panic in the test body at virtual time",
        "an increment was lost",
        "raised at sim/tests/common/mod.rs:",
        "1 deviation(s) from the Fifo order, the fewest possible",
        "\n    at 0.000000000s: worker1#1 ran before worker0#0, before any task ran\n",
        "FWSIM_REPLAY=",
        "cargo test lost_update",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let dir = failure.artifacts.as_ref().unwrap();
    for artifact in ["replay.json", "trace.jsonl", "trace.perfetto.json", "diagnostics.txt"] {
        assert!(dir.join(artifact).exists(), "{artifact} in {}", dir.display());
    }
    let file = ReplayFile::read(&dir.join("replay.json")).unwrap();
    assert_eq!(file.test, "report::lost_update");
    assert_eq!(file.schedule, failure.schedule);
    assert_eq!(file.fwsim_version, env!("CARGO_PKG_VERSION"));

    // The file replays the failure, bit for bit: the same trace, written afresh; against fixed
    // code it passes.
    let trace = std::fs::read(dir.join("trace.jsonl")).unwrap();
    std::fs::remove_file(dir.join("trace.jsonl")).unwrap();
    let replayed = Fuzz::new(Strategy::Random).replay(&file, |s| lost_update(s, 2, 1)).unwrap_err();
    assert_eq!(replayed.fault.message, failure.fault.message);
    assert_eq!(replayed.execution, 0);
    let again = replayed.artifacts.as_ref().unwrap().join("trace.jsonl");
    assert!(std::fs::read(again).unwrap() == trace, "the replay's trace is the failure's");
    let fixed = Fuzz::new(Strategy::Random).replay(&file, |sim| {
        let count = sim.alloc(Cell::new(0));
        let count = &*count;
        for w in 0..2 {
            sim.spawn(format!("worker{w}"), async move {
                for _ in 0..w {
                    fwsim::yield_now().await;
                }
                count.set(count.get() + 1);
                fwsim::yield_now().await;
            });
        }
        sim.run_until_stalled().unwrap();
        assert_eq!(count.get(), 2);
    });
    assert_eq!(fixed.unwrap().executions, 1);
}

/// A replay file whose schedule no longer fits the body (here: a task it names is gone) is
/// refused, not taken for a pass; a file written by another fwsim version says so.
#[test]
fn a_replay_that_no_longer_fits_is_refused_and_names_the_versions() {
    let failure =
        Fuzz::new(Strategy::Random).name("replay::misfit").try_run(|s| lost_update(s, 2, 1)).expect_err("found");
    let mut file = ReplayFile::read(failure.replay_file.as_ref().unwrap()).unwrap();
    let misfit = |file: &ReplayFile| {
        let file = file.clone();
        let outcome =
            std::panic::catch_unwind(move || Fuzz::new(Strategy::Random).replay(&file, |s| lost_update(s, 1, 1)));
        let payload = outcome.expect_err("a schedule that no longer fits panics");
        payload.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    let same = misfit(&file);
    assert!(same.contains("no longer fits the test"), "{same}");
    assert!(same.contains("the test or the code under test changed"), "{same}");
    file.fwsim_version = "0.0.1".into();
    let older = misfit(&file);
    assert!(older.contains(&format!("written by fwsim 0.0.1, this is fwsim {}", env!("CARGO_PKG_VERSION"))), "{older}");
}

#[test]
fn a_task_that_must_finish_but_waits_forever_is_a_deadlock_failure() {
    // A lost wake-up: the waiter checks a flag, then (a turn later) starts waiting for the
    // next pulse; the setter raises the flag and pulses. A pulse with nobody waiting is lost,
    // so a setter that runs inside the waiter's window leaves it waiting for ever.
    let failure = Fuzz::new(Strategy::Random)
        .name("deadlock")
        .try_run(|sim| {
            let ready = sim.alloc(Cell::new(false));
            let pulses = sim.alloc(Cell::new(0u32));
            let waiter_waker = sim.alloc(std::cell::RefCell::new(None::<std::task::Waker>));
            let (ready, pulses, waiter_waker) = (&*ready, &*pulses, &*waiter_waker);
            sim.spawn("waiter", async move {
                if !ready.get() {
                    fwsim::yield_now().await;
                    let start = pulses.get();
                    std::future::poll_fn(|cx| {
                        if pulses.get() != start {
                            return std::task::Poll::Ready(());
                        }
                        *waiter_waker.borrow_mut() = Some(cx.waker().clone());
                        std::task::Poll::Pending
                    })
                    .await;
                }
            })
            .must_finish();
            sim.spawn("setter", async move {
                fwsim::yield_now().await;
                ready.set(true);
                pulses.set(pulses.get() + 1);
                if let Some(w) = waiter_waker.borrow_mut().take() {
                    w.wake();
                }
            });
            sim.run_until_stalled().unwrap();
        })
        .expect_err("the deadlock is found");
    assert_eq!(failure.fault.kind, "Deadlock", "{failure}");
    assert!(failure.fault.message.contains("waiter"), "names the waiting task: {failure}");
    assert_eq!(failure.deviations, 1);
}

#[test]
fn a_task_panic_is_reported_with_its_task() {
    let failure = Fuzz::new(Strategy::Dfs { bound: 2 })
        .name("task-panic")
        .try_run(|sim| {
            let turn = sim.alloc(Cell::new(0));
            let turn = &*turn;
            sim.spawn("first", async move {
                fwsim::yield_now().await;
                turn.set(1);
            });
            sim.spawn("second", async move {
                fwsim::yield_now().await;
                assert_eq!(turn.get(), 1, "second ran before first");
            });
            sim.run_until_stalled().unwrap();
        })
        .expect_err("found");
    assert_eq!(failure.fault.kind, "TaskPanicked");
    assert_eq!(failure.fault.task.as_deref(), Some("second#1"));
    let location = failure.fault.location.as_deref().unwrap_or_default();
    assert!(location.starts_with("sim/tests/fuzz.rs:"), "the assertion's location: {location:?}");
    assert!(failure.fault.message.contains("second ran before first"));
}

#[test]
fn a_body_that_is_not_deterministic_is_named_as_such() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let outcome = std::panic::catch_unwind(|| {
        Fuzz::new(Strategy::Dfs { bound: 3 }).name("nondeterministic").run(|sim| {
            let tasks = 2 + RUNS.fetch_add(1, Ordering::Relaxed) % 3;
            for t in 0..tasks {
                sim.spawn(format!("t{t}"), fwsim::yield_now());
            }
            sim.run_until_stalled().unwrap();
        })
    });
    let message = *outcome.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("is not deterministic"), "{message}");
}

#[test]
fn a_random_failure_that_does_not_fail_again_is_named_not_deterministic() {
    // A random campaign records no schedule while it explores: it runs the failing execution
    // again, from the explorer's state, to record one. A body that fails only once cannot be
    // recorded, and must not be reported with a schedule that does not fail.
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let outcome = std::panic::catch_unwind(|| {
        Fuzz::new(Strategy::Random).name("fails-once").run(|sim| {
            sim.spawn("t", fwsim::yield_now());
            sim.run_until_stalled().unwrap();
            assert!(RUNS.fetch_add(1, Ordering::Relaxed) != 3, "the fourth execution fails");
        })
    });
    let message = *outcome.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("is not deterministic: execution 4 failed"), "{message}");
    assert!(message.contains("it passed"), "{message}");
}

#[test]
fn a_random_failure_is_reported_with_the_schedule_it_took() {
    // Found by random exploration, which records nothing until the failing execution is run
    // again: that schedule must replay to the same failure, before and after shrinking.
    let fuzz = Fuzz::new(Strategy::Random).name("random-recorded").seed(3).shrink_limit(std::time::Duration::ZERO);
    let failure = fuzz.try_run(|s| lost_update(s, 3, 2)).expect_err("found");
    assert!(failure.deviations > 0, "{failure:?}");
    // A zero shrink limit reports the schedule as found: no candidate was tried.
    assert_eq!((failure.shrink_runs, failure.deviations), (0, failure.original_deviations), "{failure:?}");
    assert!(!failure.proved_minimal);
    let file = ReplayFile::read(failure.replay_file.as_deref().expect("written")).expect("readable");
    let again = Fuzz::new(Strategy::Random).replay(&file, |s| lost_update(s, 3, 2));
    assert_eq!(again.expect_err("fails again").fault, failure.fault);
}

#[test]
fn exploring_around_the_embassy_order_uses_that_order() {
    let failure = Fuzz::new(Strategy::Random)
        .name("embassy-order")
        .order(Order::Embassy)
        .try_run(|s| lost_update(s, 2, 1))
        .expect_err("found");
    assert_eq!(failure.schedule.order, Order::Embassy);
}

#[test]
fn pct_lets_a_task_that_yields_in_a_loop_be_overtaken() {
    // "waiter" yields until "setter" has run. A PCT that kept a yielding task's priority would
    // poll the waiter for ever whenever its priority is the higher one (a same-instant loop).
    fn body<'s>(sim: &'s Sim<'s>) {
        let flag = &*sim.alloc(Cell::new(false));
        sim.spawn("waiter", async move {
            while !flag.get() {
                fwsim::yield_now().await;
            }
        })
        .must_finish();
        sim.spawn("setter", async move { flag.set(true) });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(sim.diagnostics(), vec![]);
    }
    for depth in [1, 2, 3] {
        let fuzz = Fuzz::new(Strategy::Pct { depth })
            .name(format!("pct-yield-spin-d{depth}"))
            .config(fwsim::SimConfig::new().same_instant_poll_limit(1_000))
            .iterations(100)
            .shrink_limit(std::time::Duration::ZERO);
        let report = fuzz.try_run(body).unwrap_or_else(|f| panic!("PCT d{depth}: {}", f.fault.message));
        assert_eq!(report.executions, 100);
    }
}

/// A campaign that could never run its body would pass whatever the body does: refused.
#[test]
#[should_panic(expected = "iterations must be 1 or more")]
fn zero_iterations_are_refused() {
    let _ = Fuzz::new(Strategy::Random).iterations(0);
}

/// PCT's depth counts choice points: 0 means nothing.
#[test]
#[should_panic(expected = "Strategy::Pct's depth must be 1 or more")]
fn a_pct_depth_of_zero_is_refused() {
    let _ = Fuzz::new(Strategy::Pct { depth: 0 });
}

/// A time limit stops exploring once it has passed, but never before the first execution: a
/// campaign that ran nothing would pass having tested nothing. (A zero limit has passed before
/// the first execution ends, whatever the machine's speed.)
#[test]
fn a_time_limit_runs_the_first_execution_and_stops() {
    let body = |sim: &Sim| {
        for name in ["a", "b"] {
            sim.spawn(name, fwsim::yield_now());
        }
        sim.run_until_stalled().unwrap();
    };
    let limited = Fuzz::new(Strategy::Random).name("time-limit").iterations(1_000);
    let report = limited.time_limit(std::time::Duration::ZERO).run(body);
    assert_eq!(report.executions, 1, "{report:?}");
    assert!(!report.exhausted);
}
