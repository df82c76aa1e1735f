//! `JoinHandle::must_finish`: a run where a declared task can never finish is a deadlock,
//! with what every task waits for; other ends of a run are not.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::Timer;
use fwsim::{SimConfig, SimError};

type Flag = Signal<NoopRawMutex, ()>;

#[test]
fn two_tasks_waiting_on_each_other_are_a_deadlock_with_both_in_the_report() {
    fwsim::scope(SimConfig::new(), |sim| {
        let (a, b): (&Flag, &Flag) = (sim.alloc(Signal::new()), sim.alloc(Signal::new()));
        // Each waits for the other before it would signal: a lost hand-off.
        sim.spawn("left", async move {
            a.wait().await;
            b.signal(());
        })
        .must_finish();
        sim.spawn("right", async move {
            b.wait().await;
            a.signal(());
        })
        .must_finish();
        match sim.run_for(fwsim::secs(1)) {
            Err(SimError::Deadlock(report)) => {
                let tasks: Vec<&str> = report.waiting.iter().map(|t| t.task.as_str()).collect();
                assert_eq!(tasks, ["left#0", "right#1"]);
            }
            other => panic!("expected a deadlock, got {other:?}"),
        }
        // run_until_stalled sees it too, at once.
        assert!(matches!(sim.run_until_stalled(), Err(SimError::Deadlock(_))));
    });
}

#[test]
fn a_pending_timer_a_finished_task_or_an_undeclared_server_is_no_deadlock() {
    fwsim::scope(SimConfig::new(), |sim| {
        let never: &Flag = sim.alloc(Signal::new());
        sim.spawn("sleeper", async { Timer::after_secs(2).await }).must_finish();
        sim.spawn("quick", async {}).must_finish();
        sim.spawn("server", async move { never.wait().await });
        // The sleeper's timer is scheduled: stalled, not stuck.
        assert!(sim.run_until_stalled().is_ok());
        assert!(sim.run_for(fwsim::secs(1)).is_ok());
        // It finishes at 2 s; the server waits for ever, as servers do.
        assert!(sim.run_for(fwsim::secs(5)).is_ok());
        assert_eq!(sim.live_tasks(), 1);
    });
}

#[test]
fn without_the_declaration_the_same_deadlock_passes_silently() {
    fwsim::scope(SimConfig::new(), |sim| {
        let a: &Flag = sim.alloc(Signal::new());
        sim.spawn("stuck", async move { a.wait().await });
        assert!(sim.run_for(fwsim::secs(1)).is_ok(), "what issue 16 found: a deadlock that is not an error");
    });
}

/// A task that awaits another's join handle is reported as waiting for that task, and the
/// report follows the chain to the task that is really stuck.
#[test]
fn a_task_awaiting_a_join_handle_is_reported_as_waiting_for_that_task() {
    fwsim::scope(SimConfig::new(), |sim| {
        let never: &Flag = sim.alloc(Signal::new());
        let stuck = sim.spawn("stuck", async move { never.wait().await });
        let middle = sim.spawn("middle", async move { stuck.await.unwrap() });
        let err = sim.block_on(async move { middle.await.unwrap() }).unwrap_err();
        let SimError::Deadlock(report) = &err else { panic!("expected a deadlock, got {err:?}") };
        let states: Vec<String> = report.waiting.iter().map(|t| format!("{}: {}", t.task, t.state)).collect();
        assert_eq!(
            states,
            [
                "stuck#0: waiting, 1 waker clone(s) held elsewhere",
                "middle#1: waiting for stuck#0 to finish",
                "main#2: waiting for middle#1 to finish",
            ]
        );
    });
}
