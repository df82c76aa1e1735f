//! SynCom between two boards in one simulation: each end on its own executor (two MCUs), the
//! four lines crossed pin to pin. Messages go both ways, and the link comes back after either
//! side restarts.

use std::cell::RefCell;

use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, NoopRawMutex};
use embassy_sync::mutex::Mutex;
use embassy_time::{Duration, Instant};
use fwsim::{ExecutorId, Order, Sim, SimTime};
use fwsim_drivers::{SynCom, SynComPins};
use fwsim_hw::{Board, Drive, Level, Pin, Pull};

type End = SynCom<CriticalSectionRawMutex>;
type Pins = SynComPins<Pin, Pin, Pin, Pin>;
/// `(ms, message)` as one end received them.
type Log = RefCell<Vec<(u64, String)>>;

const TIMEOUT: Duration = Duration::from_millis(50);

/// Both ends' pins, crossed: A's clock and data drive B's inputs and the other way round.
fn wiring(board: &Board) -> (Pins, Pins) {
    let end = |name: &str| {
        let out = |line: &str| board.output(&format!("{name}.{line}"), Drive::PushPull, Level::Low);
        let input = |line: &str| board.input(&format!("{name}.{line}"), Pull::None);
        SynComPins { ckin: input("CKIN"), ckout: out("CKOUT"), din: input("DIN"), dout: out("DOUT") }
    };
    let (a, b) = (end("A"), end("B"));
    for (from, to) in [(&a.ckout, &b.ckin), (&a.dout, &b.din), (&b.ckout, &a.ckin), (&b.dout, &a.din)] {
        board.jumper(from, to);
    }
    (a, b)
}

fn texts(log: &Log) -> Vec<String> {
    log.borrow().iter().map(|m| m.1.clone()).collect()
}

#[test]
fn messages_go_both_ways() {
    fwsim::test(|sim| {
        let board = Board::new();
        let (pins_a, pins_b) = wiring(&board);
        let mcu_b = sim.add_executor(Order::Embassy);
        let (a, b) = (&*sim.alloc(End::new(false, TIMEOUT)), &*sim.alloc(End::new(true, TIMEOUT)));
        let (got_a, got_b) = (&*sim.alloc(Log::default()), &*sim.alloc(Log::default()));
        let (pins_a, pins_b) = (&*sim.alloc(Held::new(pins_a)), &*sim.alloc(Held::new(pins_b)));
        drop(start_on(sim, ExecutorId(0), "A", a, pins_a, got_a));
        drop(start_on(sim, mcu_b, "B", b, pins_b, got_b));
        a.send(b"hello from A").unwrap();
        a.send(b"second").unwrap();
        b.send(b"hi from B").unwrap();
        sim.run_until(SimTime::from_secs(1)).unwrap();
        assert_eq!(texts(got_b), ["hello from A", "second"]);
        assert_eq!(texts(got_a), ["hi from B"]);
        assert_eq!((a.sessions(), b.sessions()), (1, 1));
        // The initiator's quiet start (100 ms), 8 sync bits, then 7 bits a character at 0.5 ms
        // a bit: "hello from A" and its end arrive about 45 ms after the link is up.
        let first = got_b.borrow()[0].0;
        assert!((140..200).contains(&first), "first message at {first} ms");
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    });
}

#[test]
fn bad_messages_are_refused() {
    let end = End::new(false, TIMEOUT);
    use fwsim_drivers::syncom::SendError::BadMessage;
    assert_eq!(end.send(b""), Err(BadMessage));
    assert_eq!(end.send(b"nul\0inside"), Err(BadMessage));
    assert_eq!(end.send("café".as_bytes()), Err(BadMessage));
    assert_eq!(end.send(&[b'x'; 65]), Err(BadMessage));
}

/// A board's pins, kept outside its tasks so that a restarted board can have them again.
type Held = Mutex<NoopRawMutex, Pins>;

/// Spawns one end on `exec`; returns its link task.
fn start_on<'s>(
    sim: &'s Sim<'s>,
    exec: ExecutorId,
    name: &str,
    end: &'s End,
    pins: &'s Held,
    log: &'s Log,
) -> fwsim::JoinHandle<()> {
    let link = sim.spawn_on(exec, format!("{name}.link"), async move {
        let mut pins = pins.lock().await;
        end.run(&mut pins).await
    });
    // Dropping a handle detaches its task.
    drop(sim.spawn_on(exec, format!("{name}.reader"), async move {
        loop {
            let m = end.receive().await;
            log.borrow_mut().push((Instant::now().as_millis(), String::from_utf8(m.to_vec()).unwrap()));
        }
    }));
    link
}

/// Runs the link; at 1 s side `restarted` ("A", the initiator, or "B") loses power: its tasks
/// stop, its lines fall low. `off_ms` later it starts again with fresh state, and each side
/// sends one message. Returns what A and B received and how often each end synchronised.
fn restart(restarted: &'static str, off_ms: u64) -> (Vec<String>, Vec<String>, u32, u32) {
    let out = std::sync::Mutex::new(None);
    fwsim::test(|sim| {
        let board = Board::new();
        let (pins_a, pins_b) = wiring(&board);
        let mcu_b = sim.add_executor(Order::Embassy);
        let execs = [ExecutorId(0), mcu_b];
        let pins = [&*sim.alloc(Held::new(pins_a)), &*sim.alloc(Held::new(pins_b))];
        let logs = [&*sim.alloc(Log::default()), &*sim.alloc(Log::default())];
        let ends = [&*sim.alloc(End::new(false, TIMEOUT)), &*sim.alloc(End::new(true, TIMEOUT))];
        let names = ["A", "B"];
        let links: Vec<_> = (0..2).map(|i| start_on(sim, execs[i], names[i], ends[i], pins[i], logs[i])).collect();
        ends[0].send(b"before").unwrap();
        sim.run_until(SimTime::from_secs(1)).unwrap();
        let r = usize::from(restarted == "B");
        links[r].abort();
        // The abort lands at the simulation's next step.
        sim.run_until(SimTime::from_millis(1001)).unwrap();
        {
            let p = &mut *pins[r].try_lock().expect("the aborted link let go of its pins");
            let _ = (
                embedded_hal::digital::OutputPin::set_low(&mut p.ckout),
                embedded_hal::digital::OutputPin::set_low(&mut p.dout),
            );
        }
        sim.run_until(SimTime::from_millis(1000 + off_ms)).unwrap();
        let fresh = &*sim.alloc(End::new(r == 1, TIMEOUT));
        drop(start_on(sim, execs[r], names[r], fresh, pins[r], logs[r]));
        let new_ends = if r == 0 { [fresh, ends[1]] } else { [ends[0], fresh] };
        new_ends[0].send(b"A after the restart").unwrap();
        new_ends[1].send(b"B after the restart").unwrap();
        sim.run_until(SimTime::from_secs(3)).unwrap();
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
        let sessions = (new_ends[0].sessions(), new_ends[1].sessions());
        *out.lock().unwrap() = Some((texts(logs[0]), texts(logs[1]), sessions.0, sessions.1));
    });
    out.into_inner().unwrap().unwrap()
}

#[test]
fn the_link_comes_back_after_the_passive_side_restarts() {
    // Off longer than the timeout: the initiator times out and starts over. Off for less:
    // the new passive side's sync pattern reaches the initiator as a message with no end.
    for off_ms in [80, 5] {
        let (got_a, got_b, sessions_a, sessions_b) = restart("B", off_ms);
        assert_eq!(got_b, ["before", "A after the restart"], "off {off_ms} ms");
        assert_eq!(got_a, ["B after the restart"], "off {off_ms} ms");
        assert_eq!((sessions_a, sessions_b), (2, 1), "A synchronised again with the new B (off {off_ms} ms)");
    }
}

#[test]
fn the_link_comes_back_after_the_initiator_restarts() {
    // However short the initiator's outage, its quiet start outlasts the passive side's timeout.
    for off_ms in [80, 5] {
        let (got_a, got_b, sessions_a, sessions_b) = restart("A", off_ms);
        assert_eq!(got_b, ["before", "A after the restart"], "off {off_ms} ms");
        assert_eq!(got_a, ["B after the restart"], "off {off_ms} ms");
        assert_eq!((sessions_a, sessions_b), (1, 2), "B timed out and synchronised with the new A (off {off_ms} ms)");
    }
}
