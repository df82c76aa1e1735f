//! Choice points: picking the next task to poll from the run queues, and asking the explorer
//! when there is a choice.
//!
//! A choice point is met whenever a run queue offers two or more candidates (or two or more
//! interrupt sources fall due at once, see `events`). Every one is counted; with no explorer
//! the answer is the run order's own candidate 0 and nothing else happens, so the default run
//! records nothing. An explorer's other answers are recorded as deviations: the schedule.

use super::*;

/// Choice points and who answers them.
pub(super) struct Choices {
    /// The explorer, if any.
    pub(super) explorer: ExplorerSlot,
    /// Choice points met so far.
    pub(super) count: u64,
    /// The answers that were not the run order's own.
    pub(super) deviations: Vec<Deviation>,
    /// Scratch: the candidates' ids for the explorer.
    pub(super) ids: Vec<TaskId>,
    /// Where the next choice point is, in terms that survive other deviations (kept only
    /// with an explorer): the last task picked, how often it was, and the choice points since.
    pub(super) anchor: Anchor,
    /// With interrupt jitter: each source's latest arrival, by rank.
    pub(super) last_arrival: BTreeMap<u32, u64>,
    /// The task whose latest poll ended in a yield (it was woken again during that poll and
    /// returned `Pending`), if the latest poll did (kept only in the modes with an explorer).
    pub(super) yielded: Option<TaskId>,
    /// Whether deviations (and the anchors that place them) are recorded. Off only for a fuzz
    /// campaign's random explorer, whose answers depend on nothing but its own state: the
    /// campaign re-runs a failing execution from that state with recording on (see
    /// `fuzz::campaign`), and a passing one needs no schedule.
    pub(super) record: bool,
    /// The deviations in words, in a traced run that records them (see `explain`).
    pub(super) explained: Vec<String>,
}

impl Choices {
    /// No choices met, and no explorer to answer them yet (see [`answer_with`](Self::answer_with)).
    pub(super) fn new() -> Self {
        Choices {
            explorer: ExplorerSlot::None,
            count: 0,
            deviations: Vec::new(),
            ids: Vec::new(),
            anchor: Anchor { after: None, picks: 0, index: 0 },
            last_arrival: BTreeMap::new(),
            yielded: None,
            record: true,
            explained: Vec::new(),
        }
    }

    /// Task `serial` was picked to poll for the `picks`-th time: the next choice point is
    /// anchored after it. (Runs only with an explorer that records, and then at every pick.)
    #[inline]
    fn picked(&mut self, serial: u32, picks: u64) {
        self.anchor = Anchor { after: Some(TaskId(serial)), picks, index: 0 };
    }

    /// The anchor of the choice point being met; the next one at the same place gets the next
    /// index.
    pub(super) fn next_anchor(&mut self) -> Anchor {
        let a = self.anchor;
        self.anchor.index += 1;
        a
    }
}

impl Core {
    /// Picks the next task to poll, answering the choice point if there is one: the first
    /// executor with a runnable task, its order's candidate 0 unless an explorer says
    /// otherwise. `M` must be `Core::mode`'s.
    #[inline(always)]
    pub(super) fn pick<M: Mode>(&mut self) -> Option<(u32, bool)> {
        let executors = if M::SINGLE { 1 } else { self.executors.len() };
        for exec in 0..executors {
            loop {
                let queue = M::queue(&mut self.executors, exec);
                let mut cx = OrderCx { now: self.clock.now, seq: &mut self.clock.seq };
                let slot = if !M::EXPLORES || self.choices.explorer.is_none() {
                    // No explorer: the order's own pick, in one step.
                    let Some((task, choice)) = queue.pop(&mut cx) else { break };
                    self.choices.count += choice as u64;
                    task.0
                } else {
                    let n = queue.prepare(&mut cx);
                    if n == 0 {
                        break;
                    }
                    let mut idx = 0;
                    if n >= 2 {
                        let number = self.choices.count;
                        self.choices.count += 1;
                        idx = self.ask_for_task::<M>(exec, number, n);
                    }
                    let slot = M::queue(&mut self.executors, exec).take(idx).0;
                    if self.choices.record {
                        let t = &mut self.tasks.metas[slot as usize];
                        t.picks = t.picks.saturating_add(1);
                        let (serial, picks) = (t.serial, t.picks as u64);
                        self.choices.picked(serial, picks);
                    }
                    slot
                };
                let t = &self.tasks.metas[slot as usize];
                if t.has(DONE) {
                    self.drop_stale_entry(slot);
                    continue;
                }
                return Some((slot, t.has(ABORT)));
            }
        }
        None
    }

    /// Asks the explorer which of executor `exec`'s `n` candidates runs.
    #[inline]
    fn ask_for_task<M: Mode>(&mut self, exec: usize, number: u64, n: usize) -> usize {
        if let Some(i) = self.choices.explorer.choose_blind(n) {
            // An explorer that needs only the number of options: no candidate list to build.
            if !self.choices.record {
                return i;
            }
            let anchor = self.choices.next_anchor();
            if i != 0 {
                let queue = M::queue(&mut self.executors, exec);
                let (chosen, default) = (queue.candidate(i).0, queue.candidate(0).0);
                let task = TaskId(self.serial_of(chosen));
                self.deviate(number, i, n, anchor, Some(task));
                if self.explaining() {
                    self.explain_task_choice(task, TaskId(self.serial_of(default)), anchor);
                }
            }
            return i;
        }
        let mut ids = std::mem::take(&mut self.choices.ids);
        ids.clear();
        let metas = &self.tasks.metas;
        let queue = M::queue(&mut self.executors, exec);
        for i in 0..n {
            ids.push(TaskId(metas[queue.candidate(i).0 as usize].serial));
        }
        let anchor = self.choices.next_anchor();
        let yielded = self.choices.yielded;
        let idx = self.answer(&ChoicePoint { number, anchor, kind: ChoiceKind::Tasks(&ids), yielded });
        self.choices.ids = ids;
        idx
    }

    /// A finished task's run-queue entry, left by a task that aborted itself while queued: the
    /// entry is gone, and with it the last thing that kept a detached task's slot. (Its future
    /// box, if any, is dropped when the slot is reused or at shutdown, outside any borrow.)
    #[cold]
    pub(super) fn drop_stale_entry(&mut self, slot: u32) {
        self.tasks.metas[slot as usize].flags &= !QUEUED;
        self.maybe_free(slot);
    }

    /// How late a scheduled interrupt arrives, within `max` in `steps` steps: a choice point
    /// (see [`ChoiceKind::Jitter`]); on time with no explorer.
    pub(super) fn jitter(&mut self, max: u64, steps: u32) -> u64 {
        let k = self.interrupt_choice(ChoiceKind::Jitter(steps as usize));
        (max as u128 * k as u128 / (steps as u128 - 1)) as u64
    }

    /// A choice point about interrupts (their order, timing, or where they land in a poll) or
    /// timers expiring together, counted and answered by the explorer; 0 with none.
    pub(super) fn interrupt_choice(&mut self, kind: ChoiceKind<'static>) -> usize {
        let number = self.choices.count;
        self.choices.count += 1;
        if self.choices.explorer.is_none() {
            return 0;
        }
        let anchor = self.choices.next_anchor();
        self.answer(&ChoicePoint { number, anchor, kind, yielded: None })
    }

    /// Asks the explorer; records a deviation or a divergence.
    #[inline(always)]
    pub(super) fn answer(&mut self, point: &ChoicePoint<'_>) -> usize {
        let (number, n) = (point.number, point.options());
        match self.choices.explorer.choose(point) {
            Ok(0) => 0,
            Ok(i) => {
                if let ChoiceKind::Tasks(ids) = point.kind
                    && self.explaining()
                {
                    self.explain_task_choice(ids[i], ids[0], point.anchor);
                }
                let task = match point.kind {
                    ChoiceKind::Tasks(ids) => Some(ids[i]),
                    ChoiceKind::Events(_)
                    | ChoiceKind::Timers(_)
                    | ChoiceKind::Jitter(_)
                    | ChoiceKind::IntoPolls
                    | ChoiceKind::Landing => None,
                };
                self.deviate(number, i, n, point.anchor, task);
                i
            }
            Err(d) => {
                let at = SimTime(self.clock.now);
                self.report(Diagnostic::ReplayDiverged {
                    choice: d.choice,
                    expected_options: d.expected_options,
                    found_options: d.found_options,
                    at,
                });
                0
            }
        }
    }

    /// Records the answer `i` (not the run order's own) to choice point `number` of `n`
    /// options, at `anchor`, that runs `task` if it is a choice of tasks.
    fn deviate(&mut self, number: u64, i: usize, n: usize, anchor: Anchor, task: Option<TaskId>) {
        if !self.choices.record {
            return;
        }
        self.choices.deviations.push(Deviation {
            choice: number,
            alternative: i as u32,
            options: n as u32,
            anchor: Some(anchor),
            task,
        });
        self.rec(Kind::Deviation, i as u32, n as u32, number);
    }
}

impl Choices {
    /// Has the run about to start answered by `lent`, a fuzz campaign's explorer, or else by
    /// the configuration's. (Inlined into the recycle, once per fuzz execution: called, it
    /// costs the move of its arguments.)
    #[inline(always)]
    pub(super) fn answer_with(&mut self, cfg: &SimConfig, lent: Option<Box<crate::explore::LentExplorer>>) {
        match lent {
            Some(lent) => self.lend(lent),
            None => {
                cfg.put_explorer(&mut self.explorer);
                self.explorer.begin();
                self.record = true;
            }
        }
    }

    /// Lends a fuzz campaign's explorer to the run about to start: it answers every choice
    /// point, in place of the configuration's (see `Shared::return_explorer`).
    #[inline]
    fn lend(&mut self, mut explorer: Box<crate::explore::LentExplorer>) {
        assert!(self.count == 0, "fwsim: an explorer is lent before the run starts");
        crate::explore::Explorer::begin_execution(&mut *explorer);
        self.record = explorer.record;
        self.explorer = ExplorerSlot::Lent(explorer);
    }
}

impl Shared {
    /// Ends the run for the lent explorer and hands it back (`None` if none was lent).
    pub(crate) fn return_explorer(&self) -> Option<Box<crate::explore::LentExplorer>> {
        let mut c = self.core.borrow_mut();
        let choice_points = c.choices.count;
        match std::mem::replace(&mut c.choices.explorer, ExplorerSlot::None) {
            ExplorerSlot::Lent(mut e) => {
                crate::explore::Explorer::end_execution(&mut *e, choice_points);
                Some(e)
            }
            other => {
                c.choices.explorer = other;
                None
            }
        }
    }

    pub(crate) fn deviations(&self) -> Vec<Deviation> {
        self.core.borrow().choices.deviations.clone()
    }

    /// The first executor's order, as schedules name it (a custom order: the default).
    pub(crate) fn first_order(&self) -> Order {
        self.core.borrow().executors[0].built_in().unwrap_or_default()
    }

    pub(crate) fn choice_points(&self) -> u64 {
        self.core.borrow().choices.count
    }
}
