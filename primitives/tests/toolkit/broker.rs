//! Broker.

use super::*;

struct Recorder<'a>(&'a RefCell<Vec<String>>, &'static str);
impl fwsim_primitives::Subscriber<u32> for Recorder<'_> {
    fn put(&self, topic: &'static str, message: &u32) {
        self.0.borrow_mut().push(format!("{} {topic} {message}", self.1));
    }
}

#[test]
fn broker_serves_every_agent_kind_in_subscription_order() {
    use fwsim_primitives::{Agent, Broker, Event, Topic};
    let order = RefCell::new(Vec::new());
    let ev = Event::<M>::new();
    let queue = Queue::<M, (&'static str, u32), 1>::new();
    let ring = RingbufQueue::<M, (&'static str, u32), 1>::new();
    let call = |topic: &'static str, m: &u32| order.borrow_mut().push(format!("call {topic} {m}"));
    let (first, last) = (Recorder(&order, "first"), Recorder(&order, "last"));
    let broker = Broker::<M, u32, 8>::new();
    broker.subscribe(Topic::Exact("t"), Agent::Subscriber(&first)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Event(&ev)).unwrap();
    broker.subscribe(Topic::Glob("*"), Agent::Queue(&queue)).unwrap();
    broker.subscribe(Topic::Glob("t*"), Agent::Queue(&ring)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Call(&call)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Subscriber(&last)).unwrap();
    broker.subscribe(Topic::Exact("t"), Agent::Subscriber(&last)).unwrap(); // a set: kept once
    assert_eq!(broker.len(), 6);

    let d = broker.publish("t", 1);
    assert_eq!(d, fwsim_primitives::Delivery { delivered: 6, dropped: 0 });
    // Deliberate: subscription order, where the toolkit's set gives hash order.
    assert_eq!(*order.borrow(), ["first t 1", "call t 1", "last t 1"]);
    assert!(ev.is_set());

    // Overflow: a full Queue drops the new message, a full RingbufQueue the oldest.
    let d = broker.publish("t", 2);
    assert_eq!(d, fwsim_primitives::Delivery { delivered: 5, dropped: 1 });
    assert_eq!(queue.get_nowait(), Ok(("t", 1)));
    assert_eq!(ring.get_nowait(), Ok(("t", 2)));

    assert!(broker.unsubscribe(Topic::Exact("t"), Agent::Subscriber(&first)));
    assert!(!broker.unsubscribe(Topic::Exact("t"), Agent::Subscriber(&first)));
    assert_eq!(broker.publish("other", 3).delivered, 1, "only the `*` queue");
}

#[test]
fn broker_event_agent_wakes_a_task_and_callbacks_may_publish() {
    use fwsim_primitives::{Agent, Broker, Event, Topic};
    for policy in [Policy::Embassy, Policy::MicroPython] {
        fwsim::test_with(SimConfig::new().policy(policy), |sim| {
            let ev: &Event<M> = sim.alloc(Event::new());
            let broker: &Broker<'_, M, u32, 4> = sim.alloc_borrowing(Broker::new());
            let relay = &*sim.alloc_borrowing(move |_: &'static str, m: &u32| {
                broker.publish("echo", m + 1);
            });
            broker.subscribe(Topic::Exact("in"), Agent::Call(relay)).unwrap();
            broker.subscribe(Topic::Exact("echo"), Agent::Event(ev)).unwrap();
            let mut waiter = sim.spawn("waiter", async move {
                ev.wait().await;
                now_ms()
            });
            sim.spawn("publisher", async move {
                Timer::after_millis(7).await;
                broker.publish("in", 1);
            });
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
            assert_eq!(waiter.try_take(), Some(Ok(7)));
        });
    }
}
