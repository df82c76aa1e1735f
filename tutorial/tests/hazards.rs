//! Chapters 4 and 6 of the tutorial: interrupts, and the hazards of cooperative scheduling.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, NoopRawMutex};
use embassy_sync::signal::Signal;
use embassy_time::{Instant, Timer};
use embedded_hal::delay::DelayNs;
use fwsim::{Irq, SimError, SimTime};
use fwsim_primitives::{Lock, ThreadSafeFlag};

// ANCHOR: isr
#[test]
fn an_interrupt_hands_work_to_a_task() {
    fwsim::test(|sim| {
        // Set from an interrupt handler, awaited by a task: the flag's lock is a critical
        // section, safe against the handler.
        let data_ready = &*sim.alloc(ThreadSafeFlag::<CriticalSectionRawMutex>::new());
        let handled = &*sim.alloc(RefCell::new(Vec::new()));
        sim.spawn("reader", async move {
            loop {
                data_ready.wait().await;
                handled.borrow_mut().push(Instant::now().as_micros());
            }
        });
        for ms in [5, 9, 9] {
            // Two interrupts before the task runs are one wake-up: a flag, not a counter.
            sim.schedule_isr(SimTime::from_millis(ms), Irq::new(1, 23), move || data_ready.set());
        }
        sim.run_for(fwsim::ms(20)).unwrap();
        assert_eq!(*handled.borrow(), [5_000, 9_000]);
    });
}
// ANCHOR_END: isr

// ANCHOR: isr_misuse
#[test]
fn a_noop_mutex_in_an_interrupt_handler_is_reported() {
    // `IsrCheckedRawMutex` is `NoopRawMutex` that fwsim watches: locked from a handler, it
    // is a data race on a real MCU, and a diagnostic here.
    let signal = Signal::<fwsim::IsrCheckedRawMutex, u32>::new();
    let sim = fwsim::Sim::new();
    sim.schedule_isr(SimTime::from_millis(1), Irq::new(1, 23), || signal.signal(7));
    sim.run_for(fwsim::ms(2)).unwrap();
    assert_eq!(sim.diagnostics()[0].kind(), "IsrMisuse");
}
// ANCHOR_END: isr_misuse

// ANCHOR: blocking
#[test]
fn a_task_that_blocks_delays_everyone() {
    fwsim::test(|sim| {
        let ticks = &*sim.alloc(RefCell::new(Vec::new()));
        sim.spawn("ticker", async move {
            for k in 1..=4 {
                Timer::at(Instant::from_millis(10 * k)).await;
                ticks.borrow_mut().push(Instant::now().as_millis());
            }
        });
        sim.spawn("blocker", async move {
            Timer::after_millis(15).await;
            // A blocking delay (embedded-hal's `DelayNs`, a busy loop on a board): nothing
            // else runs for 12 ms. `Timer::after` would have let the ticker run.
            fwsim::Delay.delay_ms(12);
        });
        sim.run_for(fwsim::ms(50)).unwrap();
        assert_eq!(*ticks.borrow(), [10, 27, 30, 40], "the 20 ms tick came 7 ms late");
    });
}
// ANCHOR_END: blocking

// ANCHOR: deadlock
#[test]
fn two_locks_taken_in_opposite_orders_deadlock() {
    let sim = fwsim::Sim::new();
    let (bus, display) = (Rc::new(Lock::<NoopRawMutex>::new()), Rc::new(Lock::<NoopRawMutex>::new()));
    for (name, first, second) in [("sensor", bus.clone(), display.clone()), ("ui", display, bus)] {
        sim.spawn(name, async move {
            let _a = first.acquire().await;
            fwsim::yield_now().await;
            let _b = second.acquire().await;
        })
        .must_finish();
    }
    let err = sim.run_until_quiescent(fwsim::secs(1)).unwrap_err();
    assert!(matches!(err, SimError::Deadlock(_)), "{err}");
    assert!(err.to_string().contains("sensor"), "{err}");
}
// ANCHOR_END: deadlock

// ANCHOR: race
/// Counts pulses from two sensors into one total, with an await between read and write.
async fn add_pulses(total: Rc<Cell<u32>>, n: u32) {
    let seen = total.get();
    fwsim::yield_now().await; // e.g. a log line
    total.set(seen + n);
}

#[fwsim::test(explorer = "dfs", bound = 1)]
#[should_panic(expected = "pulses were lost")]
async fn pulses_race() {
    let total = Rc::new(Cell::new(0));
    let a = fwsim::spawn("left", add_pulses(total.clone(), 3));
    let b = fwsim::spawn("right", add_pulses(total.clone(), 4));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(total.get(), 7, "pulses were lost");
}
// ANCHOR_END: race
