//! The best `limit` of a stream of scored documents, in O(n log limit) time and O(limit) space.
//!
//! A hand-rolled binary heap rather than `std::collections::BinaryHeap` because ties must be
//! broken by the documents' ids (for deterministic results), and ids live in the index, not in
//! the heap's items: the order needs context that `Ord` cannot carry.

use std::cmp::Ordering;

/// A scored document: higher scores are better.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    pub score: f32,
    pub doc: u32,
}

/// Keeps the best `limit` documents seen; `ties` orders two documents of equal score
/// (`Less` = the first is better).
pub struct TopK<F> {
    limit: usize,
    /// A heap with the worst kept document at the root, so a newcomer is compared with it once.
    heap: Vec<Scored>,
    ties: F,
}

impl<F: Fn(u32, u32) -> Ordering> TopK<F> {
    pub fn new(limit: usize, ties: F) -> Self {
        TopK { limit, heap: Vec::with_capacity(limit.min(4096)), ties }
    }

    /// `Less` when `a` is better than `b`.
    fn order(&self, a: Scored, b: Scored) -> Ordering {
        b.score.total_cmp(&a.score).then_with(|| (self.ties)(a.doc, b.doc))
    }

    pub fn push(&mut self, score: f32, doc: u32) {
        let item = Scored { score, doc };
        if self.heap.len() < self.limit {
            self.heap.push(item);
            self.sift_up(self.heap.len() - 1);
        } else if let Some(&worst) = self.heap.first()
            && self.order(item, worst) == Ordering::Less
        {
            self.heap[0] = item;
            self.sift_down(0);
        }
    }

    /// The kept documents, best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        let TopK { mut heap, ties, .. } = self;
        heap.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then_with(|| ties(a.doc, b.doc)));
        heap
    }

    /// Whether the item at `a` should sit above (be worse than) the one at `b`.
    fn worse(&self, a: usize, b: usize) -> bool {
        self.order(self.heap[a], self.heap[b]) == Ordering::Greater
    }

    fn sift_up(&mut self, mut at: usize) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if !self.worse(at, parent) {
                break;
            }
            self.heap.swap(at, parent);
            at = parent;
        }
    }

    fn sift_down(&mut self, mut at: usize) {
        loop {
            let left = 2 * at + 1;
            if left >= self.heap.len() {
                break;
            }
            let right = left + 1;
            let child =
                if right < self.heap.len() && self.worse(right, left) { right } else { left };
            if !self.worse(child, at) {
                break;
            }
            self.heap.swap(at, child);
            at = child;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(limit: usize, items: &[(f32, u32)]) -> Vec<(f32, u32)> {
        let mut topk = TopK::new(limit, |a: u32, b: u32| a.cmp(&b));
        for &(score, doc) in items {
            topk.push(score, doc);
        }
        topk.into_sorted().into_iter().map(|s| (s.score, s.doc)).collect()
    }

    #[test]
    fn keeps_the_best_in_order() {
        let items: Vec<(f32, u32)> = (0..100).map(|n| (((n * 37) % 100) as f32, n)).collect();
        let best = top(5, &items);
        assert_eq!(best.iter().map(|b| b.0).collect::<Vec<_>>(), [99.0, 98.0, 97.0, 96.0, 95.0]);
    }

    #[test]
    fn breaks_ties_by_document_order() {
        assert_eq!(top(2, &[(1.0, 9), (1.0, 3), (1.0, 5), (0.5, 1)]), [(1.0, 3), (1.0, 5)]);
        assert_eq!(top(3, &[(1.0, 9), (2.0, 7), (1.0, 3)]), [(2.0, 7), (1.0, 3), (1.0, 9)]);
    }

    #[test]
    fn limit_zero_keeps_nothing() {
        assert!(top(0, &[(1.0, 1)]).is_empty());
    }
}
