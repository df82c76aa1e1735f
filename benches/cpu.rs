//! Which CPU a figure was measured on: ratios between peers move with it (Intel and AMD so
//! far), so every benchmark that prints a ratio prints this first.

/// The CPU's name, family and model from `/proc/cpuinfo` (Linux), and the cores available
/// to this process (a pinned run sees one).
pub fn describe() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |key: &str| {
        info.lines()
            .find(|l| l.split(':').next().is_some_and(|k| k.trim() == key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    match (field("model name"), field("cpu family"), field("model")) {
        (Some(name), Some(family), Some(model)) => format!("{name} (family {family}, model {model}), {cores} cores"),
        _ => format!("unknown, {cores} cores"),
    }
}
