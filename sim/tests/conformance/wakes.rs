//! Wake while already queued; self-wake during own poll; interrupt wakes.

use super::*;

fn wake_coalescing(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        let polls = sim.alloc(std::cell::Cell::new(0));
        let polls = &*polls;
        let waker = sim.alloc(std::cell::RefCell::new(None::<std::task::Waker>));
        let waker = &*waker;
        sim.spawn("waiter", async move {
            std::future::poll_fn(|cx| {
                polls.set(polls.get() + 1);
                *waker.borrow_mut() = Some(cx.waker().clone());
                if polls.get() >= 2 { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
            })
            .await;
        });
        sim.spawn("waker", async move {
            Timer::after(ms(1)).await;
            let w = waker.borrow().clone().unwrap();
            w.wake_by_ref();
            w.wake_by_ref();
            w.wake();
        });
        sim.run_for(fwsim::ms(10)).unwrap();
        log.push(format!("polls={}", polls.get()));
    })
}

#[test]
fn conformance_embassy_wake_coalescing() {
    assert_eq!(wake_coalescing(EMBASSY), strs(&["polls=2"]));
}

#[test]
fn conformance_micropython_wake_coalescing() {
    assert_eq!(wake_coalescing(MICROPYTHON), strs(&["polls=2"]));
}

fn self_wake(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        sim.spawn("self", async move {
            for i in 0..2 {
                log.push(format!("self{i}"));
                fwsim::yield_now().await;
            }
        });
        sim.spawn("other", async move {
            for i in 0..2 {
                log.push(format!("other{i}"));
                fwsim::yield_now().await;
            }
        });
        sim.run_until_stalled().unwrap();
    })
}

#[test]
fn conformance_embassy_self_wake() {
    // A self-woken task is never polled twice in one batch.
    assert_eq!(self_wake(EMBASSY), strs(&["other0", "self0", "self1", "other1"]));
}

#[test]
fn conformance_micropython_self_wake() {
    // sleep(0) requeues at the tail.
    assert_eq!(self_wake(MICROPYTHON), strs(&["self0", "other0", "self1", "other1"]));
}

fn isr_wake(policy: Policy) -> Vec<String> {
    logged(policy, |sim, log| {
        let from_isr = &*sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let from_task = sim.alloc(Signal::<NoopRawMutex, ()>::new());
        let from_task = &*from_task;
        sim.spawn("W", async move {
            from_isr.wait().await;
            log.push("W (woken by the interrupt)");
        });
        sim.spawn("V", async move {
            from_task.wait().await;
            log.push("V (woken by the task)");
        });
        sim.spawn("T", async move {
            Timer::after(ms(1)).await;
            // A pin write that raises an interrupt, then an ordinary wake.
            sim.raise_isr(Irq::new(1, 7), move || from_isr.signal(()));
            from_task.signal(());
        });
        sim.run_for(fwsim::ms(10)).unwrap();
    })
}

#[test]
fn conformance_embassy_isr_wake() {
    // The interrupt runs nested at the write: W is pushed first, V second; LIFO runs V first.
    assert_eq!(isr_wake(EMBASSY), strs(&["V (woken by the task)", "W (woken by the interrupt)"]));
}

#[test]
fn conformance_micropython_isr_wake() {
    // asyncio notices the interrupt only at its next loop step: V (pushed during the poll)
    // runs before W.
    assert_eq!(isr_wake(MICROPYTHON), strs(&["V (woken by the task)", "W (woken by the interrupt)"]));
}

#[test]
fn conformance_micropython_isr_wake_joins_at_next_step() {
    // Distinguishes deferral from FIFO: the interrupt wake comes first in program order but
    // second in the queue; a FIFO without deferral would run W first.
    let got = logged(MICROPYTHON, |sim, log| {
        let a = &*sim.alloc(Signal::<NoopRawMutex, ()>::new());
        sim.spawn("W", async move {
            a.wait().await;
            log.push("W");
        });
        sim.spawn("T", async move {
            sim.raise_isr(Irq::new(1, 7), move || a.signal(()));
            fwsim::yield_now().await;
            log.push("T");
        });
        sim.run_until_stalled().unwrap();
    });
    assert_eq!(got, strs(&["T", "W"]));
}
