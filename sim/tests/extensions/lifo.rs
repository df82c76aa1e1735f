//! A run order of our own: the last task made runnable runs first, one at a time (no batches:
//! unlike embassy's stack, a task woken during a poll can run next).

use fwsim::order::{OrderCx, RunOrder, Runnable, Wake};

#[derive(Default)]
pub struct Lifo(Vec<Runnable>);

impl RunOrder for Lifo {
    fn push(&mut self, task: Runnable, _wake: Wake, _cx: &mut OrderCx<'_>) {
        self.0.push(task);
    }
    fn prepare(&mut self, _cx: &mut OrderCx<'_>) -> usize {
        self.0.len()
    }
    fn candidate(&self, i: usize) -> Runnable {
        self.0[self.0.len() - 1 - i]
    }
    fn take(&mut self, i: usize) -> Runnable {
        self.0.remove(self.0.len() - 1 - i)
    }
}
