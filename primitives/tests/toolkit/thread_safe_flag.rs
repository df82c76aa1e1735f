//! ThreadSafeFlag.

use super::*;

#[test]
fn thread_safe_flag_is_a_flag_not_a_counter() {
    for policy in [Policy::Embassy, Policy::MicroPython] {
        let flag = ThreadSafeFlag::<CriticalSectionRawMutex>::new();
        let woken = Cell::new(0);
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        sim.spawn("waiter", async {
            loop {
                flag.wait().await;
                woken.set(woken.get() + 1);
            }
        });
        sim.schedule_isr(SimTime::from_millis(3), Irq::new(1, 5), || {
            flag.set();
            flag.set();
        });
        sim.run_for(fwsim::ms(10)).unwrap();
        assert_eq!(woken.get(), 1, "two sets before the task runs satisfy one wait");
    }
}

#[test]
fn a_second_flag_waiter_is_not_lost_silently() {
    // MicroPython silently drops the first waiter. Here they evict each other, which fwsim
    // reports as a same-instant loop naming both.
    let flag = ThreadSafeFlag::<CriticalSectionRawMutex>::new();
    let sim = Sim::with_config(SimConfig::new().same_instant_poll_limit(50));
    sim.spawn("first", flag.wait());
    sim.spawn("second", flag.wait());
    sim.run_for(fwsim::ms(1)).unwrap();
    let d = sim.take_diagnostics();
    assert!(matches!(d.first(), Some(fwsim::Diagnostic::SameInstantLoop { tasks, .. }) if tasks.len() == 2), "{d:?}");
}

#[test]
fn thread_safe_flag_state_can_be_polled() {
    // The toolkit's tutorial polls a ThreadSafeFlag's state instead of awaiting it.
    fwsim::test(|sim| {
        let flag = &*sim.alloc(ThreadSafeFlag::<CriticalSectionRawMutex>::new());
        assert!(!flag.is_set());
        sim.schedule_isr(SimTime::from_millis(2), Irq::new(1, 5), move || flag.set());
        sim.run_for(fwsim::ms(3)).unwrap();
        assert!(flag.is_set(), "set by the interrupt, not yet consumed");
        let waiter = sim.spawn("waiter", async move { flag.wait().await });
        sim.join(waiter).unwrap();
        assert!(!flag.is_set(), "a wait consumes it");
    });
}
