//! Deviations in words: what each answer off the run order's own did, for the report of a
//! failure ("at 0.000000000s: bonus#2 ran before deposit#1, after bonus#2's 1st poll").
//!
//! Only a traced run that records its schedule explains it (a fuzz campaign's report run, a
//! replay): the campaign's own executions run without a trace and pay nothing. The names come
//! from the trace's table, and a run explains at most [`MAX_EXPLAINED`] deviations, since one
//! with more is read from its trace, not its report.

use super::*;

/// The most deviations one run explains.
pub(crate) const MAX_EXPLAINED: usize = 64;

impl Core {
    /// Whether deviations are being explained.
    #[inline]
    pub(super) fn explaining(&self) -> bool {
        self.trace.enabled && self.choices.record && self.choices.explained.len() < MAX_EXPLAINED
    }

    /// Adds `what` (which happened at this instant) to the run's explained deviations.
    #[cold]
    pub(super) fn explain(&mut self, what: std::fmt::Arguments<'_>) {
        let at = SimTime(self.clock.now);
        self.choices.explained.push(format!("at {at}: {what}"));
    }

    /// A task choice: `chosen` ran where the order runs `default`, at `anchor`.
    #[cold]
    pub(super) fn explain_task_choice(&mut self, chosen: TaskId, default: TaskId, anchor: Anchor) {
        let place = match anchor.after {
            Some(after) => format!("after {}'s {} poll", self.task_name(after), ordinal(anchor.picks)),
            None => "before any task ran".to_owned(),
        };
        let (chosen, default) = (self.task_name(chosen), self.task_name(default));
        self.explain(format_args!("{chosen} ran before {default}, {place}"));
    }

    /// The run's deviations explained so far.
    pub(crate) fn choices_explained(&self) -> &[String] {
        &self.choices.explained
    }

    /// An interrupt source as the trace names it (`irq1004 (UART0)`, or `irq1004`).
    pub(super) fn irq_label(&self, irq: Irq) -> String {
        self.trace.names.describe(TaskRef::Interrupt(irq.number))
    }

    /// `task` as the trace names it (`name#serial`).
    fn task_name(&self, task: TaskId) -> String {
        self.trace.names.describe(TaskRef::Task(task.0))
    }
}

/// `1st`, `2nd`, `3rd`, `4th`… `11th`, `12th`, `13th`, `21st`…
pub(crate) fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::ordinal;

    #[test]
    fn ordinals_read_as_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal).into();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th"]
        );
    }
}
