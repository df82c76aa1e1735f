//! Building a board crate and running its binaries on QEMU.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::Marks;

/// The binaries a [`build`] made, by name.
#[derive(Debug)]
pub struct Binaries(Vec<(String, PathBuf)>);

impl Binaries {
    /// The path of binary `name`.
    ///
    /// # Panics
    /// When the build made no binary of that name; the message lists those it made.
    pub fn path(&self, name: &str) -> PathBuf {
        match self.0.iter().find(|(n, _)| n == name) {
            Some((_, path)) => path.clone(),
            None => {
                let made: Vec<&str> = self.0.iter().map(|(n, _)| n.as_str()).collect();
                panic!("the board crate has no binary `{name}`; it has: {}", made.join(", "))
            }
        }
    }
}

/// Builds the board crate in `dir` (release, with the target and runner of its own
/// `.cargo/config.toml`; `--locked` when it has a `Cargo.lock`) and returns its binaries. A
/// second call finds them built.
///
/// # Panics
/// When the build fails: the message has cargo's errors, and the command that installs the
/// target when that is what is missing.
pub fn build(dir: &Path) -> Binaries {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.args(["build", "--release", "--message-format=json-render-diagnostics"]).current_dir(dir);
    if dir.join("Cargo.lock").exists() {
        cargo.arg("--locked");
    }
    let out = cargo.output().unwrap_or_else(|e| panic!("cannot run cargo in {}: {e}", dir.display()));
    if !out.status.success() {
        let errors = String::from_utf8_lossy(&out.stderr);
        panic!("building the board crate in {} failed{}:\n{errors}", dir.display(), install_hint(&errors));
    }
    Binaries(executables(&String::from_utf8_lossy(&out.stdout)))
}

/// The command that installs the target cargo's `errors` say is missing, if they say so.
fn install_hint(errors: &str) -> String {
    let missing = errors.lines().find_map(|l| {
        let rest = l.split("the `").nth(1)?;
        rest.split_once("` target may not be installed").map(|(target, _)| target.to_owned())
    });
    missing.map_or_else(String::new, |target| format!(" (install its target: `rustup target add {target}`)"))
}

/// The `(name, path)` of each executable in cargo's JSON messages.
fn executables(messages: &str) -> Vec<(String, PathBuf)> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter_map(|m| {
            let path = m["executable"].as_str()?;
            Some((m["target"]["name"].as_str()?.to_owned(), PathBuf::from(path)))
        })
        .collect()
}

/// What a run on QEMU printed: its marks, and the bytes it sent on UART0.
#[derive(Debug)]
pub struct BoardRun {
    /// The `mark <µs> <label>` lines, in order.
    pub marks: Marks,
    /// What the firmware sent on UART0.
    pub uart: Vec<u8>,
}

/// How long [`run`] lets QEMU run, on the wall clock, before it stops it. Runs end in a
/// fraction of a second (a minute of mostly idle firmware time takes milliseconds), and a
/// board built on `fwsim_board_qemu::run` stops itself, in virtual time, when its end is
/// overdue. This is the last resort for firmware that does neither (its own executor loop, a
/// run that never ends), which would otherwise hold the test for ever; it is generous, so
/// that firmware that keeps the core busy for minutes of its own time is not cut short.
pub const WALL_LIMIT: Duration = Duration::from_secs(600);

/// Runs the firmware `elf` on QEMU's `mps2-an385` in instruction-count time (one nanosecond
/// per instruction, idle time skipped) and reads back its marks and its UART0 output.
///
/// # Panics
/// When `qemu-system-arm` is missing; when the run does not end with `end` and exit status 0
/// (a panic, a hard fault); or when it is still running after [`WALL_LIMIT`]. The message has
/// what the firmware printed.
pub fn run(elf: &Path) -> BoardRun {
    let name = elf.file_name().map_or_else(|| "firmware".into(), |n| n.to_string_lossy());
    let base = scratch_base(&name);
    let files = ["out", "err", "uart"].map(|ext| base.with_extension(ext));
    let [printed, errors, uart] = &files;
    let create = |path: &Path| File::create(path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    let mut qemu = Command::new("qemu-system-arm");
    qemu.args(["-M", "mps2-an385", "-nographic", "-monitor", "none", "-serial"])
        .arg(format!("file:{}", uart.display()))
        .args(["-semihosting-config", "enable=on,target=native", "-icount", "shift=0,sleep=off", "-kernel"])
        .arg(elf)
        .stdin(Stdio::null())
        .stdout(create(printed))
        .stderr(create(errors));
    let status = finish_within(qemu, WALL_LIMIT).unwrap_or_else(|e| {
        panic!("cannot run qemu-system-arm ({e}); install it: `apt-get install -y qemu-system-arm`")
    });
    let [text, errors] =
        [printed, errors].map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned());
    let uart = std::fs::read(uart).unwrap_or_default();
    for file in &files {
        let _ = std::fs::remove_file(file);
    }
    let Some(status) = status else {
        panic!(
            "{name} on QEMU was still running after {} minutes of wall time, and was stopped: \
             firmware that never ends its run (`fwsim_board_qemu::run` ends it at its `end_us`). \
             It printed:\n{text}",
            WALL_LIMIT.as_secs() / 60
        )
    };
    assert!(
        status.success() && text.ends_with("end\n"),
        "{name} on QEMU did not end cleanly ({status}):\n{text}{errors}"
    );
    BoardRun { marks: parse_marks(&name, &text), uart }
}

/// A path for one run's files, its own even when tests of one process run the same binary at
/// once.
fn scratch_base(name: &str) -> PathBuf {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("fwsim-qemu-{}-{run}-{name}", std::process::id()))
}

/// Runs `command` to its end, or stops it once it has run for `limit`: its exit status, or
/// `None` when it was stopped.
fn finish_within(mut command: Command, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let mut child = command.spawn()?;
    match child.wait_timeout(limit)? {
        Some(status) => Ok(Some(status)),
        None => {
            child.kill()?;
            child.wait()?;
            Ok(None)
        }
    }
}

/// The `mark <µs> <label>` lines of a board's output.
fn parse_marks(name: &str, text: &str) -> Marks {
    text.lines()
        .filter_map(|line| line.strip_prefix("mark "))
        .map(|line| {
            let parsed = line.split_once(' ').and_then(|(us, label)| Some((us.parse().ok()?, label.to_owned())));
            parsed.unwrap_or_else(|| panic!("{name}: `mark {line}` is not `mark <µs> <label>`"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_read_in_order_and_other_lines_ignored() {
        let text = "booting\nmark 1 uart ready\nmark 100000 led on\nend\n";
        assert_eq!(parse_marks("x", text), vec![(1, "uart ready".to_owned()), (100_000, "led on".to_owned())]);
    }

    #[test]
    #[should_panic(expected = "x: `mark soon led on` is not `mark <µs> <label>`")]
    fn a_malformed_mark_is_named() {
        parse_marks("x", "mark soon led on\n");
    }

    #[test]
    fn runs_of_one_binary_get_files_of_their_own() {
        assert_ne!(scratch_base("blinky-board"), scratch_base("blinky-board"));
    }

    #[test]
    fn a_command_past_its_limit_is_stopped_and_one_that_ends_is_not() {
        // `cat` waits for input that never comes; a limit of zero stops it at once.
        let mut waits = Command::new("cat");
        waits.stdin(Stdio::piped());
        assert_eq!(finish_within(waits, Duration::ZERO).unwrap(), None);
        let status = finish_within(Command::new("true"), WALL_LIMIT).unwrap();
        assert!(status.is_some_and(|s| s.success()));
    }

    #[test]
    fn a_missing_target_is_named_with_its_install_command() {
        let errors = "error[E0463]: can't find crate for `core`\n  |\n  = note: the `thumbv7m-none-eabi` \
                      target may not be installed\n  = help: consider downloading the target";
        assert_eq!(install_hint(errors), " (install its target: `rustup target add thumbv7m-none-eabi`)");
        assert_eq!(install_hint("error: failed to parse manifest"), "");
    }

    #[test]
    fn executables_come_from_cargos_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"dep"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"blinky-board"},"executable":"/t/blinky-board"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        let bins = Binaries(executables(messages));
        assert_eq!(bins.path("blinky-board"), PathBuf::from("/t/blinky-board"));
        let missing = std::panic::catch_unwind(|| bins.path("other")).unwrap_err();
        assert_eq!(
            missing.downcast_ref::<String>().unwrap(),
            "the board crate has no binary `other`; it has: blinky-board"
        );
    }
}
