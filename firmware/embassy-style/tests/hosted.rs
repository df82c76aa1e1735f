//! The embassy-style firmware, unmodified, on the real embassy executor hosted in fwsim: its
//! tasks' timers run in virtual time and a scheduled interrupt wakes them. One test in this
//! binary: the firmware's task pools and channels are statics.

use std::sync::Mutex;

use app_embassy_style::{BUTTON, alarm, sampler};
use fwsim::{Diagnostic, Irq, SimConfig, SimTime};

static LOG: Mutex<Vec<(u64, String, u32)>> = Mutex::new(Vec::new());

fn log(ms: u64, what: &str, n: u32) {
    LOG.lock().unwrap().push((ms, what.to_owned(), n));
}

#[test]
fn embassy_tasks_run_unmodified_in_virtual_time() {
    fwsim::scope(SimConfig::new(), |sim| {
        sim.enter(|| {
            fwsim_embassy::spawn_executor("firmware", |spawner| {
                spawner.spawn(sampler(spawner, log).expect("a sampler slot"));
                spawner.spawn(alarm(log).expect("an alarm slot"));
            })
        });
        sim.schedule_isr(SimTime::from_millis(250), Irq::new(2, 7), || BUTTON.signal(()));
        sim.run_for(fwsim::secs(3600)).unwrap();
        let errors: Vec<Diagnostic> = sim.errors();
        assert!(errors.is_empty(), "hosted timers are not foreign: {errors:?}");
        assert_eq!(sim.now(), SimTime::from_secs(3600), "an hour of virtual time");
    });
    let log = LOG.lock().unwrap().clone();
    let expected: Vec<(u64, String, u32)> = vec![
        (100, "sample".into(), 10),
        (200, "sample".into(), 20),
        (250, "button".into(), 1),
        (300, "sample".into(), 30),
        (400, "sample".into(), 40),
        (500, "sample".into(), 50),
    ];
    assert_eq!(log, expected);
}
