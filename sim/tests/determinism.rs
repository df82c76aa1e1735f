//! Determinism: generated programs run twice under every policy, and in parallel threads, give
//! identical trace hashes.

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer, with_timeout};
use fwsim::{Policy, Sim, SimConfig};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Sleep(u64),
    Yield,
    Busy(u64),
    Signal(usize),
    WaitWithTimeout(u64),
    SpawnChild(u64),
    Mark,
}

type Program = Vec<Vec<Step>>;

const TASKS: usize = 4;

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..50).prop_map(Step::Sleep),
        Just(Step::Yield),
        (0u64..20).prop_map(Step::Busy),
        (0..TASKS).prop_map(Step::Signal),
        (1u64..60).prop_map(Step::WaitWithTimeout),
        (0u64..30).prop_map(Step::SpawnChild),
        Just(Step::Mark),
    ]
}

fn program() -> impl Strategy<Value = Program> {
    prop::collection::vec(prop::collection::vec(step(), 0..8), 1..=TASKS)
}

fn run(program: &Program, policy: Policy) -> (u64, u64) {
    fwsim::scope(SimConfig::new().policy(policy), |sim| {
        // Everything the tasks borrow lives in the simulation's arena.
        let signals: &Vec<Signal<CriticalSectionRawMutex, usize>> =
            sim.alloc((0..TASKS).map(|_| Signal::new()).collect());
        let program: &Program = sim.alloc(program.clone());
        run_in(sim, program, signals)
    })
}

fn run_in<'s>(
    sim: &'s Sim<'s>,
    program: &'s Program,
    signals: &'s [Signal<CriticalSectionRawMutex, usize>],
) -> (u64, u64) {
    for (me, steps) in program.iter().enumerate() {
        let sim_ref = sim;
        sim.spawn("task", async move {
            for s in steps {
                match *s {
                    Step::Sleep(us) => Timer::after(Duration::from_micros(us)).await,
                    Step::Yield => fwsim::yield_now().await,
                    Step::Busy(us) => fwsim::busy_wait(fwsim::us(us)),
                    Step::Signal(to) => signals[to].signal(me),
                    Step::WaitWithTimeout(us) => {
                        let _ = with_timeout(Duration::from_micros(us), signals[me].wait()).await;
                    }
                    Step::SpawnChild(us) => {
                        drop(sim_ref.spawn("child", async move {
                            Timer::after(Duration::from_micros(us)).await;
                            fwsim::mark("child", us);
                        }));
                    }
                    Step::Mark => fwsim::mark("step", me as u64),
                }
            }
        });
    }
    sim.run_for(fwsim::ms(5)).unwrap();
    (sim.trace_hash().unwrap(), sim.trace_len())
}

fn policies() -> Vec<Policy> {
    vec![
        Policy::Embassy,
        Policy::MicroPython,
        Policy::Fifo,
        Policy::Random { seed: 42 },
        Policy::Pct { seed: 9, depth: 3 },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn same_program_same_policy_same_trace(program in program()) {
        for policy in policies() {
            let first = run(&program, policy.clone());
            prop_assert_eq!(first, run(&program, policy.clone()), "{:?}", policy);
            let (p, pol) = (program.clone(), policy.clone());
            let in_thread = std::thread::spawn(move || run(&p, pol)).join().unwrap();
            prop_assert_eq!(first, in_thread, "{:?} on another thread", policy);
        }
    }
}

#[test]
fn parallel_simulations_do_not_disturb_each_other() {
    let programs: Vec<Program> = (0..8u64)
        .map(|i| {
            (0..TASKS)
                .map(|t| {
                    vec![Step::Sleep(i + t as u64), Step::Signal((t + 1) % TASKS), Step::WaitWithTimeout(9), Step::Mark]
                })
                .collect()
        })
        .collect();
    let alone: Vec<_> = programs.iter().map(|p| run(p, Policy::Embassy)).collect();
    let together: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = programs.iter().map(|p| s.spawn(move || run(p, Policy::Embassy))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(alone, together);
}

#[test]
fn different_exploration_seeds_explore_different_schedules() {
    let program: Program =
        (0..TASKS).map(|t| vec![Step::Yield, Step::Signal((t + 1) % TASKS), Step::Yield, Step::Mark]).collect();
    let hashes: std::collections::BTreeSet<u64> =
        (0..10).map(|seed| run(&program, Policy::Random { seed }).0).collect();
    assert!(hashes.len() > 1, "ten seeds gave one schedule");
}
