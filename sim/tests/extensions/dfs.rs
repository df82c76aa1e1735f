//! An explorer of our own: bounded-free depth-first search over every schedule, one schedule
//! per execution. Its stack survives from one execution to the next, which is what makes an
//! exhaustive search possible at all.

use fwsim::explore::{ChoicePoint, Diverged, Explorer};

#[derive(Default)]
pub struct Dfs {
    /// Per choice point of the current path: (option taken, options there were).
    stack: Vec<(usize, usize)>,
    position: usize,
    pub executions: u64,
    pub exhausted: bool,
}

impl Explorer for Dfs {
    fn begin_execution(&mut self) {
        self.position = 0;
        self.executions += 1;
    }

    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        let options = point.options();
        let i = self.position;
        self.position += 1;
        match self.stack.get(i) {
            Some(&(taken, recorded)) if recorded == options => Ok(taken),
            Some(&(_, recorded)) => {
                Err(Diverged { choice: point.number, expected_options: recorded as u32, found_options: options as u32 })
            }
            None => {
                self.stack.push((0, options));
                Ok(0)
            }
        }
    }

    fn end_execution(&mut self, _choice_points: u64) {
        self.stack.truncate(self.position);
        while let Some(top) = self.stack.last_mut() {
            if top.0 + 1 < top.1 {
                top.0 += 1;
                return;
            }
            self.stack.pop();
        }
        self.exhausted = true;
    }
}
