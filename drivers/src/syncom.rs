//! A synchronous 4-wire link between two boards: the toolkit's `syncom`.
//!
//! Each board drives a clock and a data line and reads the other's: `ckout`→`ckin` and
//! `dout`→`din`, crossed. A bit moves when a side sees the other's clock change: it reads
//! `din`, presents its next bit on `dout` and toggles `ckout` — a handshake, so the link runs
//! as fast as the slower side, with no baud rate to agree on. Characters are 7 bits, least
//! significant first; a message is a run of non-zero characters ended by a zero, and an idle
//! link clocks zeros. One side is the *initiator*, the other *passive*; they synchronise on
//! the pattern `0x9D` before any message.
//!
//! Differences from the toolkit, and why:
//!
//! * **Messages are bytes** (ASCII 1–127), not JSON: no allocator, and any encoding on top.
//! * **Waits are pin interrupts** (`Wait`), each bit paced by [`BIT_PAUSE`], where the
//!   toolkit spins with `sleep_ms(0)`: the core sleeps between bits.
//! * **Resynchronisation needs no reset wire.** The toolkit's initiator resets the passive
//!   board through a fifth pin. Here every session — at power-up, after a restart, after a
//!   timeout (the other side's clock unchanged for [`SynCom::new`]'s `timeout`) or a message
//!   longer than [`MESSAGE_LEN`] without its end — begins with the side holding its lines low
//!   for twice the timeout. A side still in the old session therefore times out and starts
//!   over too, and both synchronise from the same start, as at power-up; synchronising waits
//!   for the other side without a limit. A message cut short by a restart is lost; messages
//!   still queued are sent once the link is up again.

use core::cell::Cell;
use core::convert::Infallible;

use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Timer};
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal_async::digital::Wait;

/// The synchronisation pattern.
const SYN: u16 = 0x9D;
/// Bits per character.
const BITS_PER_CHAR: u32 = 7;
/// The longest message, in characters.
pub const MESSAGE_LEN: usize = 64;
/// How long each side waits after seeing a clock change before answering it: a bit takes two
/// of these, so the link carries about 2,000 bits (285 characters) a second.
pub const BIT_PAUSE: Duration = Duration::from_micros(250);

/// A message: 1 to [`MESSAGE_LEN`] characters, each 1–127.
pub type Message = heapless::Vec<u8, MESSAGE_LEN>;

/// The four lines, as one board sees them.
pub struct SynComPins<CI, CO, DI, DO> {
    /// The other side's clock.
    pub ckin: CI,
    /// This side's clock.
    pub ckout: CO,
    /// The other side's data.
    pub din: DI,
    /// This side's data.
    pub dout: DO,
}

/// Why a message cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Empty, longer than [`MESSAGE_LEN`], or a byte outside 1–127.
    BadMessage,
    /// The transmit queue is full.
    Full,
}

/// Why a session ended.
enum Broken {
    /// The other side's clock did not change within the timeout.
    Timeout,
    /// A message ran past [`MESSAGE_LEN`] without its end.
    Overlong,
}

/// One end of the link: queues to send and to receive, and the protocol in
/// [`run`](SynCom::run).
pub struct SynCom<M: RawMutex> {
    passive: bool,
    timeout: Duration,
    tx: Channel<M, Message, 4>,
    rx: Channel<M, Message, 4>,
    sessions: Mutex<M, Cell<u32>>,
}

impl<M: RawMutex> SynCom<M> {
    /// An end of the link; `passive` for the passive side. `timeout`: how long the other side
    /// may leave its clock unchanged before this side starts over.
    pub const fn new(passive: bool, timeout: Duration) -> Self {
        SynCom { passive, timeout, tx: Channel::new(), rx: Channel::new(), sessions: Mutex::new(Cell::new(0)) }
    }

    /// Queues `message` for sending.
    pub fn send(&self, message: &[u8]) -> Result<(), SendError> {
        if message.is_empty() || message.iter().any(|&b| b == 0 || b > 127) {
            return Err(SendError::BadMessage);
        }
        let message = Message::from_slice(message).map_err(|()| SendError::BadMessage)?;
        self.tx.try_send(message).map_err(|_| SendError::Full)
    }

    /// The next message received.
    pub async fn receive(&self) -> Message {
        self.rx.receive().await
    }

    /// How many times the link has synchronised (1 after the first; each restart adds one).
    pub fn sessions(&self) -> u32 {
        self.sessions.lock(Cell::get)
    }

    /// Runs the link for ever: synchronises, exchanges messages, and starts over when the
    /// other side goes silent or restarts.
    pub async fn run<CI, CO, DI, DO>(&self, pins: &mut SynComPins<CI, CO, DI, DO>) -> !
    where
        CI: InputPin + Wait,
        CO: OutputPin,
        DI: InputPin,
        DO: OutputPin,
    {
        loop {
            // A session ends only when the link broke; the next one starts quiet.
            let Err(_broken) = self.session(pins).await;
        }
    }

    async fn session<CI, CO, DI, DO>(&self, pins: &mut SynComPins<CI, CO, DI, DO>) -> Result<Infallible, Broken>
    where
        CI: InputPin + Wait,
        CO: OutputPin,
        DI: InputPin,
        DO: OutputPin,
    {
        let mut link = Link { pins, passive: self.passive, timeout: self.timeout, phase: false, odata: SYN };
        // Quiet first, both sides: the other side, if still in an old session, times out and
        // starts over too, and both synchronise from the same start, as at power-up.
        let _ = link.pins.dout.set_low();
        let _ = link.pins.ckout.set_low();
        Timer::after(self.timeout * 2).await;
        if !self.passive {
            let _ = link.pins.dout.set_state((SYN & 1 != 0).into());
            let _ = link.pins.ckout.set_high();
            link.odata = SYN >> 1;
            link.phase = true;
        }
        // Waiting for the other side to start has no limit.
        let mut window = 0u16;
        while window != SYN {
            window = link.bit(window, 8, false).await?;
        }
        self.sessions.lock(|n| n.set(n.get() + 1));
        // A message cut by a restart is lost on both sides; those still queued go now.
        let (mut sending, mut next): (Option<Message>, usize) = (None, 0);
        let mut incoming = Message::new();
        let mut outstanding = 0u16;
        loop {
            if sending.is_none() {
                sending = self.tx.try_receive().ok();
                next = 0;
            }
            link.odata = match &sending {
                Some(m) if next < m.len() => {
                    next += 1;
                    u16::from(m[next - 1])
                }
                _ => {
                    sending = None;
                    0
                }
            };
            // The passive side's characters lag one bit behind the initiator's.
            let char_in = if self.passive {
                let c = link.bit(outstanding, BITS_PER_CHAR, true).await?;
                outstanding = 0;
                for _ in 1..BITS_PER_CHAR {
                    outstanding = link.bit(outstanding, BITS_PER_CHAR, true).await?;
                }
                c
            } else {
                let mut c = 0;
                for _ in 0..BITS_PER_CHAR {
                    c = link.bit(c, BITS_PER_CHAR, true).await?;
                }
                c
            };
            if char_in != 0 {
                incoming.push(char_in as u8).map_err(|_| Broken::Overlong)?;
            } else if !incoming.is_empty() {
                // A full queue drops the message: the reader is not keeping up.
                let _ = self.rx.try_send(core::mem::take(&mut incoming));
            }
        }
    }
}

/// The state of one session.
struct Link<'p, CI, CO, DI, DO> {
    pins: &'p mut SynComPins<CI, CO, DI, DO>,
    passive: bool,
    timeout: Duration,
    /// This side's clock level.
    phase: bool,
    /// Bits still to send, least significant next.
    odata: u16,
}

impl<CI, CO, DI, DO> Link<'_, CI, CO, DI, DO>
where
    CI: InputPin + Wait,
    CO: OutputPin,
    DI: InputPin,
    DO: OutputPin,
{
    /// Exchanges one bit: waits for the other side's clock to change, shifts its data bit in
    /// at the top of a `width`-bit `dest`, presents this side's next bit and toggles the clock.
    /// With `timed`, gives up after the timeout.
    async fn bit(&mut self, dest: u16, width: u32, timed: bool) -> Result<u16, Broken> {
        // The initiator waits for the passive clock to equal its own, the passive side for
        // the initiator's to differ from its own.
        let wanted = self.phase ^ self.passive;
        if self.pins.ckin.is_high().unwrap_or(false) != wanted {
            let edge = async {
                let _ = if wanted { self.pins.ckin.wait_for_high().await } else { self.pins.ckin.wait_for_low().await };
            };
            if !timed {
                edge.await;
            } else if let Either::Second(()) = select(edge, Timer::after(self.timeout)).await {
                return Err(Broken::Timeout);
            }
        }
        let din = u16::from(self.pins.din.is_high().unwrap_or(false));
        let dest = (dest | (din << width)) >> 1;
        Timer::after(BIT_PAUSE).await;
        let _ = self.pins.dout.set_state((self.odata & 1 != 0).into());
        self.odata >>= 1;
        self.phase = !self.phase;
        let _ = self.pins.ckout.set_state(self.phase.into());
        Ok(dest)
    }
}
