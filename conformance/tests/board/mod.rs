//! Running `boards/qemu` binaries and comparing their marks with fwsim's.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `(µs, label)` in the order logged.
pub type Marks = Vec<(u64, String)>;

fn board_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../boards/qemu")
}

/// Builds the board's firmware (release); the second call finds it built.
pub fn build_board() {
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

/// What a run on QEMU printed: its marks, and the bytes it sent on UART0.
pub struct BoardRun {
    pub marks: Marks,
    pub uart: Vec<u8>,
}

/// Runs the binary `bin` on QEMU and reads its marks and its UART output.
pub fn on_qemu(bin: &str) -> BoardRun {
    let elf = board_dir().join("target/thumbv7m-none-eabi/release").join(bin);
    let uart_file = std::env::temp_dir().join(format!("fwsim-qemu-{}-{bin}.uart", std::process::id()));
    let out = Command::new("qemu-system-arm")
        .args(["-M", "mps2-an385", "-nographic", "-monitor", "none", "-serial"])
        .arg(format!("file:{}", uart_file.display()))
        .args(["-semihosting-config", "enable=on,target=native", "-icount", "shift=0,sleep=off", "-kernel"])
        .arg(&elf)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run qemu-system-arm ({e}); install it: `apt-get install -y qemu-system-arm`")
        });
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && text.ends_with("end\n"), "{bin} on QEMU did not end cleanly:\n{text}");
    let uart = std::fs::read(&uart_file).unwrap_or_default();
    let _ = std::fs::remove_file(&uart_file);
    let marks = text
        .lines()
        .filter_map(|l| l.strip_prefix("mark "))
        .map(|l| {
            let (us, label) = l.split_once(' ').expect("mark <µs> <label>");
            (us.parse().expect("a microsecond count"), label.to_owned())
        })
        .collect();
    BoardRun { marks, uart }
}

/// The two lists side by side.
fn side_by_side(board: &Marks, sim: &Marks) -> String {
    let mut out = format!("{:<56}{}\n", "QEMU (embassy-executor)", "fwsim (Embassy order)");
    for i in 0..board.len().max(sim.len()) {
        let show = |m: Option<&(u64, String)>| m.map_or("-".to_owned(), |(t, l)| format!("{t:>10} µs  {l}"));
        let differ = board.get(i).map(|m| &m.1) != sim.get(i).map(|m| &m.1);
        out.push_str(&format!(
            "{:<56}{}{}\n",
            show(board.get(i)),
            show(sim.get(i)),
            if differ { "   <-- differs" } else { "" }
        ));
    }
    out
}

/// Requires the same marks in the same order, each within `tolerance_us`; returns the largest
/// difference in time.
pub fn assert_same(name: &str, board: &Marks, sim: &Marks, tolerance_us: u64) -> u64 {
    assert!(!board.is_empty(), "{name}: no marks from the board");
    let same_order = board.iter().map(|m| &m.1).eq(sim.iter().map(|m| &m.1));
    let worst = board.iter().zip(sim).map(|(b, s)| b.0.abs_diff(s.0)).max().unwrap_or(0);
    assert!(
        same_order && worst <= tolerance_us,
        "{name}: the marks differ (order, or time by more than {tolerance_us} µs: {worst} µs)\n{}",
        side_by_side(board, sim)
    );
    worst
}
