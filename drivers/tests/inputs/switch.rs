//! Switch.

use super::*;

#[test]
fn switch_reports_at_the_poll_that_sees_the_change() {
    on_both_policies(switch_under);
}

fn switch_under(policy: Policy) {
    let sw = Switch::<IsrCheckedRawMutex>::new(true);
    let log = Log::default();
    let sim = Sim::with_config(SimConfig::new().policy(policy));
    let (pin, button) = key(&sim, Level::Low, false);
    sim.spawn("switch", sw.run(pin, |e| record(&log, e)));
    edge(&sim, &button, 120_000, true); // mid-interval: seen at 150
    edge(&sim, &button, 400_000, false); // on the grid: seen at 400
    sim.run_for(fwsim::secs(1)).unwrap();
    assert_eq!(lines(&log), ev(&[("Closed", 150), ("Opened", 400)]));
    assert!(sw.open.is_set() && sw.close.is_set() && !sw.is_closed());
    sw.clear();
    assert!(!sw.open.is_set() && !sw.close.is_set());
}

#[test]
fn a_change_made_before_the_switch_task_first_runs_is_a_change() {
    // The toolkit reads the contact in the constructor; the port read it at the task's first
    // poll, so a change in between went unseen (the toolkit's switch test: expected 0x0008,
    // got 0x0000 under embassy's order). Now `run` reads it when called.
    let got = on_both_policies(|policy| {
        let sw = Switch::<IsrCheckedRawMutex>::new(true);
        let log = Log::default();
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        let (pin, button) = key(&sim, Level::Low, false);
        let task = sw.run(pin, |e| record(&log, e));
        assert!(!sw.is_closed(), "read when run() was called");
        sim.enter(|| button.set(true)); // closed before the task first runs
        sim.spawn("switch", task);
        sim.run_for(fwsim::ms(100)).unwrap();
        lines(&log)
    });
    assert_eq!(got, ev(&[("Closed", 0)]));
}

#[test]
fn a_press_made_before_the_button_task_first_runs_is_a_press() {
    let got = on_both_policies(|policy| {
        let pb = Pushbutton::<IsrCheckedRawMutex>::new(PushbuttonConfig::new());
        let eb = EButton::<IsrCheckedRawMutex>::new(PushbuttonConfig::new());
        let log = Log::default();
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        let (pin, button) = key(&sim, Level::Low, false);
        let (pin2, button2) = key(&sim, Level::Low, false);
        let tasks = (pb.run(pin, |e| record(&log, ("pb", e))), eb.run(pin2, |e| record(&log, ("eb", e))));
        assert!(!pb.is_pressed() && !eb.is_pressed());
        sim.enter(|| {
            button.set(true);
            button2.set(true);
        });
        sim.spawn("pushbutton", tasks.0);
        sim.spawn("ebutton", tasks.1);
        sim.run_for(fwsim::ms(100)).unwrap();
        let mut l = lines(&log);
        l.sort();
        l
    });
    assert_eq!(got, ev(&[("(\"eb\", Press)", 0), ("(\"pb\", Press)", 0)]));
}

#[test]
fn a_bouncing_switch_reports_one_change_each_way() {
    for seed in 0..40 {
        let sw = Switch::<IsrCheckedRawMutex>::new(true);
        let log = Log::default();
        let sim = Sim::with_config(SimConfig::new().seed(seed));
        let (pin, button) = key(&sim, Level::Low, true);
        sim.spawn("switch", sw.run(pin, |e| record(&log, e)));
        edge(&sim, &button, 147_000, true); // chatters across the 150 ms poll
        edge(&sim, &button, 598_000, false);
        sim.run_for(fwsim::secs(1)).unwrap();
        let l = lines(&log);
        assert_eq!(l.len(), 2, "seed {seed}: {l:?}");
        assert!(l[0].0 == "Closed" && [150, 200].contains(&l[0].1), "seed {seed}: {l:?}");
        assert!(l[1].0 == "Opened" && [600, 650].contains(&l[1].1), "seed {seed}: {l:?}");
    }
}

#[test]
fn dropping_the_runner_stops_the_switch() {
    // Regression for PRIMITIVES.md §5.2 L2: ESwitch.deinit() raised and the poller ran on.
    let sw = Switch::<IsrCheckedRawMutex>::new(true);
    let sim = Sim::new();
    let (pin, button) = key(&sim, Level::Low, false);
    let runner = sim.spawn("switch", sw.run(pin, |_| {}));
    sim.run_for(fwsim::ms(100)).unwrap();
    runner.abort();
    edge(&sim, &button, 200_000, true);
    let report = sim.run_until_quiescent(fwsim::secs(1)).unwrap();
    assert!(report.waiting.is_empty(), "no poller left: {report:?}");
    assert!(!sw.close.is_set());
}
