//! The toolkit's `asyntest.py` `q_task_done_join_test`, ported: `join` on an empty queue, a
//! consumer that marks each job done after half a second, and two tasks joining. Each
//! printed line is compared with the listing at the virtual millisecond it is printed.
//!
//! Python's `Queue()` is unbounded; the port's `Queue` has a capacity, 16 here (ten jobs).

mod programs;

use embassy_time::Timer;
use fwsim_primitives::Queue;
use programs::run_program;

type M = fwsim::IsrCheckedRawMutex;

#[test]
fn q_task_done_join_test_join_waits_for_every_job() {
    run_program(
        6,
        |sim, out| {
            let q: &'static Queue<M, u32, 16> = Box::leak(Box::new(Queue::new()));
            sim.spawn("main", async move {
                out.print("test await empty q.join");
                q.join().await; // an empty queue does not block
                out.print("test pass");
                let consumer = fwsim::spawn("consumer", async move {
                    loop {
                        let r = q.get().await;
                        out.print(format!("consumer got/processing {r}"));
                        Timer::after_millis(500).await;
                        q.task_done().unwrap();
                    }
                });
                let waiter = fwsim::spawn("waiter", async move {
                    out.print("waiter await q.join");
                    q.join().await;
                    out.print("waiter joined! task done!");
                });
                for x in 0..10 {
                    q.put(x).await;
                }
                out.print("test await q.join");
                q.join().await;
                out.print("test all jobs done!");
                fwsim::yield_now().await;
                out.print(format!("test waiter_task.done()? {}", if waiter.is_finished() { "True" } else { "False" }));
                consumer.abort();
                let _ = consumer.await;
                out.print("test DONE");
            });
        },
        &[
            ("test await empty q.join", 0),
            ("test pass", 0),
            ("test await q.join", 0),
            ("consumer got/processing 0", 0),
            ("waiter await q.join", 0),
            ("consumer got/processing 1", 500),
            ("consumer got/processing 2", 1000),
            ("consumer got/processing 3", 1500),
            ("consumer got/processing 4", 2000),
            ("consumer got/processing 5", 2500),
            ("consumer got/processing 6", 3000),
            ("consumer got/processing 7", 3500),
            ("consumer got/processing 8", 4000),
            ("consumer got/processing 9", 4500),
            ("test all jobs done!", 5000),
            ("waiter joined! task done!", 5000),
            ("test waiter_task.done()? True", 5000),
            ("test DONE", 5000),
        ],
    );
}
