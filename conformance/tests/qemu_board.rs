//! The simulator against a board: the programs of `firmware/diff-programs` run under the real
//! embassy-executor on an emulated Cortex-M3 (`boards/qemu`, QEMU `mps2-an385` with
//! instruction-count time) and under fwsim's `Embassy` order; their marks must agree in order
//! and be equal in time within one board tick (1 ms).
//!
//! The test builds the board's firmware (its own workspace) and runs `qemu-system-arm`; with
//! either missing it fails and says what to install (`scripts/test.sh` installs both).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use diff_programs::{END_MS, IRQ_COUNT, IRQ_PERIOD_MS, IrqSignal, Log, PROGRAMS};
use fwsim::{Irq, Order, Sim, SimConfig, SimTime};

/// `(ms, label)` in the order logged.
type Marks = Vec<(u64, String)>;

struct SimLog(RefCell<Marks>);

impl Log for SimLog {
    fn mark(&self, label: &'static str) {
        self.0.borrow_mut().push((embassy_time::Instant::now().as_millis(), label.to_owned()));
    }
}

/// Runs `program` under fwsim's embassy order, the board's interrupt as a scheduled one.
fn on_fwsim(program: &str, tasks: &[&'static str]) -> Marks {
    fwsim::scope(SimConfig::new().order(Order::Embassy), |sim: &Sim| {
        let log = &*sim.alloc(SimLog(RefCell::new(Vec::new())));
        let irq = &*sim.alloc(IrqSignal::new());
        for &task in tasks {
            match program {
                "ties" => sim.spawn(task, diff_programs::ties(task, log)),
                "yields" => sim.spawn(task, diff_programs::yields(task, log)),
                _ => sim.spawn(task, diff_programs::interrupt(task, log, irq)),
            };
        }
        for k in 1..=u64::from(IRQ_COUNT) {
            let ms = SimTime::from_millis(k * IRQ_PERIOD_MS);
            match program {
                // The board starts TIMER0 a few instructions after SysTick, so each of its
                // interrupts comes a few cycles after the SysTick of the same millisecond, and
                // the task that SysTick woke runs in between: modelled as 1 µs later.
                "interrupt" => sim.schedule_isr(ms + Duration::from_micros(1), Irq::new(1, 8), move || irq.signal(())),
                // Pended by the SysTick handler itself: taken before thread mode resumes, in the
                // same instant as the alarm.
                "interrupt_tie" => sim.schedule_isr(ms, Irq::new(1, 9), move || irq.signal(())),
                _ => {}
            }
        }
        sim.run_until(SimTime::from_millis(END_MS)).unwrap();
        log.0.borrow().clone()
    })
}

fn board_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../boards/qemu")
}

/// Builds the board's firmware (release) once.
fn build_board() {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked", "--quiet"])
        .current_dir(board_dir())
        .output()
        .expect("run cargo for boards/qemu");
    assert!(
        out.status.success(),
        "building boards/qemu failed (is the target installed? `rustup target add thumbv7m-none-eabi`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `program` on QEMU and reads its marks.
fn on_qemu(program: &str) -> Marks {
    let elf = board_dir().join("target/thumbv7m-none-eabi/release").join(program);
    let out = Command::new("qemu-system-arm")
        .args(["-M", "mps2-an385", "-nographic", "-monitor", "none", "-serial", "none"])
        .args(["-semihosting-config", "enable=on,target=native", "-icount", "shift=0,sleep=off", "-kernel"])
        .arg(&elf)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run qemu-system-arm ({e}); install it: `apt-get install -y qemu-system-arm`")
        });
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && text.ends_with("end\n"), "{program} on QEMU did not end cleanly:\n{text}");
    text.lines()
        .filter_map(|l| l.strip_prefix("mark "))
        .map(|l| {
            let (ms, label) = l.split_once(' ').expect("mark <ms> <label>");
            (ms.parse().expect("a millisecond count"), label.to_owned())
        })
        .collect()
}

/// The two lists side by side.
fn side_by_side(board: &Marks, sim: &Marks) -> String {
    let mut out = format!("{:<24}{}\n", "QEMU (embassy-executor)", "fwsim (Embassy order)");
    for i in 0..board.len().max(sim.len()) {
        let show = |m: Option<&(u64, String)>| m.map_or("-".to_owned(), |(t, l)| format!("{t:>4} ms  {l}"));
        let differ = board.get(i).map(|m| &m.1) != sim.get(i).map(|m| &m.1);
        out.push_str(&format!(
            "{:<24}{}{}\n",
            show(board.get(i)),
            show(sim.get(i)),
            if differ { "   <-- differs" } else { "" }
        ));
    }
    out
}

#[test]
fn fwsim_and_the_qemu_board_log_the_same_marks() {
    build_board();
    for (program, tasks) in PROGRAMS {
        let board = on_qemu(program);
        let sim = on_fwsim(program, tasks);
        assert!(!board.is_empty(), "{program}: no marks from the board");
        let same_order = board.iter().map(|m| &m.1).eq(sim.iter().map(|m| &m.1));
        let same_time = board.iter().zip(&sim).all(|(b, s)| b.0.abs_diff(s.0) <= 1);
        assert!(same_order && same_time, "{program}: the marks differ\n{}", side_by_side(&board, &sim));
    }
}
