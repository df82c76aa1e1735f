//! What a simulation has recorded: diagnostics, the tasks still waiting, the trace, the
//! schedule.

use std::path::Path;

use crate::diag::{Diagnostic, Severity, WaitReport};
use crate::policy::Schedule;
use crate::sim::Sim;
use crate::trace::{self, Names, Record};

impl Sim<'_> {
    /// Writes the artifacts others added ([`SimHandle::add_artifact`](crate::SimHandle::add_artifact))
    /// into `dir`, and returns the names of those that failed, with why.
    pub fn write_added_artifacts(&self, dir: &Path) -> Vec<(String, std::io::Error)> {
        let writers = self.shared.artifact_writers.borrow();
        writers.iter().filter_map(|(name, write)| write(dir).err().map(|e| (name.clone(), e))).collect()
    }

    /// Every diagnostic recorded so far.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.shared.core.borrow().findings.diags.clone()
    }

    /// The error-level diagnostics recorded so far.
    pub fn errors(&self) -> Vec<Diagnostic> {
        self.shared.core.borrow().findings.diags.iter().filter(|d| d.severity() == Severity::Error).cloned().collect()
    }

    /// Removes and returns the diagnostics recorded so far (for tests that expect some:
    /// [`fwsim::test`](fn@crate::test) fails on error-level diagnostics left at the end).
    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.shared.core.borrow_mut().findings.diags)
    }

    /// How many polls the watchdog has reported hung (readable from inside the hung poll).
    pub fn watchdog_reports(&self) -> usize {
        self.shared.inbox.run.hung_polls(self.shared.tag)
    }

    /// Tasks that have not finished, and what they wait for.
    pub fn wait_report(&self) -> WaitReport {
        self.shared.wait_report(false)
    }

    /// How many tasks have not finished.
    pub fn live_tasks(&self) -> usize {
        self.shared.live_tasks()
    }

    /// The determinism fingerprint: a hash of every trace record so far (`None` when tracing
    /// is off). Same program, configuration and seed give the same hash.
    pub fn trace_hash(&self) -> Option<u64> {
        self.shared.core.borrow().trace.hash()
    }

    /// How many trace records were made.
    pub fn trace_len(&self) -> u64 {
        self.shared.core.borrow().trace.count()
    }

    /// The trace: every record when [`TraceConfig::keep_all`](crate::trace::TraceConfig) is
    /// set, otherwise the latest ones (the ring).
    pub fn trace_records(&self) -> Vec<Record> {
        let c = self.shared.core.borrow();
        c.trace.all().map_or_else(|| c.trace.recent(), <[Record]>::to_vec)
    }

    /// The [`mark`](crate::mark)s in [`trace_records`](Self::trace_records), in order, with
    /// their labels and tasks by name.
    ///
    /// ```
    /// use fwsim::{Sim, SimTime};
    ///
    /// let sim = Sim::new();
    /// sim.spawn("blink", async {
    ///     for n in 0..2 {
    ///         embassy_time::Timer::after_millis(10).await;
    ///         fwsim::mark("led", n);
    ///     }
    /// });
    /// sim.run_for(fwsim::ms(100)).unwrap();
    /// let marks: Vec<_> = sim.marks().into_iter().map(|m| (m.at, m.by, m.label, m.value)).collect();
    /// assert_eq!(
    ///     marks,
    ///     [(SimTime::from_millis(10), "blink#0".into(), "led".into(), 0), (SimTime::from_millis(20), "blink#0".into(), "led".into(), 1)]
    /// );
    /// ```
    pub fn marks(&self) -> Vec<trace::Mark> {
        let names = self.trace_names();
        self.trace_records().iter().filter_map(|r| names.mark(r)).collect()
    }

    /// The names the trace records refer to.
    pub fn trace_names(&self) -> Names {
        self.shared.core.borrow().trace.names.clone()
    }

    /// Writes [`trace_records`](Self::trace_records) as JSON lines.
    pub fn write_trace_json_lines(&self, path: &Path) -> std::io::Result<()> {
        let f = std::io::BufWriter::new(std::fs::File::create(path)?);
        trace::write_json_lines(&self.trace_records(), &self.trace_names(), f)
    }

    /// Writes [`trace_records`](Self::trace_records) as Chrome/Perfetto JSON.
    pub fn write_perfetto(&self, path: &Path) -> std::io::Result<()> {
        let f = std::io::BufWriter::new(std::fs::File::create(path)?);
        trace::write_perfetto(&self.trace_records(), &self.trace_names(), f)
    }

    /// The run's schedule so far: its order and the deviations its chooser made. Replaying it
    /// with [`Policy::Replay`](crate::Policy::Replay) reproduces the run.
    pub fn schedule(&self) -> Schedule {
        Schedule { order: self.shared.first_order(), deviations: self.shared.deviations() }
    }

    /// The run's deviations so far in words, one line each: what ran before what, which
    /// interrupt arrived late or out of turn, which timer fired first. Only a traced run
    /// explains them (the trace names the tasks), at most 64; a fuzz campaign's report
    /// shows the shrunk run's.
    ///
    /// ```
    /// use fwsim::{Policy, SimConfig};
    /// // Two tasks that yield once each; the chooser picks at random at each turn.
    /// let sim = fwsim::Sim::with_config(SimConfig::new().policy(Policy::Random { seed: 3 }));
    /// for name in ["a", "b"] {
    ///     sim.spawn(name, async { fwsim::yield_now().await });
    /// }
    /// sim.run_until_stalled().unwrap();
    /// let explained = sim.deviations_explained();
    /// assert!(!explained.is_empty(), "this seed deviates");
    /// assert_eq!(explained.len(), sim.schedule().deviations.len());
    /// for line in &explained {
    ///     assert!(line.contains(" ran before "), "{line}");
    /// }
    /// ```
    pub fn deviations_explained(&self) -> Vec<String> {
        self.shared.core.borrow().choices_explained().to_vec()
    }

    /// How many choice points the run has met.
    pub fn choice_points(&self) -> u64 {
        self.shared.choice_points()
    }
}
