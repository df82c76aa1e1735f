//! An NMEA-0183 GPS receiver on a UART.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use fwsim::SimTime;

use crate::curve::Curve;
use crate::uart::{UartContext, UartDevice, UartPeer};

mod commands;

pub use commands::{Mtk, version as gps_version};

/// Where the receiver is: degrees (north and east positive), metres, knots, degrees true.
pub struct Track {
    /// Latitude in degrees.
    pub latitude: Curve,
    /// Longitude in degrees.
    pub longitude: Curve,
    /// Altitude above mean sea level in metres.
    pub altitude: Curve,
    /// Speed over ground in knots.
    pub speed_knots: Curve,
    /// Course over ground in degrees.
    pub course: Curve,
}

impl Track {
    /// Standing still at (`latitude`, `longitude`), `altitude` m.
    pub fn fixed(latitude: f64, longitude: f64, altitude: f64) -> Self {
        Track {
            latitude: latitude.into(),
            longitude: longitude.into(),
            altitude: altitude.into(),
            speed_knots: 0.0.into(),
            course: 0.0.into(),
        }
    }
}

/// A GPS that sends `$GPRMC` and `$GPGGA` once a second (at the top of each UTC second,
/// back to back at the UART's baud rate), void until `fix_from`, then with the [`Track`]'s
/// position. Checksums are right; fields follow NMEA 0183 (`ddmm.mmmm`). A
/// [`UartDevice`]: attach it with [`UartPeer::attach`] (or [`Gps::start`]).
///
/// It takes an MTK3339's commands (PMTK update rate, sentence rates, restarts, standby,
/// queries, antenna status) and answers as the chip does: see [`Mtk`].
///
/// ```
/// use embedded_io_async::Read;
/// use fwsim_hw::{Board, devices::{Gps, Track}, uart::UartConfig};
///
/// fwsim::test(|sim| {
///     let board = Board::new();
///     let mut uart = board.uart("GPS", UartConfig::new(9600));
///     let gps = Gps::new(Track::fixed(51.5, -0.12, 11.0), 1_700_000_000, fwsim::SimTime::ZERO);
///     let gps = uart.peer().attach("gps", gps);
///     let line = sim.spawn("nmea", async move {
///         let mut buf = [0u8; 128];
///         let mut n = 0;
///         while !buf[..n].ends_with(b"\r\n") {
///             n += uart.read(&mut buf[n..]).await.unwrap();
///         }
///         String::from_utf8(buf[..n].to_vec()).unwrap()
///     });
///     sim.run_for(fwsim::secs(2)).unwrap();
///     assert!(sim.join(line).unwrap().starts_with("$GPRMC,221320.00,A,5130.0000,N,00007.2000,W"));
///     assert_eq!(gps.borrow().sentences(), 6); // bursts at 0, 1 and 2 s
/// });
/// ```
pub struct Gps {
    track: Track,
    utc_at_zero: u64,
    fix_from: SimTime,
    sentences: u64,
    mtk: Mtk,
    /// When the next burst is due: a wake-up at any other time is a stale one.
    next_burst: Option<SimTime>,
}

impl Gps {
    /// A receiver on `track`; `utc_at_zero` is the UTC time (seconds since 1970) at virtual
    /// time zero; it has a fix from `fix_from` on.
    pub fn new(track: Track, utc_at_zero: u64, fix_from: SimTime) -> Self {
        Gps { track, utc_at_zero, fix_from, sentences: 0, mtk: Mtk::default(), next_burst: None }
    }

    /// Starts one sending on `peer` (the GPS end of the firmware's UART):
    /// `peer.attach("gps", Gps::new(..))`.
    pub fn start(peer: UartPeer, track: Track, utc_at_zero: u64, fix_from: SimTime) -> Rc<RefCell<Gps>> {
        peer.attach("gps", Gps::new(track, utc_at_zero, fix_from))
    }

    /// Sentences sent so far.
    pub fn sentences(&self) -> u64 {
        self.sentences
    }

    /// The MTK settings the firmware's commands have made.
    pub fn mtk(&self) -> &Mtk {
        &self.mtk
    }

    fn schedule_burst(&mut self, ctx: &mut UartContext<'_>, at: SimTime) {
        self.next_burst = Some(at);
        ctx.wake_at(at);
    }
}

impl UartDevice for Gps {
    fn attached(&mut self, ctx: &mut UartContext<'_>) {
        let first = SimTime::from_secs(ctx.now().as_nanos().div_ceil(1_000_000_000));
        self.schedule_burst(ctx, first);
    }

    fn on_byte(&mut self, ctx: &mut UartContext<'_>, byte: u8) {
        let was_asleep = self.mtk.standby;
        let effect = self.mtk.on_byte(byte);
        let now = ctx.now();
        if let Some(answer) = effect.answer {
            ctx.send_at(now, answer.as_bytes());
        }
        if let Some(ttff) = effect.restart {
            self.fix_from = now + ttff;
        }
        if was_asleep && !self.mtk.standby {
            // Any byte wakes it from standby: output resumes a period later.
            self.schedule_burst(ctx, SimTime(now.as_nanos() + self.mtk.period_ms * 1_000_000));
        }
    }

    fn on_wake(&mut self, ctx: &mut UartContext<'_>) {
        let at = ctx.now();
        if self.next_burst != Some(at) || self.mtk.standby {
            return;
        }
        let fix = at >= self.fix_from;
        let utc = self.utc_at_zero + at.as_nanos() / 1_000_000_000;
        let mut burst = String::new();
        if self.mtk.rmc() {
            burst.push_str(&rmc(&self.track, at, utc, fix));
            self.sentences += 1;
        }
        if self.mtk.gga() {
            burst.push_str(&gga(&self.track, at, utc, fix));
            self.sentences += 1;
        }
        if self.mtk.antenna_status {
            burst.push_str(&sentence("PGTOP,11,3"));
            self.sentences += 1;
        }
        ctx.send_at(at, burst.as_bytes());
        self.schedule_burst(ctx, SimTime(at.as_nanos() + self.mtk.period_ms * 1_000_000));
    }
}

/// `$<body>*CS\r\n` with the XOR checksum of the body.
fn sentence(body: &str) -> String {
    let cs = body.bytes().fold(0u8, |a, b| a ^ b);
    format!("${body}*{cs:02X}\r\n")
}

fn hms(utc: u64) -> String {
    let s = utc % 86_400;
    format!("{:02}{:02}{:02}.00", s / 3600, s / 60 % 60, s % 60)
}

fn angle(deg: f64, degree_digits: usize, pos: char, neg: char) -> String {
    let a = deg.abs();
    let whole = a.trunc();
    let minutes = (a - whole) * 60.0;
    let mut s = format!("{:0width$}", whole as u64, width = degree_digits);
    let _ = write!(s, "{minutes:07.4},{}", if deg >= 0.0 { pos } else { neg });
    s
}

/// `ddmm.mmmm,N,dddmm.mmmm,E`: the track's position as both sentences give it.
fn position(t: &Track, at: SimTime) -> String {
    format!("{},{}", angle(t.latitude.at(at), 2, 'N', 'S'), angle(t.longitude.at(at), 3, 'E', 'W'))
}

fn rmc(t: &Track, at: SimTime, utc: u64, fix: bool) -> String {
    let (y, m, d) = civil_from_days(utc / 86_400);
    let date = format!("{d:02}{m:02}{:02}", y % 100);
    if !fix {
        return sentence(&format!("GPRMC,{},V,,,,,,,{date},,,N", hms(utc)));
    }
    sentence(&format!(
        "GPRMC,{},A,{},{:.2},{:.2},{date},,,A",
        hms(utc),
        position(t, at),
        t.speed_knots.at(at),
        t.course.at(at)
    ))
}

fn gga(t: &Track, at: SimTime, utc: u64, fix: bool) -> String {
    if !fix {
        return sentence(&format!("GPGGA,{},,,,,0,00,99.99,,,,,,", hms(utc)));
    }
    sentence(&format!("GPGGA,{},{},1,08,0.9,{:.1},M,47.0,M,,", hms(utc), position(t, at), t.altitude.at(at)))
}

/// `(year, month 1–12, day 1–31)` of a day count since 1970-01-01 (proleptic Gregorian;
/// Howard Hinnant's `civil_from_days`, for non-negative day counts).
fn civil_from_days(days: u64) -> (i64, u32, u32) {
    let z = days as i64 + 719_468;
    let (era, doe) = (z / 146_097, z % 146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}
