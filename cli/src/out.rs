//! Printing when the reader may have gone: `fwsim run scenarios -v | head` closes the pipe
//! after a few lines, and `println!` would panic on the next one. Here a closed pipe ends the
//! output, not the command: the runs finish and the exit code is still the verdict's.

use std::fmt;
use std::io::{self, ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// `println!` to stdout, stopping quietly once the reader has gone.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::out::write(false, format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` to stdout, likewise.
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::write(false, format_args!($($arg)*)) };
}

/// `eprintln!` to stderr, likewise.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::out::write(true, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Whether a write to stdout failed for another reason than a closed pipe (said once).
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stderr (`to_stderr`) or stdout. A closed pipe is not an error; any other
/// failure to write stdout (a full disk under a redirection) is said once on stderr.
pub(crate) fn write(to_stderr: bool, text: fmt::Arguments<'_>) {
    let result = if to_stderr { io::stderr().lock().write_fmt(text) } else { io::stdout().lock().write_fmt(text) };
    match result {
        Err(e) if e.kind() != ErrorKind::BrokenPipe && !to_stderr && !STDOUT_FAILED.swap(true, Ordering::Relaxed) => {
            let _ = writeln!(io::stderr(), "fwsim: cannot write the output: {e}");
        }
        _ => {}
    }
}
