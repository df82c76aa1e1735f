//! The command side of an MTK receiver (`as_rwGPS`): firmware writes PMTK commands on the
//! UART while the parser reads the answers and the sentences, against the GPS model, which
//! acts on them as an MTK3339 does.

use std::cell::RefCell;

use embedded_io_async::{Read, Write};
use fwsim::SimTime;
use fwsim_drivers::Gps;
use fwsim_drivers::gps::{AckStatus, Antenna, MtkCommand, MtkReply, SentenceRates};
use fwsim_hw::Board;
use fwsim_hw::devices::{Gps as GpsModel, Track, gps_version};
use fwsim_hw::uart::UartConfig;

/// `(ms, what)` as the parser saw it: a sentence kind or an answer, and whether the fix is valid.
type Seen = Vec<(u64, fwsim_drivers::Sentence, bool)>;

/// Runs the receiver for 13 s with `commands` sent at their times; returns what was parsed
/// and the parser's MTK state.
fn run(commands: &'static [(u64, &'static [u8])]) -> (Seen, fwsim_drivers::gps::MtkState) {
    let out = std::sync::Mutex::new(None);
    fwsim::test(|sim| {
        let board = Board::new();
        let uart = board.uart("GPS", UartConfig::new(9600));
        GpsModel::start(uart.peer(), Track::fixed(51.5, -0.12, 11.0), 1_700_000_000, SimTime::ZERO);
        let (mut rx, mut tx) = uart.split();
        let gps = &*sim.alloc(RefCell::new(Gps::new()));
        let seen = &*sim.alloc(RefCell::new(Seen::new()));
        sim.spawn("nmea", async move {
            let mut buf = [0u8; 64];
            while let Ok(n) = rx.read(&mut buf).await {
                gps.borrow_mut().feed(&buf[..n], |outcome, fix| {
                    if let Ok(sentence) = outcome {
                        seen.borrow_mut().push((fwsim::now().as_millis(), sentence, fix.valid));
                    }
                });
            }
        });
        sim.spawn("commands", async move {
            for &(at, bytes) in commands {
                embassy_time::Timer::at(embassy_time::Instant::from_millis(at)).await;
                tx.write_all(bytes).await.unwrap();
            }
        });
        sim.run_for(fwsim::ms(13_000)).unwrap();
        *out.lock().unwrap() = Some((seen.borrow().clone(), gps.borrow().mtk.clone()));
    });
    out.into_inner().unwrap().unwrap()
}

fn sent(command: MtkCommand) -> &'static [u8] {
    command.sentence().unwrap().as_bytes().to_vec().leak()
}

/// A command line the builder would refuse, with its checksum: what a buggy firmware sends.
fn raw(body: &str) -> &'static [u8] {
    let checksum = body.bytes().fold(0u8, |a, b| a ^ b);
    format!("${body}*{checksum:02X}\r\n").into_bytes().leak()
}

fn count(seen: &Seen, from: u64, to: u64, kind: fwsim_drivers::Sentence) -> usize {
    seen.iter().filter(|s| (from..to).contains(&s.0) && s.1 == kind).count()
}

#[test]
fn the_receiver_answers_and_obeys_commands() {
    use fwsim_drivers::Sentence::{Gga, Mtk, Rmc};
    let commands: &'static [(u64, &'static [u8])] = vec![
        (2_500, sent(MtkCommand::QueryVersion)),
        (3_500, sent(MtkCommand::UpdateInterval(200))),
        (5_050, sent(MtkCommand::QueryRates)),
        (6_050, sent(MtkCommand::Enable(SentenceRates { rmc: 1, ..SentenceRates::OFF }))),
        (7_050, sent(MtkCommand::Standby)),
        (9_050, &b"\r\n"[..]),
        (10_050, raw("PMTK220,50")),
        (11_050, sent(MtkCommand::AntennaStatus(true))),
        (12_050, sent(MtkCommand::ColdStart)),
    ]
    .leak();
    let (seen, mtk) = run(commands);
    let replies: Vec<(u64, MtkReply)> =
        seen.iter().filter_map(|s| if let Mtk(r) = s.1 { Some((s.0, r)) } else { None }).collect();

    // Version, acknowledged interval, rates: each answered within the time of its line.
    assert!(matches!(replies[0], (2_500..=2_700, MtkReply::Version)), "{replies:?}");
    assert_eq!(mtk.version, gps_version());
    assert!(matches!(replies[1], (3_500..=3_600, MtkReply::Ack { command: 220, status: AckStatus::Done })));
    assert_eq!(count(&seen, 4_000, 5_000, Rmc), 5, "a fix every 200 ms");
    assert!(matches!(replies[2], (5_050..=5_200, MtkReply::Rates(SentenceRates::DEFAULT))));
    assert!(matches!(replies[3].1, MtkReply::Ack { command: 314, status: AckStatus::Done }));
    assert_eq!(count(&seen, 6_300, 7_000, Gga), 0, "GGA switched off");
    assert!(count(&seen, 6_300, 7_000, Rmc) >= 3, "RMC still sent");

    // Standby: nothing until a byte arrives, then a fix a period later.
    assert!(matches!(replies[4], (7_050..=7_150, MtkReply::Ack { command: 161, status: AckStatus::Done })));
    assert_eq!(seen.iter().filter(|s| (7_200..9_050).contains(&s.0)).count(), 0, "asleep");
    let woke = seen.iter().find(|s| s.0 > 9_050).unwrap().0;
    assert!((9_250..9_400).contains(&woke), "output resumes 200 ms after the wake-up byte: {woke}");

    assert!(matches!(replies[5], (10_050..=10_150, MtkReply::Ack { command: 220, status: AckStatus::Failed })));
    assert!(replies.iter().any(|r| (11_050..12_000).contains(&r.0) && r.1 == MtkReply::Antenna(Antenna::External)));
    assert_eq!(mtk.antenna, Some(Antenna::External));

    // A cold start: the receiver restarts and has no fix for 35 s.
    assert!(replies.iter().any(|r| (12_050..12_300).contains(&r.0) && r.1 == MtkReply::Started), "{replies:?}");
    assert!(seen.iter().filter(|s| s.0 < 12_000 && s.1 == Rmc).all(|s| s.2), "a fix before");
    assert!(seen.iter().filter(|s| s.0 > 12_300 && s.1 == Rmc).all(|s| !s.2), "none after");
    assert!(seen.iter().any(|s| s.0 > 12_300 && s.1 == Rmc));
}

#[test]
fn bad_parameters_are_refused_before_sending() {
    assert!(MtkCommand::Baudrate(1200).sentence().is_err());
    assert!(MtkCommand::UpdateInterval(99).sentence().is_err());
    assert_eq!(MtkCommand::Baudrate(115_200).sentence().unwrap(), "$PMTK251,115200*1F\r\n");
    assert_eq!(MtkCommand::HotStart.sentence().unwrap(), "$PMTK101*32\r\n");
    assert_eq!(MtkCommand::Standby.sentence().unwrap(), "$PMTK161,0*28\r\n");
    assert_eq!(MtkCommand::AntennaStatus(true).sentence().unwrap(), "$PGCMD,33,1*6C\r\n");
}
