//! The README's "Writing a test" example, verbatim.

use embassy_time::{Duration, Timer};
use std::cell::RefCell;

async fn blink(period_ms: u64, name: &'static str, log: &RefCell<Vec<(&'static str, u64)>>) {
    loop {
        Timer::after(Duration::from_millis(period_ms)).await;
        log.borrow_mut().push((name, fwsim::now().as_millis()));
    }
}

#[test]
fn two_tasks_for_an_hour() {
    fwsim::test(|sim| {
        let log = sim.alloc(RefCell::new(Vec::new()));
        let log = &*log;
        sim.spawn("fast", blink(250, "fast", log));
        sim.spawn("slow", blink(1000, "slow", log));
        sim.run_for(fwsim::secs(3600)).unwrap();

        let log = log.borrow();
        assert_eq!(log.iter().filter(|e| e.0 == "slow").count(), 3600);
        assert_eq!(log.iter().filter(|e| e.0 == "fast").count(), 14_400);
        // Both fire at every whole second; "slow" registered its timer first (a second
        // earlier), and embassy polls equal deadlines in registration order.
        let at_1s: Vec<_> = log.iter().filter(|e| e.1 == 1000).map(|e| e.0).collect();
        assert_eq!(at_1s, ["slow", "fast"]);
    });
}
