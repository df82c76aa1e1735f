//! Determinism: generated programs run twice under every policy, and in parallel threads, give
//! identical trace hashes. And the kernel's lean path (the common configuration: embassy order,
//! no trace) behaves exactly like its general one.

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Timer, with_timeout};
use fwsim::{Order, Policy, Sim, SimConfig};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Sleep(u64),
    Yield,
    Busy(u64),
    Signal(usize),
    WaitWithTimeout(u64),
    SpawnChild(u64),
    /// Spawns a child sleeping this long, and aborts it after a yield.
    AbortChild(u64),
    /// Spawns a child that panics after this long.
    PanicChild(u64),
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
        (0u64..30).prop_map(Step::AbortChild),
        (0u64..30).prop_map(Step::PanicChild),
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
    spawn_program(sim, program, signals, None);
    sim.run_for(fwsim::ms(5)).unwrap();
    (sim.trace_hash().unwrap(), sim.trace_len())
}

/// One thing a program did: (task, step, virtual time in ns).
type Event = (usize, usize, u64);
/// What a program did, in the order it did it.
type Log = std::cell::RefCell<Vec<Event>>;
/// Everything a user can observe of a run but the trace.
#[derive(Debug, PartialEq)]
struct Observed {
    events: Vec<Event>,
    choice_points: u64,
    diagnostics: Vec<String>,
    live_tasks: usize,
}

fn spawn_program<'s>(
    sim: &'s Sim<'s>,
    program: &'s Program,
    signals: &'s [Signal<CriticalSectionRawMutex, usize>],
    log: Option<&'s Log>,
) {
    for (me, steps) in program.iter().enumerate() {
        let sim_ref = sim;
        sim.spawn("task", async move {
            for (i, s) in steps.iter().enumerate() {
                if let Some(log) = log {
                    log.borrow_mut().push((me, i, sim_ref.now().as_nanos()));
                }
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
                            if let Some(log) = log {
                                log.borrow_mut().push((100 + me, i, sim_ref.now().as_nanos()));
                            }
                            fwsim::mark("child", us);
                        }));
                    }
                    Step::AbortChild(us) => {
                        let child = sim_ref.spawn("victim", async move {
                            Timer::after(Duration::from_micros(us)).await;
                            if let Some(log) = log {
                                log.borrow_mut().push((200 + me, i, sim_ref.now().as_nanos()));
                            }
                        });
                        fwsim::yield_now().await;
                        child.abort();
                    }
                    Step::PanicChild(us) => {
                        drop(sim_ref.spawn("doomed", async move {
                            Timer::after(Duration::from_micros(us)).await;
                            panic!("step {i} of task {me}");
                        }));
                    }
                    Step::Mark => fwsim::mark("step", me as u64),
                }
            }
        });
    }
}

/// Runs a program under the embassy policy and returns everything a user can observe but the
/// trace: the program's own log, the choice points met, the diagnostics, the tasks left.
fn observe(program: &Program, trace: bool) -> Observed {
    observe_with(program, if trace { SimConfig::new() } else { SimConfig::new().no_trace() })
}

fn observe_with(program: &Program, config: SimConfig) -> Observed {
    fwsim::scope(config, |sim| {
        let signals: &Vec<Signal<CriticalSectionRawMutex, usize>> =
            sim.alloc((0..TASKS).map(|_| Signal::new()).collect());
        let program: &Program = sim.alloc(program.clone());
        let log: &Log = sim.alloc(Log::default());
        spawn_program(sim, program, signals, Some(log));
        sim.run_for(fwsim::ms(5)).unwrap();
        let diagnostics = sim.diagnostics().iter().map(|d| d.to_string()).collect();
        Observed { events: log.take(), choice_points: sim.choice_points(), diagnostics, live_tasks: sim.live_tasks() }
    })
}

fn policies() -> Vec<Policy> {
    vec![
        Policy::Embassy,
        Policy::MicroPython,
        Policy::Fifo,
        Policy::Random { seed: 42 },
        Policy::Pct { seed: 9, depth: 3, horizon: 1_000 },
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// With the trace off the kernel takes its lean path (`Core::lean`); with it on, the
    /// general one. Both must run every program identically.
    #[test]
    fn lean_path_matches_general_path(program in program()) {
        prop_assert_eq!(observe(&program, false), observe(&program, true));
    }

    /// Each built-in order runs the same in every mode the kernel compiles: lean (no trace),
    /// full (trace on) and general (the same order handed in as a custom one, so reached
    /// through the trait's dispatch).
    #[test]
    fn every_mode_runs_every_program_identically(program in program()) {
        use fwsim::order::{Embassy, Fifo, MicroPython};
        for order in [Order::Embassy, Order::MicroPython, Order::Fifo] {
            let lean = observe_with(&program, SimConfig::new().order(order).no_trace());
            let full = observe_with(&program, SimConfig::new().order(order));
            let general = match order {
                Order::Embassy => SimConfig::new().custom_order(Embassy::default),
                Order::MicroPython => SimConfig::new().custom_order(MicroPython::default),
                _ => SimConfig::new().custom_order(Fifo::default),
            };
            prop_assert_eq!(&lean, &full, "{:?}", order);
            prop_assert_eq!(&lean, &observe_with(&program, general.no_trace()), "{:?}", order);
        }
    }

    /// Under an explorer, every mode meets the same choice points and gets the same answers:
    /// explore (no trace, a fuzz campaign's mode), full (trace on) and general (the FIFO order
    /// handed in as a custom one).
    #[test]
    fn every_mode_explores_every_program_identically(program in program(), seed in 0u64..1_000) {
        use fwsim::order::Fifo;
        for policy in [Policy::Random { seed }, Policy::Pct { seed, depth: 3, horizon: 40 }] {
            let explore = observe_with(&program, SimConfig::new().policy(policy.clone()).no_trace());
            let full = observe_with(&program, SimConfig::new().policy(policy.clone()));
            let general = SimConfig::new().policy(policy.clone()).custom_order(Fifo::default).no_trace();
            prop_assert_eq!(&explore, &full, "{:?}", policy);
            prop_assert_eq!(&explore, &observe_with(&program, general), "{:?}", policy);
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

/// The order in which four tasks, each yielding ten times, log their steps under `policy`,
/// and how many choice points the run met.
fn racing_log(policy: Policy) -> (Vec<u8>, u64) {
    fwsim::scope(SimConfig::new().policy(policy), |sim| {
        let log = &*sim.alloc(std::cell::RefCell::new(Vec::new()));
        for t in 0..4u8 {
            sim.spawn("racer", async move {
                for _ in 0..10 {
                    log.borrow_mut().push(t);
                    fwsim::yield_now().await;
                }
            });
        }
        sim.run_until_stalled().unwrap();
        (log.take(), sim.choice_points())
    })
}

#[test]
fn a_pct_policy_alone_determines_the_run_horizon_included() {
    let pct = |horizon| Policy::Pct { seed: 3, depth: 3, horizon };
    let (log, choices) = racing_log(pct(30));
    assert_eq!(racing_log(pct(30)), (log.clone(), choices), "the policy value replays the run");
    assert!(choices >= 30, "the horizon fits the run: {choices} choice points");
    // Change points spread past the run's end leave only the initial priorities.
    assert_ne!(racing_log(pct(1_000_000)).0, log, "the horizon is part of what decides the run");
}
