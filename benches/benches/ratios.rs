//! The ratios of BENCHMARKS.md: thread CPU time of one workload run per peer, peers
//! interleaved (A B C, A B C, …) so that machine noise hits all of them alike, 7 repetitions,
//! median and minimum. Run: `cargo bench -p fwsim-benches --bench ratios`.
//! Under `cargo test` (no `--bench` flag) it runs each workload once as a smoke test.
//! Name workloads to run only those: `cargo bench -p fwsim-benches --bench ratios -- w1 w3`.

use std::time::Duration;

use cpu_time::ThreadTime;
use fwsim_benches::*;

type Peer = (&'static str, fn());

fn measure(runs: usize, peers: &[Peer]) -> Vec<(&'static str, Duration, Duration)> {
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); peers.len()];
    for _ in 0..runs {
        for (i, (_, f)) in peers.iter().enumerate() {
            let t = ThreadTime::now();
            f();
            samples[i].push(t.elapsed());
        }
    }
    peers
        .iter()
        .zip(samples)
        .map(|((name, _), mut s)| {
            s.sort();
            (*name, s[s.len() / 2], s[0])
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(title: &str, rows: &[(&'static str, Duration, Duration)]) {
    println!("\n{title}\n{:<22} {:>12} {:>12}", "peer", "median ms", "min ms");
    for (name, median, min) in rows {
        println!("{name:<22} {:>12.1} {:>12.1}", ms(*median), ms(*min));
    }
}

/// How many times faster `a` is than `b`: the ratio of medians, and in brackets the ratio of
/// minimums (noise from other processes only ever adds time, so minimums are the steadier
/// estimate on a shared machine).
fn ratio(rows: &[(&'static str, Duration, Duration)], a: &str, b: &str) -> String {
    let get = |n: &str| *rows.iter().find(|r| r.0 == n).expect("peer");
    let (ra, rb) = (get(a), get(b));
    format!("{:.2}x (min {:.2}x)", rb.1.as_secs_f64() / ra.1.as_secs_f64(), rb.2.as_secs_f64() / ra.2.as_secs_f64())
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runs = if bench { 7 } else { 1 };
    let named: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if let Some(unknown) = named.iter().find(|n| !["w1", "w2", "w3"].contains(&n.to_ascii_lowercase().as_str())) {
        eprintln!("ratios: unknown workload {unknown:?}; expected w1, w2 or w3");
        std::process::exit(2);
    }
    let wanted = |w: &str| named.is_empty() || named.iter().any(|n| n.eq_ignore_ascii_case(w));
    assert_eq!(w2_fwsim(), w2_tokio(), "every peer counts the same W2 expirations");
    assert_eq!(w2_fwsim(), w2_naive(), "every peer counts the same W2 expirations");
    if !bench {
        // Smoke test under `cargo test`: the W1/W3 workloads at full size take seconds.
        println!("ratios: W2 peers agree; run with `cargo bench --bench ratios` for numbers");
        return;
    }

    // The ratios depend on the CPU (the peers' atomic operations cost far more on some than
    // on others), so every run says which one it ran on.
    println!("cpu: {}", cpu::describe());
    if wanted("w1") {
        w1_ratios(runs);
    }
    if wanted("w2") {
        w2_ratios(runs);
    }
    if wanted("w3") {
        w3_ratios(runs);
    }
}

fn w1_ratios(runs: usize) {
    let w1 = measure(
        runs,
        &[
            ("fwsim", || w1_fwsim(false)),
            ("fwsim (tracing on)", || w1_fwsim(true)),
            ("tokio", w1_tokio),
            ("naive", w1_naive),
            ("floor", floor),
        ],
    );
    report(&format!("W1 ping-pong, {ROUND_TRIPS} round trips"), &w1);
    println!(
        "fwsim vs tokio {} (goal >= 5), vs floor {} (goal >= 0.4), tracing on/off {} (goal <= 3)",
        ratio(&w1, "fwsim", "tokio"),
        ratio(&w1, "fwsim", "floor"),
        ratio(&w1, "fwsim", "fwsim (tracing on)"),
    );
    let native = measure(
        runs,
        &[
            ("fwsim (CS Signal)", w1_native_fwsim),
            ("tokio (Notify)", w1_native_tokio),
            ("naive (own flag)", w1_native_naive),
        ],
    );
    report("W1 on each peer's native primitive", &native);
    println!("fwsim vs tokio {}", ratio(&native, "fwsim (CS Signal)", "tokio (Notify)"));
}

fn w2_ratios(runs: usize) {
    let w2 = measure(
        runs,
        &[
            ("fwsim", || {
                std::hint::black_box(w2_fwsim());
            }),
            ("tokio", || {
                std::hint::black_box(w2_tokio());
            }),
            ("naive", || {
                std::hint::black_box(w2_naive());
            }),
        ],
    );
    report(&format!("W2 {SLEEPERS} sleepers on 1-100 ms periods, {VIRTUAL_SECS} s virtual"), &w2);
    println!("fwsim vs tokio {} (goal >= 2)", ratio(&w2, "fwsim", "tokio"));
}

fn w3_ratios(runs: usize) {
    let w3 = measure(runs, &[("fwsim", w3_fwsim), ("tokio", w3_tokio), ("naive", w3_naive)]);
    report(&format!("W3 spawn and complete {SPAWNS} tasks"), &w3);
    println!("fwsim vs tokio {} (goal >= 2)", ratio(&w3, "fwsim", "tokio"));
}
