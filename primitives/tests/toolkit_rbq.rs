//! The toolkit's `asyntest.py` `rbq_test`, ported: a `RingbufQueue` read while written
//! slowly, written while read slowly, then its state and overrun behaviour. Each printed line
//! is compared with the listing at the virtual millisecond it is printed, and the program's
//! own assertions are kept.
//!
//! Python's `RingbufQueue([0] * 10)` keeps one slot empty, so it holds 9 items; the port's
//! `RingbufQueue<_, _, 9>` holds 9 in 9 slots.

mod programs;

use embassy_time::{Duration, Timer};
use fwsim_primitives::{Overwritten, RingbufQueue, wait_for};
use programs::run_program;

type M = fwsim::IsrCheckedRawMutex;
type Ring = RingbufQueue<M, u32, 9>;

/// `read(q, t, twr)`: takes items for `t` seconds, `twr` ms apart.
async fn read(q: &Ring, t: u64, twr: u64) -> Vec<u32> {
    let mut list = Vec::new();
    let _ = wait_for(Duration::from_secs(t), async {
        loop {
            list.push(q.get().await);
            Timer::after_millis(twr).await;
        }
    })
    .await;
    list
}

/// `put_list(q, lst, twp)`: puts the items, `twp` ms apart.
async fn put_list(q: &Ring, items: Vec<u32>, twp: u64) {
    for item in items {
        q.put(item).await;
        Timer::after_millis(twp).await;
    }
}

#[test]
fn rbq_test_slow_writes_slow_reads_state_and_overruns() {
    run_program(
        6,
        |sim, out| {
            let q: &'static Ring = Box::leak(Box::new(RingbufQueue::new()));
            sim.spawn("main", async move {
                let pl: Vec<u32> = (0..15).collect();
                out.print("Read waits on slow write.");
                fwsim::spawn("put_list", put_list(q, pl.clone(), 100));
                assert_eq!(read(q, 2, 0).await, pl);
                out.print("done");
                out.print("Write waits on slow read.");
                fwsim::spawn("put_list", put_list(q, pl.clone(), 0));
                assert_eq!(read(q, 2, 100).await, pl);
                out.print("done");
                out.print("Testing full, empty and qsize methods.");
                assert!(q.is_empty() && !q.is_full());
                assert_eq!(q.len(), 0);
                put_list(q, vec![1, 2, 3], 0).await;
                assert!(!q.is_empty() && q.len() == 3 && !q.is_full());
                out.print("Done");
                out.print("Testing put_nowait and overruns.");
                let overruns = (4..15).filter(|&x| matches!(q.put_nowait(x), Err(Overwritten(_)))).count();
                assert_eq!(overruns, 5);
                assert!(q.is_full());
                assert_eq!(read(q, 2, 0).await, (6..15).collect::<Vec<u32>>());
                out.print("Testing get_nowait.");
                q.put(1).await;
                assert_eq!(q.get_nowait(), Ok(1));
                assert!(q.get_nowait().is_err());
                out.print("Tests complete.");
                out.print("I've seen attack ships burn off the shoulder of Orion...");
                out.print("Time to die...");
            });
        },
        &[
            ("Read waits on slow write.", 0),
            ("done", 2000),
            ("Write waits on slow read.", 2000),
            ("done", 4000),
            ("Testing full, empty and qsize methods.", 4000),
            ("Done", 4000),
            ("Testing put_nowait and overruns.", 4000),
            ("Testing get_nowait.", 6000),
            ("Tests complete.", 6000),
            ("I've seen attack ships burn off the shoulder of Orion...", 6000),
            ("Time to die...", 6000),
        ],
    );
}
