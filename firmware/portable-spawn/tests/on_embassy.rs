//! The seam on embassy's `Spawner`: the same start-up spawns the `#[embassy_executor::task]`
//! tokens on the real executor (hosted in fwsim). One test in this binary: task pools are
//! statics.

mod common;

#[test]
fn the_app_spawns_on_the_embassy_executor() {
    fwsim::scope(fwsim::SimConfig::new(), |sim| {
        sim.enter(|| fwsim_embassy::spawn_executor("firmware", |spawner| common::start(&spawner)));
        sim.run_for(fwsim::ms(50)).unwrap();
        assert!(sim.errors().is_empty(), "{:?}", sim.errors());
    });
    assert_eq!(*common::LOG.lock().unwrap(), common::EXPECTED);
}
