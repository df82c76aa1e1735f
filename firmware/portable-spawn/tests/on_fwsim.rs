//! The seams on fwsim's own tasks: no static pools, so one process runs the app in as many
//! simulations as it likes. One test: the app's log is a static.

mod common;

use fwsim_embassy::FwsimSpawner;

#[test]
fn the_app_spawns_on_fwsim_tasks_in_every_simulation_through_either_seam() {
    for send_seam in [false, true, false, true] {
        common::LOG.lock().unwrap().clear();
        fwsim::scope(fwsim::SimConfig::new(), |sim| {
            if send_seam {
                sim.enter(|| common::start_send(&FwsimSpawner));
            } else {
                sim.enter(|| common::start(&FwsimSpawner));
            }
            sim.run_for(fwsim::ms(50)).unwrap();
            assert_eq!(sim.live_tasks(), 0, "both sub-tasks ran to the end");
        });
        assert_eq!(*common::LOG.lock().unwrap(), common::EXPECTED, "send seam: {send_seam}");
    }
}
