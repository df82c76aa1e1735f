//! Marks on both sides, and their comparison.

use std::cell::RefCell;
use std::fmt::Write;

/// `(µs since time zero, label)`, in the order logged.
pub type Marks = Vec<(u64, String)>;

/// Records marks under fwsim, each stamped with the virtual time it was made at: the
/// simulator's side of [`assert_same`]. Hand it to `fake-board`'s fakes (a `MarkedPin`, a
/// `ScriptedUart`) as a board hands them its semihosting printer.
#[derive(Default)]
pub struct MarkLog(RefCell<Marks>);

impl MarkLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// The marks so far, leaving the log empty.
    pub fn take(&self) -> Marks {
        self.0.take()
    }
}

impl fake_board::Marks for MarkLog {
    fn mark(&self, what: &str) {
        self.0.borrow_mut().push((embassy_time::Instant::now().as_micros(), what.to_owned()));
    }
}

/// Requires the same marks in the same order, each within `tolerance_us`, and returns the
/// largest difference in time.
///
/// # Panics
/// When the board logged nothing, or the lists differ: the message says how (a count, the
/// first label or the first time that differs) and has both lists side by side, each
/// differing row marked.
pub fn assert_same(name: &str, board: &Marks, sim: &Marks, tolerance_us: u64) -> u64 {
    assert!(!board.is_empty(), "{name}: no marks from the board");
    let worst = board.iter().zip(sim).map(|(b, s)| b.0.abs_diff(s.0)).max().unwrap_or(0);
    if let Some(how) = first_difference(board, sim, tolerance_us) {
        panic!("{name}: {how}\n{}", side_by_side(board, sim, tolerance_us));
    }
    worst
}

/// How the lists differ first, if they do.
fn first_difference(board: &Marks, sim: &Marks, tolerance_us: u64) -> Option<String> {
    for (i, (b, s)) in board.iter().zip(sim).enumerate() {
        if b.1 != s.1 {
            return Some(format!("mark {} is `{}` on the board and `{}` on fwsim", i + 1, b.1, s.1));
        }
        if b.0.abs_diff(s.0) > tolerance_us {
            let apart = b.0.abs_diff(s.0);
            return Some(format!("mark {} (`{}`) is {apart} µs apart, more than {tolerance_us} µs", i + 1, b.1));
        }
    }
    let count = |n: usize| if n == 1 { "1 mark".to_owned() } else { format!("{n} marks") };
    (board.len() != sim.len()).then(|| format!("the board logged {}, fwsim {}", count(board.len()), count(sim.len())))
}

/// The two lists side by side, each row that differs marked.
fn side_by_side(board: &Marks, sim: &Marks, tolerance_us: u64) -> String {
    let show = |m: Option<&(u64, String)>| m.map_or("-".to_owned(), |(t, l)| format!("{t:>10} µs  {l}"));
    let mut out = format!("{:<56}{}\n", "QEMU (embassy-executor)", "fwsim (Embassy order)");
    for i in 0..board.len().max(sim.len()) {
        let (b, s) = (board.get(i), sim.get(i));
        let differs = match (b, s) {
            (Some(b), Some(s)) => b.1 != s.1 || b.0.abs_diff(s.0) > tolerance_us,
            _ => true,
        };
        let _ = writeln!(out, "{:<56}{}{}", show(b), show(s), if differs { "   <-- differs" } else { "" });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(list: &[(u64, &str)]) -> Marks {
        list.iter().map(|&(t, l)| (t, l.to_owned())).collect()
    }

    #[test]
    fn marks_within_the_tolerance_agree_and_the_worst_is_returned() {
        let board = marks(&[(3, "led on"), (200_012, "led off")]);
        let sim = marks(&[(0, "led on"), (200_000, "led off")]);
        assert_eq!(assert_same("blinky", &board, &sim, 50), 12);
    }

    #[test]
    fn a_late_mark_fails_and_is_pointed_at() {
        let board = marks(&[(0, "led on"), (200_051, "led off")]);
        let sim = marks(&[(0, "led on"), (200_000, "led off")]);
        let message = std::panic::catch_unwind(|| assert_same("blinky", &board, &sim, 50))
            .expect_err("51 µs late is past a 50 µs tolerance")
            .downcast::<String>()
            .unwrap();
        assert!(message.starts_with("blinky: mark 2 (`led off`) is 51 µs apart, more than 50 µs\n"), "{message}");
        let late = message.lines().find(|l| l.contains("200051")).unwrap();
        assert!(late.ends_with("<-- differs"), "{message}");
        let first = message.lines().find(|l| l.trim_start().starts_with("0 µs")).unwrap();
        assert!(!first.ends_with("<-- differs"), "{message}");
    }

    #[test]
    fn another_order_or_a_missing_mark_fails_and_says_so() {
        let sim = marks(&[(0, "a"), (10, "b")]);
        for (board, says) in [
            (marks(&[(0, "b"), (10, "a")]), "x: mark 1 is `b` on the board and `a` on fwsim\n"),
            (marks(&[(0, "a")]), "x: the board logged 1 mark, fwsim 2 marks\n"),
        ] {
            let message = std::panic::catch_unwind(|| assert_same("x", &board, &sim, 50)).unwrap_err();
            let message = message.downcast_ref::<String>().unwrap();
            assert!(message.starts_with(says), "{message}");
        }
    }

    #[test]
    fn a_log_stamps_marks_with_virtual_time() {
        let log = fwsim::scope(fwsim::SimConfig::new(), |sim| {
            let log = &*sim.alloc(MarkLog::new());
            sim.spawn("t", async move {
                embassy_time::Timer::after_millis(7).await;
                fake_board::Marks::mark(log, "seven");
            });
            sim.run_until_stalled().unwrap();
            sim.run_for(fwsim::ms(10)).unwrap();
            log.take()
        });
        assert_eq!(log, marks(&[(7000, "seven")]));
    }
}
