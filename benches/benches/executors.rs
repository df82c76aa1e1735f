//! Criterion statistics for each workload and peer (wall time). The ratios in BENCHMARKS.md
//! come from `benches/ratios.rs`, which measures CPU time with the peers interleaved.
//! Run: `cargo bench -p fwsim-benches --bench executors`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use fwsim_benches::*;

fn timed(iters: u64, f: impl Fn()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

fn benches(c: &mut Criterion) {
    assert_eq!(w2_fwsim(), w2_tokio(), "every peer counts the same expirations");
    assert_eq!(w2_fwsim(), w2_naive(), "every peer counts the same expirations");

    let mut g = c.benchmark_group("W1 ping-pong 1M round trips");
    g.sample_size(10);
    g.bench_function("fwsim", |b| b.iter_custom(|n| timed(n, || w1_fwsim(false))));
    g.bench_function("fwsim (tracing on)", |b| b.iter_custom(|n| timed(n, || w1_fwsim(true))));
    g.bench_function("tokio", |b| b.iter_custom(|n| timed(n, w1_tokio)));
    g.bench_function("naive", |b| b.iter_custom(|n| timed(n, w1_naive)));
    g.bench_function("floor (poll+wake loop)", |b| b.iter_custom(|n| timed(n, floor)));
    g.finish();

    let mut g = c.benchmark_group("W1 ping-pong 1M round trips, native primitives");
    g.sample_size(10);
    g.bench_function("fwsim (CriticalSectionRawMutex Signal)", |b| b.iter_custom(|n| timed(n, w1_native_fwsim)));
    g.bench_function("tokio (Notify)", |b| b.iter_custom(|n| timed(n, w1_native_tokio)));
    g.bench_function("naive (own flag)", |b| b.iter_custom(|n| timed(n, w1_native_naive)));
    g.finish();

    let mut g = c.benchmark_group("W2 1000 sleepers 60 s virtual");
    g.sample_size(10);
    g.bench_function("fwsim", |b| {
        b.iter_custom(|n| {
            timed(n, || {
                std::hint::black_box(w2_fwsim());
            })
        })
    });
    g.bench_function("tokio", |b| {
        b.iter_custom(|n| {
            timed(n, || {
                std::hint::black_box(w2_tokio());
            })
        })
    });
    g.bench_function("naive", |b| {
        b.iter_custom(|n| {
            timed(n, || {
                std::hint::black_box(w2_naive());
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("W3 spawn+complete 1M tasks");
    g.sample_size(10);
    g.bench_function("fwsim", |b| b.iter_custom(|n| timed(n, w3_fwsim)));
    g.bench_function("tokio", |b| b.iter_custom(|n| timed(n, w3_tokio)));
    g.bench_function("naive", |b| b.iter_custom(|n| timed(n, w3_naive)));
    g.finish();
}

criterion_group!(executor_benches, benches);
criterion_main!(executor_benches);
