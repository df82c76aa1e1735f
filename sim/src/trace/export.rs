//! Conversions of records: from a trace file, to JSON lines and to Perfetto.

use std::io::{self, Write};

use super::{Kind, Names, Record, TaskRef};

/// Reads a trace file written with [`TraceConfig::file`](super::TraceConfig::file).
pub fn read_file(path: &std::path::Path) -> io::Result<Vec<Record>> {
    let bytes = std::fs::read(path)?;
    if bytes.len() % 32 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {} bytes is not a whole number of 32-byte records", path.display(), bytes.len()),
        ));
    }
    bytes
        .chunks_exact(32)
        .enumerate()
        .map(|(i, c)| {
            Record::from_bytes(c.try_into().expect("32 bytes")).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: record {i} has an unknown kind", path.display()),
                )
            })
        })
        .collect()
}

/// One JSON object per record, names resolved:
/// `{"t_ns":1000,"kind":"Wake","task":"blink#1","source":"timer","arg":0}`.
pub fn write_json_lines(records: &[Record], names: &Names, mut out: impl Write) -> io::Result<()> {
    for r in records {
        // A deviation's fields are numbers, not tasks: the next poll shows which task it ran.
        let line = if r.kind == Kind::Deviation {
            serde_json::json!({
                "t_ns": r.at,
                "kind": "Deviation",
                "task": null,
                "source": null,
                "arg": r.arg,
                "choice": r.arg,
                "alternative": r.task,
                "options": r.source,
            })
        } else {
            let task = match r.kind {
                Kind::Interrupt => names.describe(r.source_ref()),
                _ => names.describe(r.task_ref()),
            };
            serde_json::json!({
                "t_ns": r.at,
                "kind": format!("{:?}", r.kind),
                "task": task,
                "source": match r.kind {
                    Kind::Mark => names.string(r.source as u64).to_owned(),
                    _ => names.describe(r.source_ref()),
                },
                "arg": r.arg,
            })
        };
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing): one track per task,
/// polls as slices, wakes as flow arrows, busy waits, interrupts and marks as instants.
pub fn write_perfetto(records: &[Record], names: &Names, mut out: impl Write) -> io::Result<()> {
    let mut events = Vec::new();
    let tid = |r: TaskRef| -> u64 {
        match r {
            TaskRef::Task(s) => s as u64 + 10,
            TaskRef::Timer => 1,
            TaskRef::Interrupt(_) => 2,
            TaskRef::Outside => 3,
        }
    };
    let us = |ns: u64| ns as f64 / 1000.0;
    let mut seen_tasks = std::collections::BTreeSet::new();
    let mut deviations_named = false;
    for (i, r) in records.iter().enumerate() {
        let task = r.task_ref();
        if r.kind == Kind::Deviation {
            // On the schedule's own track: its `task` field is an option's index, not a task.
            if !deviations_named {
                deviations_named = true;
                events.push(serde_json::json!({"ph":"M","name":"thread_name","pid":1,"tid":4,
                    "args":{"name":"schedule deviations"}}));
            }
            events.push(serde_json::json!({"ph":"i","s":"t","name":"deviation","pid":1,"tid":4,"ts":us(r.at),
                "args":{"choice":r.arg,"alternative":r.task,"options":r.source}}));
            continue;
        }
        if let TaskRef::Task(s) = task
            && seen_tasks.insert(s)
        {
            events.push(serde_json::json!({"ph":"M","name":"thread_name","pid":1,"tid":tid(task),
                "args":{"name": names.describe(task)}}));
        }
        match r.kind {
            Kind::PollBegin => {
                events.push(serde_json::json!({"ph":"B","name":"poll","pid":1,"tid":tid(task),"ts":us(r.at)}))
            }
            Kind::PollEnd => events.push(serde_json::json!({"ph":"E","pid":1,"tid":tid(task),"ts":us(r.at),
                "args":{"completed": r.arg == 1}})),
            Kind::BusyWait => events.push(serde_json::json!({"ph":"X","name":"busy","pid":1,"tid":tid(task),
                "ts":us(r.at),"dur":us(r.arg.saturating_sub(r.at))})),
            Kind::Wake => {
                let src = r.source_ref();
                events.push(serde_json::json!({"ph":"s","id":i,"name":"wake","cat":"wake","pid":1,"tid":tid(src),"ts":us(r.at)}));
                events.push(serde_json::json!({"ph":"f","bp":"e","id":i,"name":"wake","cat":"wake","pid":1,"tid":tid(task),"ts":us(r.at)}));
            }
            Kind::Mark => events.push(serde_json::json!({"ph":"i","s":"t","name":names.string(r.source as u64),
                "pid":1,"tid":tid(task),"ts":us(r.at),"args":{"value":r.arg}})),
            Kind::Interrupt => events.push(serde_json::json!({"ph":"i","s":"p","name":names.describe(r.source_ref()),
                "pid":1,"tid":2,"ts":us(r.at)})),
            _ => events.push(serde_json::json!({"ph":"i","s":"t","name":format!("{:?}", r.kind),
                "pid":1,"tid":tid(task),"ts":us(r.at),"args":{"source":names.describe(r.source_ref()),"arg":r.arg}})),
        }
    }
    serde_json::to_writer(&mut out, &serde_json::json!({"traceEvents": events, "displayTimeUnit": "ns"}))?;
    out.flush()
}
