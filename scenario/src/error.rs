//! Errors in scenario files: `file:line:col: what was wrong; what was expected`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A scenario file that cannot run, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 when the file could not be read at all).
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What was wrong and what was expected.
    pub message: String,
    /// The lines around the place, with a caret, when known.
    pub snippet: Option<String>,
}

impl InputError {
    /// An error at `line:col` of `path`.
    pub fn at(path: &Path, line: u32, col: u32, message: impl Into<String>) -> Self {
        InputError { path: path.to_path_buf(), line, col, message: message.into(), snippet: None }
    }

    /// An error about the file as a whole (it cannot be read).
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        InputError::at(path, 0, 0, message)
    }

    /// With the source lines around the place, and a caret under the column.
    pub fn with_source(mut self, source: &str) -> Self {
        if self.line == 0 {
            return self;
        }
        let line = self.line as usize;
        let mut out = String::new();
        for (n, text) in source.lines().enumerate().map(|(i, t)| (i + 1, t)) {
            if n + 2 >= line && n <= line {
                out.push_str(&format!("{n:>4} | {text}\n"));
                if n == line {
                    out.push_str(&format!("     | {}^\n", " ".repeat(self.col.saturating_sub(1) as usize)));
                }
            }
        }
        self.snippet = (!out.is_empty()).then_some(out);
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.path.display(), self.line, self.col, self.message)
        }
    }
}

impl std::error::Error for InputError {}

/// The closest of `candidates` to `name`, if close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "; did you mean `x`?" or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(name, candidates).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
}

/// serde_json's message without the " at line L column C" it ends with: an `InputError` (or
/// a `file:line:col:` prefix) says where already.
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    message.strip_suffix(&position).map_or(message.clone(), str::to_owned)
}

/// serde-saphyr's error as `file:line:col: message`, with a suggestion for a misspelt key
/// and, for a value of the wrong shape, how its key is written (`source` is the file's text).
pub(crate) fn yaml_error(path: &Path, source: &str, e: &serde_saphyr::Error) -> InputError {
    let (line, col) = e.location().map_or((1, 1), |l| (l.line() as u32, l.column() as u32));
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("").trim_start_matches("error: ");
    // "line 3 column 5: unknown field …": the place is ours to print.
    let message = match first.split_once(": ") {
        Some((place, rest)) if place.starts_with("line ") => rest,
        _ => first,
    };
    let mut message = message.to_string();
    for what in ["unknown field `", "unknown variant `"] {
        if let Some(rest) = message.strip_prefix(what)
            && let Some((name, expected)) = rest.split_once('`')
        {
            let candidates: Vec<String> =
                expected.split([',', ' ', '`']).filter(|s| !s.is_empty()).map(String::from).collect();
            let hint = did_you_mean(name, candidates.iter().map(String::as_str).filter(|c| *c != "one" && *c != "of"));
            message.push_str(&hint);
            break;
        }
    }
    if let Some(ty) = message.strip_prefix("invalid ")
        && let Some(expected) = match ty {
            "u8" | "u16" | "u32" | "u64" | "usize" => Some("a whole number (0 or more), such as 7"),
            "i8" | "i16" | "i32" | "i64" => Some("a whole number, such as -3"),
            "f32" | "f64" => Some("a number, such as 21.5"),
            "bool" | "boolean" => Some("true or false"),
            _ => None,
        }
    {
        message = format!("wrong type of value; expected {expected}");
    }
    match message.as_str() {
        "expected mapping start" => message = crate::shape::map_expected(source, line, col),
        "expected sequence start" => message = crate::shape::list_expected(source, line, col),
        crate::format::NO_VALUE => message = crate::shape::no_value(source, line, col),
        "expected string scalar" => message = "expected text here (such as a part's name), not a list or a map".into(),
        _ => {}
    }
    if message.contains("missing field `steps`") {
        message.push_str(" (a scenario is a map with a `steps:` list)");
    }
    InputError::at(path, line, col, message)
}
