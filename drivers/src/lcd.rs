//! A character LCD (HD44780, 4-bit parallel) kept up to date by its own task: the toolkit's
//! `alcd`.
//!
//! Code anywhere writes whole rows into a buffer ([`Lcd::set_row`]) and carries on; the display
//! task ([`Lcd::run`]) copies every changed row to the controller, a few microseconds per
//! character, yielding between them. A row written *while* the task is sending it is not lost:
//! the task clears a row's dirty flag before it copies the row, so a later write marks it
//! dirty again and the next pass sends the new text (`tests/lcd.rs` checks this under fuzzed
//! schedules).

use core::cell::RefCell;

use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::signal::Signal;
use embassy_time::Timer;
use embedded_hal::digital::OutputPin;

/// The six pins of a 4-bit HD44780 interface (R/W tied to ground).
pub struct LcdPins<RS, E, D4, D5, D6, D7> {
    /// Register select: low for instructions, high for characters.
    pub rs: RS,
    /// Enable: the controller latches on its falling edge.
    pub e: E,
    /// Data lines 4 to 7.
    pub d4: D4,
    /// See `d4`.
    pub d5: D5,
    /// See `d4`.
    pub d6: D6,
    /// See `d4`.
    pub d7: D7,
}

/// One row's characters and whether the glass still shows older ones.
type Row<const COLS: usize> = ([u8; COLS], bool);

/// The row buffer of a `COLS`×`ROWS` display, shared by the writers and the display task.
pub struct Lcd<M: RawMutex, const COLS: usize, const ROWS: usize> {
    rows: Mutex<M, RefCell<[Row<COLS>; ROWS]>>,
    changed: Signal<M, ()>,
}

impl<M: RawMutex, const COLS: usize, const ROWS: usize> Default for Lcd<M, COLS, ROWS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: RawMutex, const COLS: usize, const ROWS: usize> Lcd<M, COLS, ROWS> {
    /// A blank display buffer.
    pub const fn new() -> Self {
        Lcd { rows: Mutex::new(RefCell::new([([b' '; COLS], false); ROWS])), changed: Signal::new() }
    }

    /// Sets row `row` to `text`, cut or padded with spaces to the width; the display task
    /// sends it. Rows past the last are ignored. Non-ASCII characters show as `?`.
    pub fn set_row(&self, row: usize, text: &str) {
        self.rows.lock(|rows| {
            let mut rows = rows.borrow_mut();
            let Some((line, dirty)) = rows.get_mut(row) else { return };
            let mut chars = text.chars();
            for cell in line.iter_mut() {
                *cell = match chars.next() {
                    Some(c) if c.is_ascii() && !c.is_ascii_control() => c as u8,
                    Some(_) => b'?',
                    None => b' ',
                };
            }
            *dirty = true;
        });
        self.changed.signal(());
    }

    /// Row `row` as it will be shown.
    pub fn row(&self, row: usize) -> Option<[u8; COLS]> {
        self.rows.lock(|rows| rows.borrow().get(row).map(|r| r.0))
    }

    /// Initialises the display, then sends changed rows for ever.
    pub async fn run<RS, E, D4, D5, D6, D7>(&self, mut pins: LcdPins<RS, E, D4, D5, D6, D7>) -> !
    where
        RS: OutputPin,
        E: OutputPin,
        D4: OutputPin,
        D5: OutputPin,
        D6: OutputPin,
        D7: OutputPin,
    {
        pins.init().await;
        loop {
            for row in 0..ROWS {
                // Clear the flag first: a write from now on marks the row again.
                let text = self.rows.lock(|rows| {
                    let mut rows = rows.borrow_mut();
                    let (line, dirty) = &mut rows[row];
                    core::mem::take(dirty).then_some(*line)
                });
                if let Some(text) = text {
                    pins.command(SET_DDRAM | ROW_START[row % ROW_START.len()]).await;
                    for byte in text {
                        pins.data(byte).await;
                    }
                }
            }
            let pending = self.rows.lock(|rows| rows.borrow().iter().any(|r| r.1));
            if !pending {
                self.changed.wait().await;
            }
        }
    }
}

/// Set the DDRAM address (instruction).
const SET_DDRAM: u8 = 0x80;
/// Each row's first DDRAM address (the usual 16×2 and 20×4 layouts).
const ROW_START: [u8; 4] = [0x00, 0x40, 0x14, 0x54];

impl<RS, E, D4, D5, D6, D7> LcdPins<RS, E, D4, D5, D6, D7>
where
    RS: OutputPin,
    E: OutputPin,
    D4: OutputPin,
    D5: OutputPin,
    D6: OutputPin,
    D7: OutputPin,
{
    /// Latches the low four bits of `nibble` (the controller reads them as E falls).
    async fn nibble(&mut self, nibble: u8) {
        // A pin that cannot be driven leaves the display stale; there is nobody to tell.
        let _ = self.d4.set_state((nibble & 1 != 0).into());
        let _ = self.d5.set_state((nibble & 2 != 0).into());
        let _ = self.d6.set_state((nibble & 4 != 0).into());
        let _ = self.d7.set_state((nibble & 8 != 0).into());
        let _ = self.e.set_high();
        // A timer ends on a tick, so one for `n` ticks started between two ticks (the task
        // woken by an interrupt at any instant) lasts between n - 1 and n: two 1 µs ticks make
        // sure E stays high at least the 450 ns it needs, and the cycle lasts at least 1 µs.
        Timer::after_micros(2).await;
        let _ = self.e.set_low();
        Timer::after_micros(2).await;
    }

    async fn byte(&mut self, byte: u8, character: bool) {
        let _ = self.rs.set_state(character.into());
        self.nibble(byte >> 4).await;
        self.nibble(byte & 0xF).await;
        // 37 µs per instruction, 41 µs per character; clear and home take 1.52 ms.
        Timer::after_micros(if byte <= 0x03 && !character { 2_000 } else { 50 }).await;
    }

    async fn command(&mut self, byte: u8) {
        self.byte(byte, false).await;
    }

    async fn data(&mut self, byte: u8) {
        self.byte(byte, true).await;
    }

    /// The datasheet's 4-bit reset sequence, then two lines, display on, clear, left to right.
    async fn init(&mut self) {
        let _ = self.rs.set_low();
        Timer::after_millis(20).await; // power-on: at least 15 ms
        for wait_us in [4_500, 150, 150] {
            self.nibble(0x3).await;
            Timer::after_micros(wait_us).await;
        }
        self.nibble(0x2).await; // 4-bit from here on
        Timer::after_micros(50).await;
        for instruction in [0x28, 0x0C, 0x01, 0x06] {
            self.command(instruction).await;
        }
    }
}
