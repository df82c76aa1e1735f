//! # fwsim-defmt — defmt logs of simulated firmware, decoded, at their virtual times
//!
//! Most embassy firmware logs with [`defmt`]: the target sends compact frames (an index into
//! a table of format strings, and the arguments), and the host decodes them with the table in
//! the ELF. Here the host *is* the target: this crate is the firmware's global logger. Each
//! frame is decoded at once with the running test binary's own `.defmt` table (read from
//! [`std::env::current_exe`] by `defmt-decoder`), stamped with the simulation's virtual time
//! (defmt's timestamp is `fwsim::now()` in microseconds), recorded in the current
//! simulation's trace as a mark, and kept for [`take_lines`].
//!
//! ## Setting it up
//!
//! 1. Depend on it from the test (a dev-dependency) and link it: `use fwsim_defmt as _;`.
//! 2. Link the test binary with this crate's `defmt-host.x` (defmt's own `defmt.x` replaces
//!    the host's whole linker script) and without PIE, in the build script of the package
//!    whose tests log:
//!    `println!("cargo:rustc-link-arg-tests=-T{}/defmt-host.x", <path of this crate>);`
//!    `println!("cargo:rustc-link-arg-tests=-no-pie");`
//! 3. Choose the level at compile time, as on a board: `DEFMT_LOG=info` (this workspace sets
//!    it in `.cargo/config.toml`).
//!
//! Lines are kept per thread, so tests in parallel threads do not mix their logs.

use std::cell::RefCell;
use std::sync::OnceLock;

use defmt_decoder::{StreamDecoder, Table};

/// One decoded log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// When it was logged (virtual time).
    pub at: fwsim::SimTime,
    /// Its level (`INFO`, `WARN`…), if it has one.
    pub level: Option<String>,
    /// The formatted message.
    pub message: String,
}

/// The test binary's own defmt table, or why there is none.
fn table() -> &'static Result<Table, String> {
    static TABLE: OnceLock<Result<Table, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let exe = std::env::current_exe().map_err(|e| format!("cannot find the running binary: {e}"))?;
        let elf = std::fs::read(&exe).map_err(|e| format!("cannot read {}: {e}", exe.display()))?;
        match Table::parse(&elf) {
            Ok(Some(table)) => Ok(table),
            Ok(None) => Err(format!(
                "{} has no .defmt table: link it with fwsim-defmt's defmt-host.x (see the crate docs)",
                exe.display()
            )),
            Err(e) => Err(format!("the .defmt table of {} does not parse: {e}", exe.display())),
        }
    })
}

thread_local! {
    /// The frame being written, encoded.
    static FRAME: RefCell<(defmt::Encoder, Vec<u8>)> = const { RefCell::new((defmt::Encoder::new(), Vec::new())) };
    /// Decoded lines not yet taken.
    static LINES: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
}

/// Takes the lines logged on this thread so far.
pub fn take_lines() -> Vec<Line> {
    LINES.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// Decodes a complete frame and records it.
fn record(bytes: &[u8]) {
    let line = match table() {
        Ok(table) => {
            let mut decoder: Box<dyn StreamDecoder + '_> = table.new_stream_decoder();
            decoder.received(bytes);
            match decoder.decode() {
                Ok(frame) => (frame.level().map(|l| l.as_str().to_uppercase()), frame.display_message().to_string()),
                Err(e) => (None, format!("(a defmt frame that does not decode: {e:?})")),
            }
        }
        Err(why) => (None, format!("(a defmt frame: {why})")),
    };
    let at = fwsim::SimHandle::try_current().map_or(fwsim::SimTime::ZERO, |h| h.now());
    if fwsim::SimHandle::try_current().is_some() {
        let label = match &line.0 {
            Some(level) => format!("{level} {}", line.1),
            None => line.1.clone(),
        };
        fwsim::mark(&label, 0);
    }
    LINES.with(|l| l.borrow_mut().push(Line { at, level: line.0, message: line.1 }));
}

#[defmt::global_logger]
struct HostLogger;

// SAFETY: defmt calls `acquire`, then `write`s, then `release` for one frame, never nested on
// one thread (its macros hold a critical section around them); the frame state is per thread.
unsafe impl defmt::Logger for HostLogger {
    fn acquire() {
        FRAME.with(|f| {
            let (encoder, bytes) = &mut *f.borrow_mut();
            bytes.clear();
            encoder.start_frame(|b| bytes.extend_from_slice(b));
        });
    }

    unsafe fn flush() {}

    unsafe fn release() {
        let frame = FRAME.with(|f| {
            let (encoder, bytes) = &mut *f.borrow_mut();
            encoder.end_frame(|b| bytes.extend_from_slice(b));
            std::mem::take(bytes)
        });
        record(&frame);
    }

    unsafe fn write(data: &[u8]) {
        FRAME.with(|f| {
            let (encoder, bytes) = &mut *f.borrow_mut();
            encoder.write(data, |b| bytes.extend_from_slice(b));
        });
    }
}

defmt::timestamp!("{=u64:us}", fwsim::SimHandle::try_current().map_or(0, |h| h.now().as_micros()));
