use super::*;

impl Core {
    /// Picks the next task to poll, answering the choice point if there is one.
    pub(super) fn pick(&mut self) -> Option<(u32, bool)> {
        if !self.deferred.is_empty() {
            for slot in std::mem::take(&mut self.deferred) {
                let key = self.now_key();
                let exec = self.tasks[slot as usize].exec as usize;
                self.executors[exec].push(slot, key);
            }
        }
        for exec in 0..self.executors.len() {
            loop {
                let n = self.executors[exec].prepare();
                if n == 0 {
                    break;
                }
                let mut idx = 0;
                if n >= 2 {
                    let number = self.choice_no;
                    self.choice_no += 1;
                    if !self.chooser.is_default() {
                        let mut ids = std::mem::take(&mut self.choice_ids);
                        ids.clear();
                        ids.extend((0..n).map(|i| self.serial_of(self.executors[exec].candidate(i))));
                        idx = self.answer(number, Some(&ids), n);
                        self.choice_ids = ids;
                    }
                }
                let slot = self.executors[exec].take(idx);
                if self.tasks[slot as usize].has(DONE) {
                    self.drop_stale_entry(slot);
                    continue;
                }
                let t = &self.tasks[slot as usize];
                return Some((slot, t.has(ABORT)));
            }
        }
        None
    }

    /// A finished task's run-queue entry, left by a task that aborted itself while queued: the
    /// entry is gone, and with it the last thing that kept a detached task's slot. (Its future
    /// box, if any, is dropped when the slot is reused or at shutdown, outside any borrow.)
    #[cold]
    pub(super) fn drop_stale_entry(&mut self, slot: u32) {
        self.tasks[slot as usize].flags &= !QUEUED;
        self.maybe_free(slot);
    }

    /// `pick` for a lean simulation: one executor in embassy order, the default chooser.
    #[inline(always)]
    pub(super) fn pick_lean(&mut self) -> Option<(u32, bool)> {
        loop {
            let slot = lean_queue(&mut self.executors).pop(&mut self.choice_no)?;
            let t = &self.tasks[slot as usize];
            if t.has(DONE) {
                self.drop_stale_entry(slot);
                continue;
            }
            return Some((slot, t.has(ABORT)));
        }
    }

    /// Asks the chooser; records a deviation or a divergence.
    pub(super) fn answer(&mut self, number: u64, ids: Option<&[u32]>, n: usize) -> usize {
        let r = match ids {
            Some(ids) => self.chooser.choose_task(number, ids),
            None => self.chooser.choose_index(number, n),
        };
        match r {
            Ok(0) => 0,
            Ok(i) => {
                self.deviations.push(Deviation { choice: number, alternative: i as u32, options: n as u32 });
                self.rec(Kind::Deviation, i as u32, n as u32, number);
                i
            }
            Err(d) => {
                let at = SimTime(self.now);
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
}

impl Shared {
    pub(crate) fn deviations(&self) -> Vec<Deviation> {
        self.core.borrow().deviations.clone()
    }

    pub(crate) fn choice_points(&self) -> u64 {
        self.core.borrow().choice_no
    }
}
