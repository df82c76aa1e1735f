//! 24Cxx serial EEPROMs (Microchip 24LC02B … 24LC256 and compatibles).

use fwsim::SimTime;

use crate::i2c::{I2cContext, I2cDevice};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Address(usize),
    Data,
}

/// A 24Cxx EEPROM: a memory array, an address counter, and a page buffer.
///
/// * A write transaction sends the word address (1 byte up to the 16 Kbit parts, 2 above),
///   then data. Data fill the *page* of the addressed byte and wrap inside it: the first byte
///   past the page end overwrites the page's start, as the part does. That wrap is almost
///   always a driver bug and is reported (`PageWrap`), once per write, whatever the length.
/// * The 4, 8 and 16 Kbit parts (24C04/08/16) have one address byte and take the high address
///   bits from the device address (block select): they answer at 2, 4 or 8 consecutive
///   addresses ([`address_span`](Self::address_span)), so attach them with
///   [`I2cBus::attach_span`](crate::i2c::I2cBus::attach_span).
/// * The page is programmed when the STOP comes; for the write-cycle time (5 ms) the part
///   NACKs its address (acknowledge polling works).
/// * A read returns bytes from the address counter on, wrapping at the end of the array.
/// * The array is non-volatile: a [power cycle](crate::Board::power_cycle) keeps it, resets
///   the bus state and address counter, and ends the write cycle — a page write that power
///   interrupts is lost (the page keeps its old bytes, and the trace gets the mark
///   `eeprom_write_lost` with the page's first address), which is what a settings store must
///   survive. [`load`](Self::load) presets the contents, as a part programmed before
///   assembly. To carry a part to the next boot in a new simulation, power-cycle it first
///   (`I2cDevice::power_cycle`, with the old simulation current or none): its busy time is
///   counted from power-on, never from the old simulation's clock.
pub struct Eeprom24 {
    memory: Vec<u8>,
    page: usize,
    address_bytes: usize,
    counter: usize,
    phase: Phase,
    pending: Vec<(usize, u8)>,
    written: usize,
    busy_until: SimTime,
    write_cycle_ns: u64,
    /// The page bytes the write cycle under way replaces, to restore if power fails.
    programming: Vec<(usize, u8)>,
}

impl Eeprom24 {
    /// A part with `size` bytes, `page`-byte pages and `address_bytes` word-address bytes,
    /// erased (0xFF).
    pub fn new(size: usize, page: usize, address_bytes: usize) -> Self {
        assert!(size.is_power_of_two() && page.is_power_of_two() && page <= size);
        assert!((1..=2).contains(&address_bytes));
        assert!(
            address_bytes == 2 || size <= 2048,
            "fwsim-hw: a 24Cxx with one address byte has at most 8 blocks of 256 bytes (2 KiB)"
        );
        Eeprom24 {
            memory: vec![0xff; size],
            page,
            address_bytes,
            counter: 0,
            phase: Phase::Idle,
            pending: Vec::new(),
            written: 0,
            busy_until: SimTime::ZERO,
            write_cycle_ns: 5_000_000,
            programming: Vec::new(),
        }
    }

    /// Presets `bytes` from `offset` (a part programmed before assembly).
    pub fn load(&mut self, offset: usize, bytes: &[u8]) {
        self.memory[offset..offset + bytes.len()].copy_from_slice(bytes);
    }

    /// 24C02: 256 bytes, 8-byte pages, one address byte.
    pub fn c02() -> Self {
        Self::new(256, 8, 1)
    }

    /// 24C04: 512 bytes, 16-byte pages, one address byte, 2 blocks.
    pub fn c04() -> Self {
        Self::new(512, 16, 1)
    }

    /// 24C08: 1 KiB, 16-byte pages, one address byte, 4 blocks.
    pub fn c08() -> Self {
        Self::new(1024, 16, 1)
    }

    /// 24C16: 2 KiB, 16-byte pages, one address byte, 8 blocks.
    pub fn c16() -> Self {
        Self::new(2048, 16, 1)
    }

    /// How many consecutive I2C addresses the part answers at: with one address byte, one per
    /// 256-byte block (the block is selected by the device address's low bits).
    pub fn address_span(&self) -> u8 {
        if self.address_bytes == 1 { (self.memory.len() / 256).max(1) as u8 } else { 1 }
    }

    /// 24C32: 4 KiB, 32-byte pages.
    pub fn c32() -> Self {
        Self::new(4096, 32, 2)
    }

    /// 24C256: 32 KiB, 64-byte pages.
    pub fn c256() -> Self {
        Self::new(32768, 64, 2)
    }

    /// The memory array's contents.
    pub fn memory(&self) -> &[u8] {
        &self.memory
    }
}

impl I2cDevice for Eeprom24 {
    fn start(&mut self, ctx: &mut I2cContext, read: bool) -> bool {
        if ctx.now() < self.busy_until {
            return false;
        }
        self.phase = if read { Phase::Idle } else { Phase::Address(0) };
        true
    }

    fn write(&mut self, ctx: &mut I2cContext, byte: u8) -> bool {
        match self.phase {
            Phase::Address(n) => {
                let shift = 8 * (self.address_bytes - 1 - n);
                if n == 0 {
                    // One address byte: the block comes from the device address it was sent to.
                    let span = self.address_span() as usize;
                    self.counter = if span > 1 { (ctx.address() as usize & (span - 1)) << 8 } else { 0 };
                }
                self.counter |= (byte as usize) << shift;
                self.counter %= self.memory.len();
                self.phase = if n + 1 == self.address_bytes { Phase::Data } else { Phase::Address(n + 1) };
                self.pending.clear();
                self.written = 0;
            }
            Phase::Data => {
                let base = self.counter - self.counter % self.page;
                let offset = (self.counter % self.page + self.written) % self.page;
                if self.counter % self.page + self.written == self.page {
                    ctx.violation(
                        "PageWrap",
                        format!(
                            "a write starting at {:#06x} passed the end of its {}-byte page and wraps over {:#06x}",
                            self.counter, self.page, base
                        ),
                    );
                }
                self.pending.push((base + offset, byte));
                self.written += 1;
            }
            Phase::Idle => return false,
        }
        true
    }

    fn read(&mut self, _ctx: &mut I2cContext) -> u8 {
        let b = self.memory[self.counter];
        self.counter = (self.counter + 1) % self.memory.len();
        b
    }

    fn stop(&mut self, ctx: &mut I2cContext) {
        if self.phase == Phase::Data && !self.pending.is_empty() {
            self.programming.clear();
            for &(a, b) in &self.pending {
                self.programming.push((a, self.memory[a]));
                self.memory[a] = b;
            }
            let base = self.counter - self.counter % self.page;
            self.counter = base + (self.counter % self.page + self.written) % self.page;
            self.pending.clear();
            self.busy_until = SimTime(ctx.now().as_nanos() + self.write_cycle_ns);
        }
        self.phase = Phase::Idle;
    }

    fn power_cycle(&mut self) {
        // Power failed during the write cycle: the page keeps its old bytes (undone in reverse,
        // so a byte written twice gets its first old value back). With no simulation current
        // the part is between boots: its last cycle is over.
        let now = fwsim::SimHandle::try_current().map(|h| h.now());
        if !self.programming.is_empty() && now.is_some_and(|now| now < self.busy_until) {
            for &(a, old) in self.programming.iter().rev() {
                self.memory[a] = old;
            }
            // On the trace beside the power cut: a lost write is what a settings store's
            // test looks for, and nothing on the bus shows it.
            let page = self.programming[0].0 / self.page * self.page;
            fwsim::mark("eeprom_write_lost", page as u64);
        }
        self.programming.clear();
        self.pending.clear();
        self.phase = Phase::Idle;
        self.counter = 0;
        self.written = 0;
        self.busy_until = SimTime::ZERO;
    }
}
