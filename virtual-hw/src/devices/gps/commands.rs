//! The MTK3339's command interface, as the GPS model takes it.

use std::time::Duration;

use super::sentence;

/// Time to first fix after a restart (the MTK3339 datasheet's typical figures).
const HOT_TTFF: Duration = Duration::from_secs(1);
const WARM_TTFF: Duration = Duration::from_secs(33);
const COLD_TTFF: Duration = Duration::from_secs(35);

/// What the model answers to `PMTK605`.
const VERSION: &str = "AXN_2.10_3339_2012072601,5223,PA6H,1.0";

/// The version fields the model reports (`PMTK705`), comma-separated.
pub fn version() -> &'static str {
    VERSION
}

/// The settings an MTK3339's commands change, and its command parser.
///
/// | command | the model |
/// |---|---|
/// | `PMTK101`/`102`/`103`/`104` (hot, warm, cold, full cold start) | sends `$PMTK010,001`; no fix for 1 s, 33 s or 35 s; a full cold start also restores the defaults |
/// | `PMTK161,0` (standby) | acknowledges, then sends nothing until a byte arrives; output resumes a period after it |
/// | `PMTK220,ms` (update interval) | 100–10,000 ms: acknowledges (3) and bursts every `ms`; else acknowledges with 2 (failed) |
/// | `PMTK251,baud` | records it in [`requested_baud`](Mtk::requested_baud), no answer (the chip just switches); the line keeps the board's rate |
/// | `PMTK314,…` / `PMTK314,-1` | sets the sentence rates / the defaults; acknowledges. Only RMC and GGA are ever sent, each fix when its rate is not 0 |
/// | `PMTK414` | answers `PMTK514` with the rates |
/// | `PMTK605` | answers `PMTK705` with [`version`] |
/// | `PGCMD,33,1` / `PGCMD,33,0` | adds `$PGTOP,11,3` (external antenna) to each burst / stops |
/// | any other `PMTKnnn` | acknowledges with 0 (invalid) |
///
/// A line with a wrong checksum is ignored, as the chip ignores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mtk {
    /// Milliseconds between bursts.
    pub period_ms: u64,
    /// Sentence rates as `PMTK314` sets them: GLL, RMC, VTG, GGA, GSA, GSV, channel status.
    pub rates: [u8; 7],
    /// Asleep after `PMTK161,0`.
    pub standby: bool,
    /// `$PGTOP` antenna reports on.
    pub antenna_status: bool,
    /// The last baud rate asked for with `PMTK251`.
    pub requested_baud: Option<u32>,
    line: Vec<u8>,
}

const DEFAULT_RATES: [u8; 7] = [0, 1, 1, 1, 1, 5, 0];

impl Default for Mtk {
    fn default() -> Self {
        Mtk {
            period_ms: 1000,
            rates: DEFAULT_RATES,
            standby: false,
            antenna_status: false,
            requested_baud: None,
            line: Vec::new(),
        }
    }
}

/// What a command does beyond the settings.
#[derive(Default)]
pub(super) struct Effect {
    /// Sentences to send back.
    pub answer: Option<String>,
    /// A restart: no fix for this long.
    pub restart: Option<Duration>,
}

impl Mtk {
    /// RMC is sent.
    pub fn rmc(&self) -> bool {
        self.rates[1] > 0
    }

    /// GGA is sent.
    pub fn gga(&self) -> bool {
        self.rates[3] > 0
    }

    /// Takes one byte from the firmware; at the end of a line, carries out its command.
    pub(super) fn on_byte(&mut self, byte: u8) -> Effect {
        self.standby = false;
        match byte {
            b'$' => self.line = vec![b'$'],
            // A command ends at its line feed (the CR before it is dropped), so the line end of
            // `PMTK161,0` does not wake the receiver it just put to sleep.
            b'\r' => {}
            b'\n' if !self.line.is_empty() => {
                let line = String::from_utf8(std::mem::take(&mut self.line)).unwrap_or_default();
                return self.command(&line);
            }
            _ if !self.line.is_empty() && self.line.len() < 96 => self.line.push(byte),
            _ => {}
        }
        Effect::default()
    }

    fn command(&mut self, line: &str) -> Effect {
        let Some((body, checksum)) = line.strip_prefix('$').and_then(|l| l.rsplit_once('*')) else {
            return Effect::default();
        };
        if u8::from_str_radix(checksum.trim(), 16) != Ok(body.bytes().fold(0u8, |a, b| a ^ b)) {
            return Effect::default();
        }
        let fields: Vec<&str> = body.split(',').collect();
        let ack = |command: &str, flag: u8| Some(sentence(&format!("PMTK001,{command},{flag}")));
        let restart = |ttff| Effect { answer: Some(sentence("PMTK010,001")), restart: Some(ttff) };
        match fields.as_slice() {
            ["PMTK101"] => restart(HOT_TTFF),
            ["PMTK102"] => restart(WARM_TTFF),
            ["PMTK103"] => restart(COLD_TTFF),
            ["PMTK104"] => {
                *self = Mtk::default();
                restart(COLD_TTFF)
            }
            ["PMTK161", "0"] => {
                let answer = ack("161", 3);
                self.standby = true;
                Effect { answer, restart: None }
            }
            ["PMTK220", ms] => match ms.parse::<u64>() {
                Ok(ms @ 100..=10_000) => {
                    self.period_ms = ms;
                    Effect { answer: ack("220", 3), restart: None }
                }
                _ => Effect { answer: ack("220", 2), restart: None },
            },
            ["PMTK251", baud] => {
                self.requested_baud = baud.parse().ok();
                Effect::default()
            }
            ["PMTK314", "-1"] => {
                self.rates = DEFAULT_RATES;
                Effect { answer: ack("314", 3), restart: None }
            }
            ["PMTK314", rates @ ..] => match parse_rates(rates) {
                Some(r) => {
                    self.rates = r;
                    Effect { answer: ack("314", 3), restart: None }
                }
                None => Effect { answer: ack("314", 2), restart: None },
            },
            ["PMTK414"] => {
                let r = self.rates;
                let body = format!(
                    "PMTK514,{},{},{},{},{},{},0,0,0,0,0,0,0,0,0,0,0,0,{}",
                    r[0], r[1], r[2], r[3], r[4], r[5], r[6]
                );
                Effect { answer: Some(sentence(&body)), restart: None }
            }
            ["PMTK605"] => Effect { answer: Some(sentence(&format!("PMTK705,{VERSION}"))), restart: None },
            ["PGCMD", "33", on @ ("0" | "1")] => {
                self.antenna_status = *on == "1";
                Effect::default()
            }
            [command, ..] if command.starts_with("PMTK") => Effect { answer: ack(&command[4..], 0), restart: None },
            _ => Effect::default(),
        }
    }
}

/// The 19 rate fields of `PMTK314`: GLL, RMC, VTG, GGA, GSA, GSV, twelve reserved, channel.
fn parse_rates(fields: &[&str]) -> Option<[u8; 7]> {
    if fields.len() != 19 {
        return None;
    }
    let rate = |i: usize| fields[i].parse::<u8>().ok().filter(|&r| r <= 5);
    Some([rate(0)?, rate(1)?, rate(2)?, rate(3)?, rate(4)?, rate(5)?, rate(18)?])
}
