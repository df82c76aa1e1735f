//! Firmware that never waits (a superloop that yields, under a cost model, where each poll
//! takes CPU time): its boot ends after the poll limit instead of never, and each step ends on
//! time instead of when the firmware first waits.

use std::cell::Cell;
use std::rc::Rc;

use embedded_io_async::Write;
use fwsim::Sim;
use fwsim_hw::Board;
use fwsim_hw::uart::UartConfig;
use fwsim_scenario::{App, PartInfo, PartKind, Parts, RunOptions};

/// Says `up`, then polls and yields; each poll costs 1 µs. It waits for good after a million
/// polls (a second), so that a runner that waits for it to wait ends, and fails, instead of
/// hanging.
struct Superloop;

impl App for Superloop {
    fn name(&self) -> &str {
        "superloop"
    }
    fn about(&self) -> &str {
        "polls and yields"
    }
    fn parts(&self) -> Vec<PartInfo> {
        vec![PartInfo::new("log", PartKind::Serial, "the log")]
    }
    fn start<'s>(&self, _: &'s Sim<'s>, board: &Board) -> Parts {
        let mut parts = Parts::new();
        parts.serial("log", board.uart("UART0", UartConfig::new(115_200)).peer());
        let board = board.clone();
        parts.boot(move |sim| {
            let mut log = board.reclaim_uart("UART0");
            let polls = Rc::new(Cell::new(0u32));
            sim.spawn("superloop", async move {
                log.write_all(b"up\r\n").await.unwrap();
                while polls.get() < 1_000_000 {
                    polls.set(polls.get() + 1);
                    fwsim::yield_now().await;
                }
                std::future::pending::<()>().await
            });
        });
        parts
    }
    fn cost(&self) -> Option<fwsim::CostModel> {
        Some(fwsim::CostModel { per_poll_ns: 1_000, per_wake_ns: 0 })
    }
}

#[test]
fn a_superloop_boots_and_its_steps_end_on_time() {
    let yaml = "steps:\n  - wait-serial: up\n  - delay: 200ms\n  - power-cycle: true\n  - delay: 50ms\n";
    let scenario = fwsim_scenario::parse("t.yaml".as_ref(), yaml, &[&Superloop], Some("superloop")).unwrap();
    let r = fwsim_scenario::run(&scenario, &Superloop, &RunOptions::default());
    assert!(r.passed(), "{}", r.human(true));
    let times: Vec<(u64, u64)> = r.steps.iter().map(|s| (s.start_ns, s.end_ns)).collect();
    // The boot ends after 100,000 polls of 1 µs; a delay ends when the poll under way at its
    // time does, 1 µs late.
    let (boot, poll) = (100_000_000, 1_000);
    assert_eq!(times[0], (boot, boot));
    let delay_end = boot + 200_000_000 + poll;
    assert_eq!(times[1], (boot, delay_end));
    // The power cycle boots the firmware again: another 100,000 polls.
    assert_eq!(times[2], (delay_end, delay_end + boot));
    assert_eq!(times[3], (delay_end + boot, delay_end + boot + 50_000_000 + poll));
}
