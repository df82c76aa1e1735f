//! Helpers shared by the CLI tests: run the `fwsim` binary, write scenario files, run a
//! scenario on an app of a test's own.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (where `scenarios/` is).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("cli/ has a parent").to_path_buf()
}

/// A fresh directory for one test, removed when the test passes and kept when it fails, so
/// that a failure's files can be read (its path is printed).
pub fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("fwsim-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    Scratch(dir)
}

/// The directory [`scratch`] made; a `Path` by deref.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the failed test's files are kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// What a run of the binary gave.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `fwsim args…` in `cwd`.
pub fn fwsim(cwd: &Path, args: &[&str]) -> Output {
    fwsim_as("fwsim", cwd, args)
}

/// Runs the `fwsim` binary as `program` (its `argv[0]`), as a repository's own binary that
/// embeds the command is run.
pub fn fwsim_as(program: &str, cwd: &Path, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_fwsim"));
    let out = command.arg0(program).args(args).current_dir(cwd).output().expect("run fwsim");
    Output {
        code: out.status.code().expect("fwsim exits normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `fwsim args…` in `cwd` with stderr on a pseudo-terminal, as in a developer's shell:
/// `stderr` is what the terminal received, escape sequences and all.
pub fn fwsim_on_a_terminal(cwd: &Path, args: &[&str]) -> Output {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    use std::io::Read;

    let controller = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("open a pseudo-terminal");
    grantpt(&controller).expect("grantpt");
    unlockpt(&controller).expect("unlockpt");
    let name = ptsname(&controller, Vec::new()).expect("the terminal's name");
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("a UTF-8 terminal name"))
        .expect("open the terminal's side");
    let child = Command::new(env!("CARGO_BIN_EXE_fwsim"))
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(terminal)
        .spawn()
        .expect("run fwsim");
    // Read while it runs, or a full terminal buffer would block it. The read ends with an
    // error (EIO) once no process holds the terminal's side open.
    let mut controller = std::fs::File::from(controller);
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let _ = controller.read_to_end(&mut seen);
        seen
    });
    let out = child.wait_with_output().expect("fwsim exits");
    let seen = reader.join().expect("the terminal's reader");
    Output {
        code: out.status.code().expect("fwsim exits normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&seen).into_owned(),
    }
}

/// Runs `yaml` (a scenario file's text, `t.yaml`) on `app` alone, with default options.
pub fn run_on(app: &dyn fwsim_scenario::App, yaml: &str) -> fwsim_scenario::Report {
    let scenario = fwsim_scenario::parse("t.yaml".as_ref(), yaml, &[app], Some(app.name())).unwrap();
    fwsim_scenario::run(&scenario, app, &fwsim_scenario::RunOptions::default())
}

/// The message of a report's failure; empty if it passed.
pub fn failure(r: &fwsim_scenario::Report) -> String {
    r.failure().map(|f| f.message.clone()).unwrap_or_default()
}
