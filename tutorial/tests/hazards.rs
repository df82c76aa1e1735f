//! Chapters 4 and 6 of the tutorial: interrupts, and the hazards of cooperative scheduling.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, NoopRawMutex};
use embassy_sync::signal::Signal;
use embassy_time::{Instant, Timer};
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::InputPin;
use fwsim::fuzz::{Fuzz, Strategy};
use fwsim::{Irq, Order, SimConfig, SimError, SimTime};
use fwsim_hw::{Board, Level, Pull};
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

// ANCHOR: isr_split
/// A home-made data-ready flag whose wait checks in one critical section and registers its
/// waker in the next.
struct DataReady(Mutex<CriticalSectionRawMutex, RefCell<(bool, Option<Waker>)>>);

impl DataReady {
    fn set(&self) {
        let waker = self.0.lock(|s| {
            let mut s = s.borrow_mut();
            s.0 = true;
            s.1.take()
        });
        if let Some(w) = waker {
            w.wake();
        }
    }

    async fn wait(&self) {
        poll_fn(|cx| {
            if self.0.lock(|s| std::mem::take(&mut s.borrow_mut().0)) {
                return Poll::Ready(());
            }
            // An interrupt here sets the flag with no waker to wake.
            self.0.lock(|s| s.borrow_mut().1 = Some(cx.waker().clone()));
            Poll::Pending
        })
        .await
    }
}

#[test]
fn an_interrupt_between_two_critical_sections_is_found() {
    let failure = Fuzz::new(Strategy::Dfs { bound: 2 })
        .name("data-ready")
        // Interrupts may land inside a poll, where its critical sections end.
        .config(SimConfig::new().isr_preemption(true))
        .order(Order::Embassy)
        .realizable()
        .try_run(|sim| {
            let ready = &*sim.alloc(DataReady(Mutex::new(RefCell::new((false, None)))));
            sim.spawn("reader", async move { ready.wait().await }).must_finish();
            sim.schedule_isr(SimTime::ZERO, Irq::new(1, 6), move || ready.set());
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        })
        .expect_err("the reader sleeps for ever");
    assert_eq!(failure.deviations, 1);
    assert_eq!(failure.fault.kind, "Deadlock");
}
// ANCHOR_END: isr_split

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

// ANCHOR: busy_wait
#[test]
fn a_busy_wait_on_a_button_sees_the_press() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut button = board.input("BTN", Pull::Up);
        board.button("B1", &button, Level::Low).press_at(SimTime::from_millis(30));
        let poller = sim.spawn("poller", async move {
            // Blocking-style firmware: on a board this loop burns the CPU until the press.
            while button.is_high().unwrap() {}
            Instant::now().as_millis()
        });
        sim.run_for(fwsim::ms(50)).unwrap();
        assert_eq!(sim.join(poller).unwrap(), 30, "each read past the 1,000th spent a 1 µs tick");
    });
}
// ANCHOR_END: busy_wait

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
/// Counts pulses from a sensor into a shared total, with an await between read and write.
async fn add_pulses(total: Rc<Cell<u32>>, n: u32) {
    let seen = total.get();
    fwsim::yield_now().await; // e.g. a log line
    total.set(seen + n);
}

/// Two sensors' pulses into one total; the right sensor's come a little later.
async fn count_pulses() -> u32 {
    let total = Rc::new(Cell::new(0));
    let left = fwsim::spawn("left", add_pulses(total.clone(), 3));
    fwsim::yield_now().await;
    let right = fwsim::spawn("right", add_pulses(total.clone(), 4));
    left.await.unwrap();
    right.await.unwrap();
    total.get()
}

#[fwsim::test] // one run, in the executor's own order
async fn pulses_add_up() {
    assert_eq!(count_pulses().await, 7, "pulses were lost");
}

#[fwsim::test(explorer = "dfs", bound = 1, order = "embassy")] // every order one step from it
#[should_panic(expected = "pulses were lost")]
async fn pulses_race() {
    assert_eq!(count_pulses().await, 7, "pulses were lost");
}
// ANCHOR_END: race

// ANCHOR: invariant
/// Moves a unit of charge between two battery cells in two steps, with an await between.
async fn rebalance(cells: Rc<[Cell<u32>; 2]>, from: usize, to: usize) {
    cells[from].set(cells[from].get() - 1);
    fwsim::yield_now().await; // e.g. waiting for the charger's I2C reply
    cells[to].set(cells[to].get() + 1);
}

#[fwsim::test(explorer = "dfs", bound = 2)]
#[should_panic(expected = "invariant `at most one unit in flight` broken")]
async fn two_rebalances_in_flight_at_once() {
    let cells = Rc::new([Cell::new(10), Cell::new(10)]);
    let gauge = cells.clone();
    // The fuel gauge reads at any moment and smooths over one unit in flight, not two: the
    // sum must stay at 19 or more at every step. (At the end it is 20 in every schedule.)
    fwsim::invariant("at most one unit in flight", move || gauge[0].get() + gauge[1].get() >= 19);
    let first = fwsim::spawn("first", rebalance(cells.clone(), 0, 1));
    fwsim::yield_now().await; // the second request comes a little later
    let second = fwsim::spawn("second", rebalance(cells.clone(), 1, 0));
    first.await.unwrap();
    second.await.unwrap();
    assert_eq!(cells[0].get() + cells[1].get(), 20);
}
// ANCHOR_END: invariant
