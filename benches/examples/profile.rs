//! Runs one workload once, for profilers: `cargo build --release -p fwsim-benches --example profile`,
//! then e.g. `perf record target/release/examples/profile w1` or
//! `valgrind --tool=callgrind target/release/examples/profile w2`.

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "w1".into());
    match which.as_str() {
        "w1" => fwsim_benches::w1_fwsim(false),
        "w1-trace" => fwsim_benches::w1_fwsim(true),
        "w1-tokio" => fwsim_benches::w1_tokio(),
        "w1-naive" => fwsim_benches::w1_naive(),
        "floor" => fwsim_benches::floor(),
        "w1-native" => fwsim_benches::w1_native_fwsim(),
        "w1-native-tokio" => fwsim_benches::w1_native_tokio(),
        "w1-native-naive" => fwsim_benches::w1_native_naive(),
        "w2" => println!("{}", fwsim_benches::w2_fwsim()),
        "w2-tokio" => println!("{}", fwsim_benches::w2_tokio()),
        "w2-naive" => println!("{}", fwsim_benches::w2_naive()),
        "w3" => fwsim_benches::w3_fwsim(),
        "w3-tokio" => fwsim_benches::w3_tokio(),
        other => panic!(
            "unknown workload {other:?}: w1, w1-trace, w1-tokio, w1-naive, floor, w1-native, w1-native-tokio, \
             w1-native-naive, w2, w2-tokio, w2-naive, w3, w3-tokio"
        ),
    }
}
