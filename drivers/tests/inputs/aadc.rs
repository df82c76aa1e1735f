//! AADC.

use super::*;

struct Pot<'a>(&'a Cell<u16>);
impl fwsim_drivers::ReadU16 for Pot<'_> {
    fn read_u16(&mut self) -> u16 {
        self.0.get()
    }
}

#[test]
fn aadc_waits_out_of_and_into_a_band() {
    use fwsim_drivers::{Aadc, Band};
    for policy in [Policy::Embassy, Policy::MicroPython] {
        let level = leak(Cell::new(30_000u16));
        let aadc = Aadc::new(Pot(level));
        let sim = Sim::with_config(SimConfig::new().policy(policy));
        let mut waiter = sim.spawn("waiter", async {
            let mut seen = Vec::new();
            // Relative: ±1000 around 30000; the drift to 30900 stays inside.
            seen.push((aadc.wait(Band::Around(1000)).await, Instant::now().as_millis()));
            // Absolute band, inverted sense: wait until back inside 29000..=30000.
            aadc.sense(false);
            seen.push((aadc.wait(Band::Between(29_000, 30_000)).await, Instant::now().as_millis()));
            // The same band, normal sense: inclusive edges are inside.
            aadc.sense(true);
            seen.push((aadc.wait(Band::Same).await, Instant::now().as_millis()));
            seen
        });
        for (at, v) in [(3, 30_900), (7, 31_001), (12, 29_000), (20, 30_000), (25, 28_999)] {
            sim.schedule_isr(SimTime::from_millis(at), PIN_IRQ, move || level.set(v));
        }
        sim.run_for(fwsim::ms(50)).unwrap();
        assert_eq!(waiter.try_take(), Some(Ok(vec![(31_001, 7), (29_000, 12), (28_999, 25)])));
        assert_eq!(aadc.read_u16(true), 28_999);
    }
}
