//! Running jobs on worker threads under a hang limit: a job whose thread has spent longer
//! than the limit in one poll (firmware that never gives the CPU back) is given up, a new
//! worker takes the remaining jobs, and once every job has a result the process ends, since
//! the stuck thread can never be joined.
//!
//! The limit is wall time, read from fwsim's watchdog ([`fwsim::long_polls`]): it decides
//! only when to stop waiting, never anything a simulation computes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread::ThreadId;
use std::time::Duration;

use fwsim::LongPoll;

/// What the workers share.
struct Pool<'a, R> {
    job: &'a (dyn Fn(usize) -> R + Sync),
    next: AtomicUsize,
    results: Vec<Mutex<Option<R>>>,
    /// The job each worker is running.
    running: Mutex<Vec<(ThreadId, usize)>>,
}

impl<R: Send> Pool<'_, R> {
    /// Runs jobs until none is left, saying `true` as each ends (`false` if one panics: its
    /// panic ends the batch when the scope joins the thread).
    fn work(&self, done: mpsc::Sender<bool>) {
        struct PanicSays(mpsc::Sender<bool>);
        impl Drop for PanicSays {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    let _ = self.0.send(false);
                }
            }
        }
        let _says = PanicSays(done.clone());
        let me = std::thread::current().id();
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.results.len() {
                break;
            }
            lock(&self.running).push((me, i));
            let result = (self.job)(i);
            lock(&self.running).retain(|&(t, _)| t != me);
            // A job given up keeps the result it was given, even if it ends after all.
            lock(&self.results[i]).get_or_insert(result);
            let _ = done.send(true);
        }
    }

    /// The job on `thread`, unless it has a result already.
    fn unfinished_job_on(&self, thread: ThreadId) -> Option<usize> {
        let i = lock(&self.running).iter().find(|&&(t, _)| t == thread)?.1;
        lock(&self.results[i]).is_none().then_some(i)
    }

    fn all_done(&self) -> bool {
        self.results.iter().all(|r| lock(r).is_some())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How to run a batch: threads, the hang limit, and what a given-up job's result is.
pub struct Supervisor<'a, R> {
    /// Worker threads.
    pub jobs: usize,
    /// How long one poll may run before its job is given up (`None`: wait for ever).
    pub hang_limit: Option<Duration>,
    /// The result of job `i`, given up while stuck in `poll`.
    pub hung: &'a dyn Fn(usize, &LongPoll) -> R,
    /// Called as each job gets its result.
    pub on_result: &'a (dyn Fn() + Sync),
}

impl<R: Send> Supervisor<'_, R> {
    /// Runs `job(i)` for each `i < n`; returns the results in order. If a job was given up,
    /// `finish` gets the results instead and the process exits with the code it returns.
    pub fn run(&self, n: usize, job: &(dyn Fn(usize) -> R + Sync), finish: impl FnOnce(Vec<R>) -> u8) -> Vec<R> {
        let pool = Pool {
            job,
            next: AtomicUsize::new(0),
            results: (0..n).map(|_| Mutex::new(None)).collect(),
            running: Mutex::new(Vec::new()),
        };
        let (done, finished) = mpsc::channel();
        std::thread::scope(|s| {
            let spawn = |done: mpsc::Sender<bool>| {
                // Named `main`: firmware using embassy-sync's ThreadModeRawMutex checks the name.
                std::thread::Builder::new()
                    .name("main".into())
                    .spawn_scoped(s, || pool.work(done))
                    .expect("spawn a worker thread");
            };
            for _ in 0..self.jobs.clamp(1, n.max(1)) {
                spawn(done.clone());
            }
            let (mut given_up, mut panicked) = (0u64, false);
            while !pool.all_done() {
                let said = match self.hang_limit {
                    None => finished.recv().ok(),
                    Some(limit) => finished.recv_timeout(fwsim::hang_look_interval(limit)).ok(),
                };
                match said {
                    Some(true) => (self.on_result)(),
                    Some(false) => {
                        panicked = true;
                        break;
                    }
                    None => {}
                }
                let Some(limit) = self.hang_limit else { continue };
                for poll in fwsim::long_polls(limit) {
                    if let Some(i) = pool.unfinished_job_on(poll.thread) {
                        *lock(&pool.results[i]) = Some((self.hung)(i, &poll));
                        (self.on_result)();
                        given_up += 1;
                        spawn(done.clone());
                    }
                }
            }
            if given_up > 0 && panicked {
                // The scope would report the panic once it has joined every thread, and the
                // stuck one never ends.
                errln!("fwsim: a worker panicked (its message is above) while another was stuck in a poll");
                std::process::exit(101);
            }
            if given_up > 0 {
                let results = pool.results.iter().map(|r| lock(r).take().expect("every job has a result")).collect();
                let code = finish(results);
                errln!(
                    "fwsim: gave up on {} stuck in one poll past the hang limit (a thread cannot be stopped, so the \
                     command exits now)",
                    fwsim_scenario::counted(given_up, "run")
                );
                std::io::Write::flush(&mut std::io::stdout()).ok();
                std::process::exit(code.into());
            }
        });
        pool.results.into_iter().map(|r| r.into_inner().ok().flatten().expect("every job has a result")).collect()
    }
}
