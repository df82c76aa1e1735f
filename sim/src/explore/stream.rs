//! The byte-stream explorer: a schedule as input bytes, for proptest and libFuzzer.

use super::{ChoicePoint, Diverged, Explorer};

/// Answers choice point `i` with byte `i` of a stream (modulo the number of options), and the
/// run order's own choice once the stream ends. Every execution reads the stream from the
/// start.
///
/// The encoding is what makes input-driven search work: an empty or all-zero stream is the
/// run order's own schedule, so a fuzzer's or proptest's shrinking — shorter inputs, smaller
/// bytes — moves toward the default order; and any byte string is a valid schedule, so
/// coverage-guided mutation never produces an invalid one.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    bytes: Vec<u8>,
    next: usize,
}

impl Stream {
    /// A stream over `bytes`.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Stream { bytes: bytes.into(), next: 0 }
    }
}

impl Explorer for Stream {
    fn begin_execution(&mut self) {
        self.next = 0;
    }

    fn choose(&mut self, point: &ChoicePoint<'_>) -> Result<usize, Diverged> {
        let byte = self.bytes.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        Ok(byte as usize % point.options())
    }
}
