//! The NMEA parser: on the GPS model over a UART in virtual time, on sentences of every kind
//! it knows, cross-checked with the `nmea` crate, and on what is not a sentence.

use std::cell::RefCell;

use fwsim::SimTime;
use fwsim_drivers::{Gps, GpsFix, NmeaError, Sentence};
use fwsim_hw::Board;
use fwsim_hw::devices::{Gps as GpsModel, Track};
use fwsim_hw::uart::UartConfig;

/// Sentences from a receiver's datasheet and logs (checksums valid).
const SENTENCES: [&str; 6] = [
    "$GPRMC,225446.00,A,4916.4500,N,12311.1200,W,000.5,054.7,191194,020.3,E*46",
    "$GPGLL,4916.4500,N,12311.1200,W,225444.00,A,A*72",
    "$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K*48",
    "$GPGGA,092750.000,5321.6802,N,00630.3372,W,1,8,1.03,61.7,M,55.2,M,,*76",
    "$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39",
    "$GPGSV,2,1,08,01,40,083,46,02,17,308,41,12,07,344,39,14,22,228,45*75",
];

fn parsed(line: &str) -> (Result<Sentence, NmeaError>, GpsFix) {
    let mut gps = Gps::new();
    let outcome = gps.parse(line);
    (outcome, gps.fix)
}

#[test]
fn every_known_sentence_updates_the_fix() {
    let kinds: Vec<_> = SENTENCES.iter().map(|s| parsed(s).0).collect();
    use Sentence::*;
    assert_eq!(kinds, [Ok(Rmc), Ok(Gll), Ok(Vtg), Ok(Gga), Ok(Gsa), Ok(Gsv)]);
    let rmc = parsed(SENTENCES[0]).1;
    assert!(rmc.valid);
    assert_eq!((rmc.utc, rmc.date), ([22, 54, 46], Some((19, 11, 1994))));
    assert_eq!((rmc.speed_knots, rmc.course), (0.5, 54.7));
    let gga = parsed(SENTENCES[3]).1;
    assert_eq!((gga.satellites_in_use, gga.hdop, gga.altitude), (8, 1.03, 61.7));
    assert_eq!(parsed(SENTENCES[4]).1.satellites_in_use, 5);
    assert_eq!(parsed(SENTENCES[5]).1.satellites_in_view, 8);
    assert_eq!(parsed(SENTENCES[2]).1.speed_knots, 5.5);
}

#[test]
fn positions_and_times_agree_with_the_nmea_crate() {
    for line in SENTENCES {
        let ours = parsed(line).1;
        match nmea::parse_str(line).expect("the nmea crate parses it") {
            nmea::ParseResult::RMC(r) => {
                assert!(
                    (r.lat.unwrap() - ours.latitude).abs() < 1e-9 && (r.lon.unwrap() - ours.longitude).abs() < 1e-9
                );
                assert_eq!(r.speed_over_ground, Some(ours.speed_knots));
            }
            nmea::ParseResult::GLL(g) => {
                assert!((g.latitude.unwrap() - ours.latitude).abs() < 1e-9);
                assert!((g.longitude.unwrap() - ours.longitude).abs() < 1e-9);
            }
            nmea::ParseResult::GGA(g) => {
                assert!((g.latitude.unwrap() - ours.latitude).abs() < 1e-9);
                assert!((g.longitude.unwrap() - ours.longitude).abs() < 1e-9);
                assert_eq!(
                    (g.altitude, g.fix_satellites),
                    (Some(ours.altitude), Some(u32::from(ours.satellites_in_use)))
                );
            }
            nmea::ParseResult::VTG(v) => assert_eq!(v.speed_over_ground, Some(ours.speed_knots)),
            nmea::ParseResult::GSV(v) => assert_eq!(v.sats_in_view, u16::from(ours.satellites_in_view)),
            nmea::ParseResult::GSA(a) => assert_eq!(a.fix_sats_prn.len(), usize::from(ours.satellites_in_use)),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn garbage_bad_checksums_and_cut_lines_are_counted_and_skipped() {
    let mut gps = Gps::new();
    let mut outcomes = Vec::new();
    let stream = [
        "\u{0}\u{ff}noise",
        "$GPRMC,225446.00,A,4916.4500,N,12311.1200,W,000.5,054.7,191194,020.3,E*69\r\n", // bad sum
        "$GPGGA,0927",                                                                   // cut by the next line's $
        "$GPXYZ,1,2*4F\r\n",                                                             // unknown kind (valid sum)
        "$GPGGA,no checksum\r\n",
        SENTENCES[3],
        "\r\n",
    ];
    for chunk in stream {
        gps.feed(chunk.as_bytes(), |o, _| outcomes.push(o));
    }
    assert_eq!(
        outcomes,
        [Err(NmeaError::Checksum), Err(NmeaError::Unsupported), Err(NmeaError::Malformed), Ok(Sentence::Gga)]
    );
    assert_eq!((gps.stats.parsed, gps.stats.checksum_errors, gps.stats.unsupported, gps.stats.malformed), (1, 1, 1, 1));
    assert!(gps.fix.valid);
}

#[test]
fn on_the_gps_model_the_fix_follows_the_track_in_virtual_time() {
    let out = std::sync::Mutex::new(None);
    fwsim::test(|sim| {
        let board = Board::new();
        let uart = board.uart("GPS", UartConfig::new(9600));
        // 2023-11-14 22:13:20 UTC at virtual time zero; a fix from 3 s on.
        let model = GpsModel::start(uart.peer(), Track::fixed(51.5, -0.12, 11.0), 1_700_000_000, SimTime::from_secs(3));
        let updates = &*sim.alloc(RefCell::new(Vec::new()));
        sim.spawn("gps", async move {
            let mut gps = Gps::new();
            let _ = gps
                .run(uart, |sentence, fix| updates.borrow_mut().push((fwsim::now().as_millis(), sentence, *fix)))
                .await;
        });
        sim.run_for(fwsim::ms(5_500)).unwrap();
        *out.lock().unwrap() = Some((updates.borrow().clone(), model.borrow().sentences()));
    });
    let (updates, sent) = out.into_inner().unwrap().unwrap();
    assert_eq!(updates.len() as u64, sent, "every sentence parsed");
    let (at, _, last) = *updates.last().unwrap();
    assert!((5_000..5_200).contains(&at), "the last burst arrives at 5 s, at 9600 baud: {at} ms");
    assert!(last.valid);
    assert!((last.latitude - 51.5).abs() < 1e-6 && (last.longitude + 0.12).abs() < 1e-6, "{last:?}");
    assert_eq!((last.altitude, last.date, last.utc), (11.0, Some((14, 11, 2023)), [22, 13, 25]));
    let before_fix = updates.iter().find(|u| u.0 < 3_000).unwrap().2;
    assert!(!before_fix.valid, "no fix before 3 s");
}
