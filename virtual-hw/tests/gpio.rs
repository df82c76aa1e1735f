//! GPIO nets, drivers, pulls, buttons, waits and interrupts, in virtual time.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use support::hardware_rules;

use embassy_time::{Duration, Timer, with_timeout};
use embedded_hal::digital::{InputPin, OutputPin, StatefulOutputPin};
use embedded_hal_async::digital::Wait;
use fwsim::{SimTime, ms};
use fwsim_hw::{Board, Bounce, Drive, Edge, Level, Logic, Pull};

fn t_ms(v: u64) -> SimTime {
    SimTime::from_millis(v)
}

#[test]
fn a_push_pull_output_drives_a_jumpered_input() {
    fwsim::test(|_sim| {
        let board = Board::new();
        let mut out = board.output("OUT", Drive::PushPull, Level::Low);
        let mut input = board.input("IN", Pull::None);
        board.jumper(&out, &input);
        assert!(input.is_low().unwrap());
        out.set_high().unwrap();
        assert!(input.is_high().unwrap());
        assert!(out.is_set_high().unwrap());
        // An output reads back its net.
        assert!(out.is_high().unwrap());
    });
}

#[test]
fn open_drain_lines_with_a_pull_up_are_wired_and() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut a = board.output_with_pull("SDA_A", Drive::OpenDrain, Pull::Up, Level::High);
        let mut b = board.output("SDA_B", Drive::OpenDrain, Level::High);
        board.jumper(&a, &b);
        assert!(a.is_high().unwrap(), "released lines float up to the pull-up");
        b.set_low().unwrap();
        assert!(a.is_low().unwrap());
        a.set_low().unwrap();
        b.set_high().unwrap();
        assert!(b.is_low().unwrap(), "either side pulls the line low");
        a.set_high().unwrap();
        assert!(b.is_high().unwrap());
        assert!(hardware_rules(sim).is_empty(), "open drain never contends");
    });
}

#[test]
fn two_push_pull_outputs_driving_opposite_levels_contend() {
    fwsim::test(|sim| {
        let board = Board::new();
        let a = board.output("A", Drive::PushPull, Level::High);
        let mut b = board.output("B", Drive::PushPull, Level::High);
        board.jumper(&a, &b);
        assert!(hardware_rules(sim).is_empty(), "same level: no contention");
        b.set_low().unwrap();
        assert_eq!(a.probe().logic(), Logic::Contention);
        let diags = sim.take_diagnostics();
        assert_eq!(diags.len(), 1);
        let text = diags[0].to_string();
        assert!(
            text.contains("Contention") && text.contains("A drives High") && text.contains("B drives Low"),
            "{text}"
        );
    });
}

#[test]
fn reading_a_floating_input_is_reported_once_per_spell() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut floating = board.input("NC", Pull::None);
        assert!(floating.is_low().unwrap(), "a floating pin reads low");
        assert!(floating.is_low().unwrap());
        assert_eq!(hardware_rules(sim), ["FloatingRead"]);
        let mut pulled = board.input("PULLED", Pull::Up);
        assert!(pulled.is_high().unwrap());
        // Driven, then floating again: a new spell, a new report.
        floating.drive(Some(Level::High));
        floating.drive(None);
        let _ = floating.is_high();
        assert_eq!(hardware_rules(sim), ["FloatingRead"]);
    });
}

#[test]
fn a_button_closes_its_net_to_the_rail() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut key = board.input("KEY", Pull::Up);
        let button = board.button("B1", &key, Level::Low);
        let mut active_high = board.input("KEY2", Pull::Down);
        let button2 = board.button("B2", &active_high, Level::High);
        button.click_at(t_ms(10), std::time::Duration::from_millis(5));
        button2.press_at(t_ms(12));
        sim.run_until(t_ms(11)).unwrap();
        assert!(key.is_low().unwrap());
        assert!(active_high.is_low().unwrap());
        sim.run_until(t_ms(13)).unwrap();
        assert!(active_high.is_high().unwrap());
        sim.run_until(t_ms(16)).unwrap();
        assert!(key.is_high().unwrap());
        assert_eq!(board.signals().edges_to("KEY", Logic::Low), [t_ms(10)]);
        assert_eq!(board.signals().edges_to("KEY", Logic::High), [SimTime::ZERO, t_ms(15)]);
    });
}

#[test]
fn an_edge_counts_only_while_a_wait_is_armed() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut key = board.input("KEY", Pull::Up);
        let button = board.button("B1", &key, Level::Low);
        // Falling edges at 1 ms and 5 ms; the wait is armed at 2 ms.
        button.click_at(t_ms(1), std::time::Duration::from_millis(1));
        button.click_at(t_ms(5), std::time::Duration::from_millis(1));
        let waiter = sim.spawn("waiter", async move {
            Timer::after_millis(2).await;
            key.wait_for_falling_edge().await.unwrap();
            fwsim::now()
        });
        sim.run_for(ms(10)).unwrap();
        assert_eq!(sim.join(waiter).unwrap(), t_ms(5));
    });
}

#[test]
fn waiting_for_the_level_a_pin_already_has_returns_at_once() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut key = board.input("KEY", Pull::Up);
        let polls = sim.spawn("waiter", async move {
            let mut polls = 0;
            let wait = core::pin::pin!(key.wait_for_high());
            let mut wait = wait;
            std::future::poll_fn(|cx| {
                polls += 1;
                wait.as_mut().poll(cx)
            })
            .await
            .unwrap();
            (polls, fwsim::now())
        });
        sim.run_until_stalled().unwrap();
        assert_eq!(sim.join(polls).unwrap(), (1, SimTime::ZERO));
    });
}

#[test]
fn a_dropped_wait_is_disarmed() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut key = board.input("KEY", Pull::Up);
        let button = board.button("B1", &key, Level::Low);
        button.press_at(t_ms(10));
        button.release_at(t_ms(20));
        let task = sim.spawn("waiter", async move {
            let first = with_timeout(Duration::from_millis(5), key.wait_for_falling_edge()).await;
            // Re-armed after the timeout: sees the 10 ms edge, not a stale one.
            key.wait_for_falling_edge().await.unwrap();
            let second = fwsim::now();
            key.wait_for_any_edge().await.unwrap();
            (first.is_err(), second, fwsim::now())
        });
        sim.run_for(ms(30)).unwrap();
        assert_eq!(sim.join(task).unwrap(), (true, t_ms(10), t_ms(20)));
    });
}

#[test]
fn edge_handlers_run_in_interrupt_context_even_for_a_tasks_own_write() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut out = board.output("OUT", Drive::PushPull, Level::Low);
        let input = board.input("IN", Pull::None);
        board.jumper(&out, &input);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = seen.clone();
        input.on_edge(Edge::Rising, move |level| {
            log.borrow_mut().push((fwsim::now(), level, fwsim::isr::in_interrupt()));
        });
        sim.spawn("blink", async move {
            for _ in 0..2 {
                Timer::after_millis(1).await;
                out.set_high().unwrap();
                Timer::after_millis(1).await;
                out.set_low().unwrap();
            }
        });
        sim.run_for(ms(5)).unwrap();
        assert_eq!(*seen.borrow(), [(t_ms(1), Level::High, true), (t_ms(3), Level::High, true)]);
    });
}

fn bounce_edges(seed: u64) -> Vec<SimTime> {
    let edges = std::sync::Mutex::new(Vec::new());
    fwsim::test_with(fwsim::SimConfig::new().seed(seed), |sim| {
        let board = Board::new();
        let key = board.input("KEY", Pull::Up);
        let button = board
            .button("B1", &key, Level::Low)
            .with_bounce(Bounce { window: std::time::Duration::from_millis(2), max_pairs: 4 });
        button.press_at(t_ms(10));
        sim.run_for(ms(20)).unwrap();
        assert_eq!(key.probe().logic(), Logic::Low, "the contact settles closed");
        let signals = board.signals();
        let e: Vec<SimTime> = signals.of("KEY").map(|c| c.at).filter(|t| *t >= t_ms(10)).collect();
        assert!(e.len() >= 3 && e.len() % 2 == 1, "a burst of {} edges", e.len());
        assert!(e.len() <= 9);
        assert_eq!(e[0], t_ms(10));
        assert!(e.iter().all(|t| *t < t_ms(12)), "{e:?}");
        *edges.lock().unwrap() = e;
    });
    edges.into_inner().unwrap()
}

#[test]
fn contact_bounce_is_a_seeded_burst() {
    assert_eq!(bounce_edges(1), bounce_edges(1));
    assert_ne!(bounce_edges(1), bounce_edges(2));
}

#[test]
fn embedded_hal_02_traits_drive_the_same_pins() {
    use embedded_hal_02::digital::v2::InputPin as _;
    fwsim::test(|_sim| {
        let board = Board::new();
        let mut out = board.output("OUT", Drive::PushPull, Level::Low);
        let input = board.input("IN", Pull::None);
        board.jumper(&out, &input);
        embedded_hal_02::digital::v2::ToggleableOutputPin::toggle(&mut out).unwrap();
        assert!(input.is_high().unwrap());
        embedded_hal_02::digital::v2::OutputPin::set_low(&mut out).unwrap();
        assert!(embedded_hal_02::digital::v2::InputPin::is_low(&input).unwrap());
    });
}

#[test]
fn an_led_follows_its_net() {
    fwsim::test(|_sim| {
        let board = Board::new();
        let mut pin = board.output("LED_PIN", Drive::PushPull, Level::High);
        let led = board.led(&pin, Level::Low);
        assert!(!led.is_on());
        pin.set_low().unwrap();
        assert!(led.is_on());
    });
}

/// A buffer that also counts the edges it sees on each of its pins.
struct CountingBuffer {
    edges: [u32; 2],
}

impl fwsim_hw::PinDevice for CountingBuffer {
    fn on_edge(&mut self, ctx: &mut fwsim_hw::PinContext<'_>, index: usize, level: Level) {
        self.edges[index] += 1;
        if index == 0 {
            // At once: the output changes in the next interrupt at this instant, so the model
            // hears its own output's edge without being re-entered.
            ctx.drive_at(1, ctx.now(), Some(level));
        }
    }
}

#[test]
fn a_pin_device_follows_its_inputs_and_hears_its_own_outputs() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut a = board.output("A", Drive::PushPull, Level::Low);
        let y = board.input("Y", Pull::Down);
        let buffer = board.attach_pins("U1", &[&a, &y], CountingBuffer { edges: [0; 2] });
        sim.spawn("firmware", async move {
            for _ in 0..3 {
                a.set_high().unwrap();
                Timer::after_millis(1).await;
                a.set_low().unwrap();
                Timer::after_millis(1).await;
            }
        });
        sim.run_for(ms(10)).unwrap();
        assert_eq!(buffer.borrow().edges, [6, 6]);
        let rises = board.signals().edges_to("Y", Logic::High);
        assert_eq!(rises, [SimTime::ZERO, SimTime::from_millis(2), SimTime::from_millis(4)]);
    });
}

/// A buffer on a bad joint: each input edge reaches the output only half the time, decided by
/// the board's seeded stream through the shared `DeviceContext`.
struct FlakyBuffer;

impl fwsim_hw::PinDevice for FlakyBuffer {
    fn on_edge(&mut self, ctx: &mut fwsim_hw::PinContext<'_>, index: usize, level: Level) {
        use fwsim_hw::DeviceContext;
        if index == 0 && ctx.random_below(2) == 0 {
            ctx.drive_at(1, ctx.now(), Some(level));
        }
        assert_eq!(ctx.line_hz(), None, "plain wires have no clock");
    }
}

fn flaky_edges(seed: u64) -> usize {
    let out = std::sync::Mutex::new(0);
    fwsim::test_with(fwsim::SimConfig::new().seed(seed), |sim| {
        let board = Board::new();
        let mut a = board.output("A", Drive::PushPull, Level::Low);
        let y = board.input("Y", Pull::Down);
        board.attach_pins("U1", &[&a, &y], FlakyBuffer);
        sim.spawn("firmware", async move {
            for _ in 0..20 {
                a.toggle().unwrap();
                Timer::after_millis(1).await;
            }
        });
        sim.run_for(ms(30)).unwrap();
        *out.lock().unwrap() = board.signals().of("Y").count();
    });
    out.into_inner().unwrap()
}

#[test]
fn device_models_draw_randomness_from_the_seed() {
    // `fwsim::test_with` already runs each seed twice and compares the traces.
    let (a, b) = (flaky_edges(1), flaky_edges(1));
    assert_eq!(a, b, "the same seed gives the same joint");
    assert!((1..=19).contains(&a), "about half the edges get through: {a}");
    assert!((2..40).any(|seed| flaky_edges(seed) != a), "another seed, another joint");
}
