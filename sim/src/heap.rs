//! A 4-ary min-heap.
//!
//! Four children per node halve the depth of a binary heap and keep siblings in one cache
//! line for small entries; event queues in discrete-event simulators are the textbook case.
//! Entries are never removed from the middle: the owners mark them stale and skip them when
//! they surface ("lazy deletion"), which keeps every operation `O(log₄ n)` with no index map.

/// A min-heap with four children per node.
#[derive(Debug, Clone)]
pub(crate) struct QuadHeap<T: Ord> {
    items: Vec<T>,
}

impl<T: Ord> Default for QuadHeap<T> {
    fn default() -> Self {
        QuadHeap { items: Vec::new() }
    }
}

impl<T: Ord> QuadHeap<T> {
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.items[i] < self.items[parent] {
                self.items.swap(i, parent);
                i = parent;
            } else {
                break;
            }
        }
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        let len = self.items.len();
        if len == 0 {
            return None;
        }
        self.items.swap(0, len - 1);
        let top = self.items.pop();
        let len = self.items.len();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= len {
                break;
            }
            let last = (first + 4).min(len);
            let mut min = first;
            for c in first + 1..last {
                if self.items[c] < self.items[min] {
                    min = c;
                }
            }
            if self.items[min] < self.items[i] {
                self.items.swap(i, min);
                i = min;
            } else {
                break;
            }
        }
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn pops_in_sorted_order() {
        let mut rng = SimRng::new(3);
        let mut heap = QuadHeap::default();
        let mut reference = Vec::new();
        for round in 0..2_000 {
            if round % 3 == 2 {
                reference.sort();
                let expected = if reference.is_empty() { None } else { Some(reference.remove(0)) };
                assert_eq!(heap.pop(), expected);
            } else {
                let v = rng.below(50);
                heap.push(v);
                reference.push(v);
            }
        }
        assert_eq!(heap.len(), reference.len());
    }
}
