//! `firmware/embassy-style`, unmodified, on the real embassy executor hosted in fwsim: its
//! tasks' timers run in virtual time, a scheduled interrupt wakes one, and its defmt log lands
//! in the trace at the virtual times it was written. One test in this binary: the firmware's
//! task pools and channels are statics.

use app_embassy_style::{BUTTON, alarm, sampler};
use fwsim::{Irq, SimConfig, SimTime};
use fwsim_defmt as _;

#[test]
fn embassy_firmware_runs_unmodified_in_virtual_time_with_its_defmt_log() {
    let trace_marks = fwsim::scope(SimConfig::new(), |sim| {
        sim.enter(|| {
            fwsim_embassy::spawn_executor("firmware", |spawner| {
                spawner.spawn(sampler(spawner).expect("a sampler slot"));
                spawner.spawn(alarm().expect("an alarm slot"));
            })
        });
        sim.schedule_isr(SimTime::from_millis(250), Irq::new(2, 7), || BUTTON.signal(()));
        sim.run_for(fwsim::secs(3600)).unwrap();
        assert!(sim.errors().is_empty(), "hosted timers are not foreign: {:?}", sim.errors());
        assert_eq!(sim.now(), SimTime::from_secs(3600), "an hour of virtual time");
        sim.marks().into_iter().map(|m| (m.at.as_millis(), m.label)).collect::<Vec<_>>()
    });
    let lines: Vec<(u64, Option<String>, String)> =
        fwsim_defmt::take_lines().into_iter().map(|l| (l.at.as_millis(), l.level, l.message)).collect();
    if cfg!(miri) {
        // Under Miri there is no ELF to read the defmt table from: the frames are there, at
        // their times, undecoded (what runs here is the executor, the pender, the logger).
        let times: Vec<u64> = lines.iter().map(|l| l.0).collect();
        assert_eq!(times, [100, 200, 250, 300, 400, 500, 500]);
        return;
    }
    let info = |ms: u64, m: &str| (ms, Some("INFO".to_owned()), m.to_owned());
    assert_eq!(
        lines,
        [
            info(100, "sample 10"),
            info(200, "sample 20"),
            info(250, "button press 1"),
            info(300, "sample 30"),
            info(400, "sample 40"),
            (500, Some("WARN".to_owned()), "sampler done after 5 samples".to_owned()),
            info(500, "sample 50"),
        ]
    );
    // The same lines are marks in the simulation's trace, at their virtual times.
    assert!(trace_marks.contains(&(250, "INFO button press 1".to_owned())), "{trace_marks:?}");
    assert_eq!(trace_marks.len(), 7, "{trace_marks:?}");
}
