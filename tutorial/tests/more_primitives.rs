//! Chapter 3 of the tutorial, continued: running several futures together, and
//! publish/subscribe.

use std::cell::RefCell;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Instant, Timer};
use fwsim_primitives::{Agent, Broker, Queue, RingbufQueue, Topic, gather, gather_all, wait_any};

// ANCHOR: gather
/// One sensor read: `Err` with the sensor's name when it does not answer.
async fn read(name: &'static str, ms: u64, answers: bool) -> Result<u32, &'static str> {
    Timer::after_millis(ms).await;
    if answers { Ok(ms as u32) } else { Err(name) }
}

#[test]
fn gather_waits_for_all_or_returns_the_first_error() {
    fwsim::test(|sim| {
        let all = sim.spawn("all", gather([read("a", 10, true), read("b", 30, true)]));
        let failed = sim.spawn("failed", async {
            let result = gather([read("a", 10, true), read("b", 5, false)]).await;
            (result, Instant::now().as_millis())
        });
        let every = sim.spawn("every", gather_all([read("a", 10, true), read("b", 5, false)]));
        sim.run_for(fwsim::ms(100)).unwrap();
        assert_eq!(sim.join(all).unwrap(), Ok([10, 30]));
        // The first error ends it at once: "a" is dropped, unfinished.
        assert_eq!(sim.join(failed).unwrap(), (Err("b"), 5));
        // `gather_all` (asyncio's `return_exceptions=True`) keeps every outcome.
        assert_eq!(sim.join(every).unwrap(), [Ok(10), Err("b")]);
    });
}
// ANCHOR_END: gather

// ANCHOR: wait_any
#[test]
fn wait_any_takes_the_first_and_drops_the_rest() {
    fwsim::test(|sim| {
        let first = sim.spawn("first", wait_any([read("wifi", 40, true), read("lora", 25, true)]));
        sim.run_for(fwsim::ms(100)).unwrap();
        assert_eq!(sim.join(first).unwrap(), (1, Ok(25)), "the second future, at 25 ms");
    });
}
// ANCHOR_END: wait_any

// ANCHOR: broker
#[test]
fn a_broker_hands_each_message_to_every_subscriber_of_its_topic() {
    fwsim::test(|sim| {
        let display = &*sim.alloc(Queue::<NoopRawMutex, (&'static str, i32), 4>::new());
        let logger = &*sim.alloc(RingbufQueue::<NoopRawMutex, (&'static str, i32), 2>::new());
        let broker = &*sim.alloc_borrowing(Broker::<NoopRawMutex, i32, 8>::new());
        broker.subscribe(Topic::Exact("room/temp"), Agent::Queue(display)).unwrap();
        broker.subscribe(Topic::Glob("room/*"), Agent::Queue(logger)).unwrap();
        let shown = &*sim.alloc(RefCell::new(Vec::new()));
        sim.spawn("display", async move {
            loop {
                let item = display.get().await;
                shown.borrow_mut().push(item);
            }
        });
        sim.spawn("sensors", async move {
            broker.publish("room/temp", 21);
            broker.publish("room/humidity", 40);
            broker.publish("room/temp", 22);
        });
        sim.run_for(fwsim::ms(1)).unwrap();
        assert_eq!(*shown.borrow(), [("room/temp", 21), ("room/temp", 22)]);
        // The logger's ring buffer kept the newest two of its three.
        assert_eq!(logger.get_nowait(), Ok(("room/humidity", 40)));
        assert_eq!(logger.get_nowait(), Ok(("room/temp", 22)));
    });
}
// ANCHOR_END: broker
