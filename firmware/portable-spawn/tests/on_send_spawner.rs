//! The `Send` seam on embassy's `SendSpawner`: the start-up spawns `Send` tokens onto the real
//! executor (hosted in fwsim) through the handle another executor or thread would hold. One
//! test in this binary: task pools are statics.

mod common;

#[test]
fn the_app_spawns_through_a_send_spawner() {
    fwsim::scope(fwsim::SimConfig::new(), |sim| {
        sim.enter(|| {
            fwsim_embassy::spawn_executor("firmware", |spawner| {
                let send_spawner: embassy_executor::SendSpawner = spawner.make_send();
                common::start_send(&send_spawner)
            })
        });
        sim.run_for(fwsim::ms(50)).unwrap();
        assert!(sim.errors().is_empty(), "{:?}", sim.errors());
    });
    assert_eq!(*common::LOG.lock().unwrap(), common::EXPECTED);
}
