//! The NEC decoder on the remote-control model: keys, extended addresses, held keys, timing
//! slack, and the toolkit's error codes for what is not a frame.

use std::cell::RefCell;
use std::time::Duration;

use fwsim::{SimTime, ms};
use fwsim_drivers::{NecDecoder, NecError, NecEvent};
use fwsim_hw::devices::NecRemote;
use fwsim_hw::{Board, Pull};

type Events = Vec<(u64, Result<NecEvent, NecError>)>;

/// Runs the decoder on a receiver pin while `script` drives the remote; returns each block's
/// result with the virtual time (ms) it was reported.
fn decode(extended: bool, jitter: Duration, script: impl Fn(&NecRemote) + Sync) -> Events {
    let out = std::sync::Mutex::new(Vec::new());
    fwsim::test(|sim| {
        let board = Board::new();
        let pin = board.input("IR", Pull::Up);
        let remote = NecRemote::new(&pin).with_jitter(jitter);
        let events = sim.alloc(RefCell::new(Vec::new()));
        let events = &*events;
        let decoder = NecDecoder { extended };
        sim.spawn("ir", async move {
            decoder.run(pin, |e| events.borrow_mut().push((fwsim::now().as_millis(), e))).await;
        });
        script(&remote);
        sim.run_for(ms(1_000)).unwrap();
        *out.lock().unwrap() = events.borrow().clone();
    });
    out.into_inner().unwrap()
}

fn key(address: u16, command: u8) -> Result<NecEvent, NecError> {
    Ok(NecEvent::Key { address, command })
}

#[test]
fn a_key_then_two_repeats_decode_73_ms_after_each_block_starts() {
    let events = decode(false, Duration::ZERO, |r| {
        r.send_at(SimTime::from_millis(10), 0x04, 0x2A);
        r.repeat_at(SimTime::from_millis(118));
        r.repeat_at(SimTime::from_millis(228));
    });
    let repeat = Ok(NecEvent::Repeat { address: 0x04 });
    assert_eq!(events, [(83, key(0x04, 0x2A)), (191, repeat), (301, repeat)]);
}

#[test]
fn an_extended_address_needs_the_extended_decoder() {
    let send = |r: &NecRemote| r.send_at(SimTime::from_millis(10), 0x1234, 0x07);
    // The extended decoder waits 80 ms, the toolkit's allowance for such transmitters.
    assert_eq!(decode(true, Duration::ZERO, send), [(90, key(0x1234, 0x07))]);
    assert_eq!(decode(false, Duration::ZERO, send), [(83, Err(NecError::BadAddress))]);
}

#[test]
fn timing_slack_of_100_us_per_edge_still_decodes() {
    let events = decode(false, Duration::from_micros(100), |r| {
        for (i, command) in [0x10u8, 0x80, 0xFF, 0x00].into_iter().enumerate() {
            r.send_at(SimTime::from_millis(10 + 200 * i as u64), 0xA5, command);
        }
    });
    let commands: Vec<_> = events.iter().map(|e| e.1).collect();
    assert_eq!(commands, [key(0xA5, 0x10), key(0xA5, 0x80), key(0xA5, 0xFF), key(0xA5, 0x00)]);
}

#[test]
fn what_is_not_a_frame_gets_the_toolkits_error_codes() {
    let events = decode(false, Duration::ZERO, |r| {
        // A repeat code's header with a stray pulse after it: not a repeat code's 4 edges.
        r.repeat_at(SimTime::from_millis(10));
        r.glitch_at(SimTime::from_millis(40), Duration::from_micros(300));
        // A stray 2 ms pulse: not a 9 ms start burst.
        r.glitch_at(SimTime::from_millis(110), Duration::from_millis(2));
        // Command and complement disagree.
        r.send_bytes_at(SimTime::from_millis(210), [0x04, !0x04, 0x2A, 0x2A]);
        // A frame with a glitch in it: more edges than a frame has.
        r.send_at(SimTime::from_millis(310), 0x04, 0x2A);
        r.glitch_at(SimTime::from_millis(340), Duration::from_micros(200));
        // A frame cut short: a 9 ms burst and nothing else of it.
        r.glitch_at(SimTime::from_millis(410), Duration::from_millis(9));
    });
    let errors: Vec<_> = events.iter().map(|e| e.1).collect();
    assert_eq!(
        errors,
        [
            Err(NecError::BadRepeat),
            Err(NecError::BadStart),
            Err(NecError::BadData),
            Err(NecError::Overrun),
            Err(NecError::BadBlock),
        ]
    );
}

#[test]
fn the_decoder_itself_checks_every_field() {
    let d = NecDecoder { extended: false };
    // Edges of a frame for address 0x00, command 0x00 (all zero bits).
    let mut edges = vec![0, 9_000, 13_500];
    let mut t = 13_500;
    for _ in 0..32 {
        edges.push(t + 562);
        t += 1_125;
        edges.push(t);
    }
    edges.push(t + 562);
    assert_eq!(edges.len(), 68);
    assert_eq!(d.decode(&edges, 0), Err(NecError::BadAddress), "0x00 is not 0x00's complement");
    let extended = NecDecoder { extended: true };
    assert_eq!(extended.decode(&edges, 0), Err(NecError::BadData), "nor is the command's");
    assert_eq!(d.decode(&edges[..10], 0), Err(NecError::BadBlock));
    let mut long = edges.clone();
    long.extend([t + 1_000, t + 2_000]);
    assert_eq!(d.decode(&long, 0), Err(NecError::Overrun));
    // A repeat code reports the last key's address.
    assert_eq!(d.decode(&[0, 9_000, 11_250, 11_812], 0x42), Ok(NecEvent::Repeat { address: 0x42 }));
}
