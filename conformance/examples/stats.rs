//! Prints statistics of generated programs (a development aid).
use fwsim::Policy;
use fwsim_conformance::{fwsim_backend, program::End, strategy};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

fn main() {
    let mut runner = TestRunner::deterministic();
    let s = strategy::micropython_programs();
    let (mut done, mut dead, mut marks, mut tasks, mut ops) = (0, 0, 0, 0, 0);
    for i in 0..1000 {
        let p = s.new_tree(&mut runner).unwrap().current();
        let o = fwsim_backend::run(&p, Policy::MicroPython);
        if i < 3 {
            println!("{p:?}\n  -> {o:?}");
        }
        match o.end {
            End::Done => done += 1,
            End::Deadlock => dead += 1,
            _ => {}
        }
        marks += o.marks.len();
        tasks += p.tasks.len();
        ops += (0..p.tasks.len()).map(|t| p.ops_of(t).len()).sum::<usize>();
    }
    println!("done {done}, deadlock {dead}, marks {marks}, tasks {tasks}, ops {ops}");
}
