//! Watching a serial port's output for a pattern as it arrives, without rescanning it all.

use fwsim_hw::uart::UartPeer;

use crate::scenario::Pattern;

/// The unmatched output of a port from an absolute byte index on, and where a pattern ends
/// in it.
pub(crate) struct Watch<'a> {
    peer: &'a UartPeer,
    pattern: &'a Pattern,
    /// Absolute index of `tail[0]`.
    start: u64,
    tail: Vec<u8>,
    /// Absolute end (exclusive) of the first match.
    found: Option<u64>,
}

impl<'a> Watch<'a> {
    /// Watches `peer` for `pattern` in the bytes from absolute index `from` on.
    pub(crate) fn new(peer: &'a UartPeer, pattern: &'a Pattern, from: u64) -> Self {
        Watch { peer, pattern, start: from, tail: Vec::new(), found: None }
    }

    /// Takes the bytes that arrived since the last call; the absolute end of the first match.
    pub(crate) fn poll(&mut self) -> Option<u64> {
        if self.found.is_some() {
            return self.found;
        }
        let have = self.start + self.tail.len() as u64;
        if self.peer.received_count() == have {
            return None;
        }
        let new = self.peer.received_since(have);
        // Bytes the peer no longer keeps (past its limit) are skipped.
        let first = self.peer.received_count() - new.len() as u64;
        if first > have {
            self.tail.clear();
            self.start = first;
        }
        let old_len = self.tail.len();
        self.tail.extend(new.iter().map(|(_, b)| *b));
        let end = match self.pattern {
            Pattern::Text(t) => {
                // Only where the new bytes can complete a match.
                let from = old_len.saturating_sub(t.len().saturating_sub(1));
                find_text(&self.tail[from..], t.as_bytes()).map(|e| from + e)
            }
            Pattern::Regex(r) => r.find(&self.tail).map(|m| m.end()),
        };
        self.found = end.map(|e| self.start + e as u64);
        self.found
    }

    /// The last `n` characters not matched, for messages.
    pub(crate) fn tail_text(&self, n: usize) -> String {
        let text = String::from_utf8_lossy(&self.tail);
        let chars: Vec<char> = text.chars().collect();
        chars[chars.len().saturating_sub(n)..].iter().collect()
    }
}

/// The end of the first occurrence of `needle` in `hay`.
pub(crate) fn find_text(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle).map(|p| p + needle.len())
}
