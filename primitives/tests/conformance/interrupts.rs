//! Interrupt misuse of a task-only primitive.

use super::*;

#[test]
fn a_task_only_event_set_from_an_interrupt_is_reported() {
    let ev: Ev = Event::new();
    let sim = Sim::new();
    sim.spawn("waiter", async { ev.wait().await });
    sim.schedule_isr(fwsim::SimTime::from_millis(3), fwsim::Irq::new(1, 9), || ev.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    let d = sim.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].to_string(),
        "0.003000000s: interrupt 9 locked Event::set, a task-only primitive; give it a CriticalSectionRawMutex if interrupts use it"
    );
}

#[test]
fn a_critical_section_event_set_from_an_interrupt_is_fine() {
    let ev: Event<embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex> = Event::new();
    let sim = Sim::new();
    let mut waiter = sim.spawn("waiter", async { ev.wait().await });
    sim.schedule_isr(fwsim::SimTime::from_millis(3), fwsim::Irq::new(1, 9), || ev.set());
    sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert!(sim.diagnostics().is_empty());
    assert_eq!(waiter.try_take(), Some(Ok(())));
}

#[test]
fn a_zero_timeout_times_out_before_polling_the_future() {
    fwsim::test(|sim| {
        let mut t = sim.spawn("t", wait_for(Duration::from_millis(0), async { 1 }));
        sim.run_until_stalled().unwrap();
        assert_eq!(t.try_take(), Some(Ok(Err(TimeoutError))));
    });
}
