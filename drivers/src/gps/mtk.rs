//! The command side of an MTK3329/MTK3339 receiver (the toolkit's `as_rwGPS`): PMTK command
//! sentences to send on the UART, and the receiver's answers, which [`Gps`](super::Gps)
//! parses from the stream as [`Sentence::Mtk`](super::Sentence::Mtk).
//!
//! ```
//! use fwsim_drivers::gps::{MtkCommand, SentenceRates};
//!
//! assert_eq!(MtkCommand::UpdateInterval(200).sentence().unwrap(), "$PMTK220,200*2C\r\n");
//! let only_rmc = SentenceRates { rmc: 1, ..SentenceRates::OFF };
//! assert!(MtkCommand::Enable(only_rmc).sentence().unwrap().starts_with("$PMTK314,0,1,0,0,0,0,"));
//! assert!(MtkCommand::Baudrate(1200).sentence().is_err());
//! ```

use core::fmt::Write as _;

/// How often each sentence is sent, in fixes (0: never). The receiver's default is
/// [`SentenceRates::DEFAULT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentenceRates {
    /// GLL.
    pub gll: u8,
    /// RMC.
    pub rmc: u8,
    /// VTG.
    pub vtg: u8,
    /// GGA.
    pub gga: u8,
    /// GSA.
    pub gsa: u8,
    /// GSV.
    pub gsv: u8,
    /// The MTK channel-status sentence.
    pub chan: u8,
}

impl SentenceRates {
    /// Nothing sent.
    pub const OFF: SentenceRates = SentenceRates { gll: 0, rmc: 0, vtg: 0, gga: 0, gsa: 0, gsv: 0, chan: 0 };
    /// The toolkit's `enable()` defaults: RMC, VTG, GGA and GSA every fix, GSV every fifth.
    pub const DEFAULT: SentenceRates = SentenceRates { gll: 0, rmc: 1, vtg: 1, gga: 1, gsa: 1, gsv: 5, chan: 0 };
}

/// A command for the receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtkCommand {
    /// Restart using everything kept (PMTK101).
    HotStart,
    /// Restart without the ephemeris (PMTK102).
    WarmStart,
    /// Restart without time, position, almanac or ephemeris (PMTK103).
    ColdStart,
    /// A cold start that also resets the configuration (PMTK104).
    FullColdStart,
    /// Sleep until a byte arrives on the UART (PMTK161,0).
    Standby,
    /// The factory sentence rates (PMTK314,-1).
    DefaultSentences,
    /// Ask for the firmware version: answered by `PMTK705` (PMTK605).
    QueryVersion,
    /// Ask for the sentence rates: answered by `PMTK514` (PMTK414).
    QueryRates,
    /// Report the antenna's status with each fix, or stop (PGCMD,33).
    AntennaStatus(bool),
    /// Change the UART's baud rate: 4,800 to 115,200 (PMTK251).
    Baudrate(u32),
    /// Fix every `ms`, 100 to 10,000 (PMTK220).
    UpdateInterval(u16),
    /// Set each sentence's rate (PMTK314).
    Enable(SentenceRates),
}

/// A command with a parameter the receiver does not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtkError {
    /// Not one of 4,800, 9,600, 14,400, 19,200, 38,400, 57,600 or 115,200.
    Baudrate(u32),
    /// Outside 100–10,000 ms.
    UpdateInterval(u16),
}

const BAUDRATES: [u32; 7] = [4800, 9600, 14_400, 19_200, 38_400, 57_600, 115_200];

impl MtkCommand {
    /// The whole sentence to send: `$…*hh\r\n`.
    pub fn sentence(&self) -> Result<heapless::String<80>, MtkError> {
        let mut body: heapless::String<72> = heapless::String::new();
        let _ = match *self {
            MtkCommand::HotStart => body.write_str("PMTK101"),
            MtkCommand::WarmStart => body.write_str("PMTK102"),
            MtkCommand::ColdStart => body.write_str("PMTK103"),
            MtkCommand::FullColdStart => body.write_str("PMTK104"),
            MtkCommand::Standby => body.write_str("PMTK161,0"),
            MtkCommand::DefaultSentences => body.write_str("PMTK314,-1"),
            MtkCommand::QueryVersion => body.write_str("PMTK605"),
            MtkCommand::QueryRates => body.write_str("PMTK414"),
            MtkCommand::AntennaStatus(on) => write!(body, "PGCMD,33,{}", u8::from(on)),
            MtkCommand::Baudrate(baud) if BAUDRATES.contains(&baud) => write!(body, "PMTK251,{baud}"),
            MtkCommand::Baudrate(baud) => return Err(MtkError::Baudrate(baud)),
            MtkCommand::UpdateInterval(ms) if (100..=10_000).contains(&ms) => write!(body, "PMTK220,{ms}"),
            MtkCommand::UpdateInterval(ms) => return Err(MtkError::UpdateInterval(ms)),
            MtkCommand::Enable(r) => write!(
                body,
                "PMTK314,{},{},{},{},{},{},0,0,0,0,0,0,0,0,0,0,0,0,{}",
                r.gll, r.rmc, r.vtg, r.gga, r.gsa, r.gsv, r.chan
            ),
        };
        let mut s = heapless::String::new();
        let _ = write!(s, "${body}*{:02X}\r\n", super::checksum(&body));
        Ok(s)
    }
}

/// How the receiver took a command (`PMTK001`'s flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckStatus {
    /// 0: not a command it knows.
    Invalid,
    /// 1: a command it does not support.
    Unsupported,
    /// 2: valid, but it failed (a parameter out of range).
    Failed,
    /// 3: done.
    Done,
}

/// The antenna the receiver uses (`PGTOP`'s status).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Antenna {
    /// 1: an external antenna, shorted.
    Shorted,
    /// 2: the internal patch antenna.
    Internal,
    /// 3: an external active antenna.
    External,
}

/// An answer from the receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtkReply {
    /// `PMTK001`: a command (by number) was taken or refused.
    Ack {
        /// The command's number (220 for an update interval…).
        command: u16,
        /// What became of it.
        status: AckStatus,
    },
    /// `PMTK010`: the receiver (re)started, after power-up or a hot, warm or cold start.
    Started,
    /// `PMTK705`: the firmware version, kept in [`MtkState::version`].
    Version,
    /// `PMTK514`: the sentence rates.
    Rates(SentenceRates),
    /// `PGTOP`: the antenna in use.
    Antenna(Antenna),
}

/// What the receiver's answers have said so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MtkState {
    /// The version fields of the last `PMTK705`, comma-separated.
    pub version: heapless::String<48>,
    /// The last sentence rates reported.
    pub rates: Option<SentenceRates>,
    /// The last antenna status.
    pub antenna: Option<Antenna>,
    /// The last acknowledgement.
    pub last_ack: Option<(u16, AckStatus)>,
}

/// Parses a proprietary sentence (`address` like `PMTK001`, `fields` after it) into `state`;
/// `None` if it is not one of the answers above or does not parse.
pub(super) fn parse_reply(address: &str, fields: &[&str], state: &mut MtkState) -> Option<MtkReply> {
    let field = |i: usize| fields.get(i).copied().unwrap_or("");
    let reply = match address {
        "PMTK001" => {
            let status = match field(1) {
                "0" => AckStatus::Invalid,
                "1" => AckStatus::Unsupported,
                "2" => AckStatus::Failed,
                "3" => AckStatus::Done,
                _ => return None,
            };
            let command = field(0).parse().ok()?;
            state.last_ack = Some((command, status));
            MtkReply::Ack { command, status }
        }
        "PMTK010" => MtkReply::Started,
        "PMTK705" => {
            state.version.clear();
            for (i, f) in fields.iter().enumerate() {
                let _ = write!(state.version, "{}{f}", if i > 0 { "," } else { "" });
            }
            MtkReply::Version
        }
        "PMTK514" => {
            let rate = |i: usize| field(i).parse::<u8>().ok();
            let rates = SentenceRates {
                gll: rate(0)?,
                rmc: rate(1)?,
                vtg: rate(2)?,
                gga: rate(3)?,
                gsa: rate(4)?,
                gsv: rate(5)?,
                chan: rate(18).unwrap_or(0),
            };
            state.rates = Some(rates);
            MtkReply::Rates(rates)
        }
        "PGTOP" => {
            let antenna = match field(1) {
                "1" => Antenna::Shorted,
                "2" => Antenna::Internal,
                "3" => Antenna::External,
                _ => return None,
            };
            state.antenna = Some(antenna);
            MtkReply::Antenna(antenna)
        }
        _ => return None,
    };
    Some(reply)
}
