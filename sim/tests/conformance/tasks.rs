//! Rows about tasks: the first-run order, spawning (which never runs the task at once), a
//! creator that yields, round robin, a task created mid-round, main returning early, a stall.

use super::*;

fn spawn_order(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        for i in 0..5 {
            sim.spawn("t", async move { log.push(i.to_string()) });
        }
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_spawn_order() {
    assert_eq!(spawn_order(EMBASSY), strs(&["4", "3", "2", "1", "0"]));
}

#[test]
fn conformance_micropython_spawn_order() {
    assert_eq!(spawn_order(MICROPYTHON), strs(&["0", "1", "2", "3", "4"]));
}

fn spawn_not_immediate(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("parent", async move {
            sim.spawn("child", async move { log.push("child") });
            log.push("parent continues");
        });
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_spawn_not_immediate() {
    assert_eq!(spawn_not_immediate(EMBASSY), strs(&["parent continues", "child"]));
}

#[test]
fn conformance_micropython_spawn_not_immediate() {
    assert_eq!(spawn_not_immediate(MICROPYTHON), strs(&["parent continues", "child"]));
}

fn spawn_then_yield(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("parent", async move {
            for i in 0..3 {
                sim.spawn("child", async move { log.push(format!("c{i}")) });
            }
            fwsim::yield_now().await;
            log.push("parent");
        });
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_spawn_then_yield() {
    // The parent is pushed last, so it runs before its children; they run LIFO.
    assert_eq!(spawn_then_yield(EMBASSY), strs(&["parent", "c2", "c1", "c0"]));
}

#[test]
fn conformance_micropython_spawn_then_yield() {
    assert_eq!(spawn_then_yield(MICROPYTHON), strs(&["c0", "c1", "c2", "parent"]));
}

fn yield_round_robin(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        for i in 0..3 {
            sim.spawn("t", async move {
                for _ in 0..3 {
                    log.push(format!("T{i}"));
                    fwsim::yield_now().await;
                }
            });
        }
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_yield_round_robin() {
    // The order reverses every batch: 2,1,0 / 0,1,2 / 2,1,0.
    assert_eq!(yield_round_robin(EMBASSY), strs(&["T2", "T1", "T0", "T0", "T1", "T2", "T2", "T1", "T0"]));
}

#[test]
fn conformance_micropython_yield_round_robin() {
    assert_eq!(yield_round_robin(MICROPYTHON), strs(&["T0", "T1", "T2", "T0", "T1", "T2", "T0", "T1", "T2"]));
}

fn created_mid_round(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        for name in ["A", "B"] {
            sim.spawn(name, async move {
                for round in 0..2 {
                    log.push(format!("{name}{round}"));
                    if name == "A" && round == 0 {
                        sim.spawn("N", async move { log.push("N") });
                    }
                    fwsim::yield_now().await;
                }
            });
        }
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_created_mid_round() {
    // Batch 1 runs B then A (LIFO); A spawns N then yields, so N is pushed before A and after
    // B: batch 2 runs A, N, B.
    assert_eq!(created_mid_round(EMBASSY), strs(&["B0", "A0", "A1", "N", "B1"]));
}

#[test]
fn conformance_micropython_created_mid_round() {
    // N joins the tail behind the tasks already ready.
    assert_eq!(created_mid_round(MICROPYTHON), strs(&["A0", "B0", "N", "A1", "B1"]));
}

fn main_returns(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("background", async move {
            loop {
                Timer::after(ms(10)).await;
                log.at("bg");
            }
        });
        let v = sim
            .block_on(async {
                Timer::after(ms(25)).await;
                7
            })
            .unwrap();
        log.push(format!("main={v}@{}", sim.now().as_millis()));
        // The other task stays and resumes in the next run.
        sim.run_for(fwsim::ms(10)).unwrap();
    })
}

#[test]
fn conformance_embassy_main_returns_others_stay() {
    assert_eq!(main_returns(EMBASSY), strs(&["bg@10", "bg@20", "main=7@25", "bg@30"]));
}

#[test]
fn conformance_micropython_main_returns_others_stay() {
    assert_eq!(main_returns(MICROPYTHON), strs(&["bg@10", "bg@20", "main=7@25", "bg@30"]));
}

fn deadlock(policy: Policy) -> fwsim::SimError {
    let never = Signal::<NoopRawMutex, ()>::new();
    let sim = Sim::with_config(fwsim::SimConfig::new().policy(policy));
    sim.block_on(never.wait()).unwrap_err()
}

#[test]
fn conformance_embassy_deadlock() {
    let err = deadlock(EMBASSY);
    let fwsim::SimError::Deadlock(report) = err else { panic!("{err}") };
    assert_eq!(report.waiting.len(), 1);
    assert_eq!(report.waiting[0].task, "main#0");
}

#[test]
fn conformance_micropython_deadlock() {
    assert!(matches!(deadlock(MICROPYTHON), fwsim::SimError::Deadlock(_)));
}
