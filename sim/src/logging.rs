//! Firmware logs stamped with virtual time.
//!
//! Firmware logs with `log` or `tracing`; on the host those lines should carry the *simulated*
//! time and the task that logged them, or a 1-hour simulation prints garbage timestamps.
//!
//! * `log`: [`init_logger`] installs [`VirtualTimeLogger`], which prints
//!   `[   1.500000000s blink#0] INFO  led on` to stderr.
//! * `tracing`: use [`VirtualTime`] as the subscriber's timer:
//!   `tracing_subscriber::fmt().with_timer(fwsim::logging::VirtualTime).init()`.
//!
//! Outside a simulation both print `-` for the time.

use std::fmt;

use crate::context::with_current;

/// `"1.500000000s blink#0"`, or `"-"` outside a simulation.
pub fn stamp() -> String {
    with_current(|s| match s.and_then(|s| s.core.try_borrow().ok()) {
        Some(c) => format!("{} {}", crate::SimTime(c.clock.now), c.running_label()),
        None => "-".to_owned(),
    })
}

/// A `log::Log` that stamps each line with virtual time and task.
#[derive(Debug)]
pub struct VirtualTimeLogger {
    level: log::LevelFilter,
}

impl log::Log for VirtualTimeLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("[{}] {:<5} {}", stamp(), record.level(), record.args());
        }
    }
    fn flush(&self) {}
}

/// Installs [`VirtualTimeLogger`] as the `log` logger at `level` (once per process).
pub fn init_logger(level: log::LevelFilter) -> Result<(), log::SetLoggerError> {
    log::set_boxed_logger(Box::new(VirtualTimeLogger { level }))?;
    log::set_max_level(level);
    Ok(())
}

/// A `tracing_subscriber` timer that prints virtual time and task.
#[derive(Clone, Copy, Debug, Default)]
pub struct VirtualTime;

impl tracing_subscriber::fmt::time::FormatTime for VirtualTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> fmt::Result {
        write!(w, "{}", stamp())
    }
}
