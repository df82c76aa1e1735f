//! The trace, logs and tracing spans.

use super::*;

#[test]
fn trace_streams_to_a_file_and_converts() {
    let dir = std::env::temp_dir().join(format!("fwsim-trace-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("run.fwtrace");
    let (hash, len) = {
        let trace = fwsim::trace::TraceConfig { file: Some(file.clone()), ..Default::default() };
        let sim = Sim::with_config(SimConfig::new().trace(trace));
        sim.spawn("blink", async {
            for i in 0..3 {
                Timer::after(Duration::from_millis(10)).await;
                fwsim::mark("led", i);
            }
        });
        sim.run_for(ms(50)).unwrap();
        sim.write_trace_json_lines(&dir.join("t.jsonl")).unwrap();
        sim.write_perfetto(&dir.join("t.json")).unwrap();
        (sim.trace_hash(), sim.trace_len())
    };
    let records = fwsim::trace::read_file(&file).unwrap();
    assert_eq!(records.len() as u64, len);
    assert!(hash.is_some());
    let names: fwsim::trace::Names =
        serde_json::from_slice(&std::fs::read(dir.join("run.fwtrace.names.json")).unwrap()).unwrap();
    let marks: Vec<_> =
        records.iter().filter_map(|r| names.mark(r)).map(|m| (m.at.as_nanos(), m.label, m.value)).collect();
    assert_eq!(
        marks,
        vec![(10_000_000, "led".into(), 0), (20_000_000, "led".into(), 1), (30_000_000, "led".into(), 2)]
    );
    let jsonl = std::fs::read_to_string(dir.join("t.jsonl")).unwrap();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["t_ns"].is_u64());
    }
    assert!(jsonl.contains(r#""task":"blink#0""#));
    let perfetto: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("t.json")).unwrap()).unwrap();
    assert!(perfetto["traceEvents"].as_array().unwrap().len() > 10);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tracing_off_records_nothing() {
    let sim = Sim::with_config(SimConfig::new().no_trace());
    sim.spawn("t", async {});
    sim.run_until_stalled().unwrap();
    assert_eq!((sim.trace_hash(), sim.trace_len()), (None, 0));
}

#[test]
fn logs_are_stamped_with_virtual_time_and_task() {
    let stamp = std::cell::RefCell::new(String::new());
    let sim = Sim::with_config(SimConfig::new().start(SimTime::from_millis(1500)));
    sim.spawn("logger", async { *stamp.borrow_mut() = fwsim::logging::stamp() });
    sim.run_until_stalled().unwrap();
    assert_eq!(*stamp.borrow(), "1.500000000s logger#0");
    assert_eq!(fwsim::logging::stamp(), "-");
}

/// Counts the spans named "poll" that a subscriber is asked to create.
struct SpanCounter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl tracing::Subscriber for SpanCounter {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if span.metadata().name() == "poll" {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn poll_spans_only_when_asked_for() {
    for (asked, expected) in [(false, 0), (true, 3)] {
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        tracing::subscriber::with_default(SpanCounter(count.clone()), || {
            let mut cfg = SimConfig::new();
            cfg.poll_spans = asked;
            let sim = Sim::with_config(cfg);
            sim.spawn("t", async {
                fwsim::yield_now().await;
                fwsim::yield_now().await;
            });
            sim.run_until_stalled().unwrap();
        });
        assert_eq!(count.load(std::sync::atomic::Ordering::Relaxed), expected, "poll_spans = {asked}");
    }
}
