//! The vectors of recently embedded texts. A conversational turn embeds its message twice:
//! the memory plugin's `recall` searches with it before the reply and its `remember` stores
//! it after. The local model spends tens of milliseconds of CPU a sentence, and an API call
//! costs money; the second time is answered from here.
//!
//! First in, first out: what matters is the last few turns, not what was popular.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

pub struct RecentEmbeddings {
    kept: Mutex<Kept>,
    /// At most this many texts; 0 keeps none.
    capacity: usize,
}

#[derive(Default)]
struct Kept {
    vectors: HashMap<String, Arc<[f32]>>,
    /// The texts in the order they came, oldest first.
    order: VecDeque<String>,
}

impl RecentEmbeddings {
    pub fn new(capacity: usize) -> Self {
        RecentEmbeddings { kept: Mutex::default(), capacity }
    }

    /// The kept vector of each text, where there is one.
    pub fn look_up(&self, texts: &[String]) -> Vec<Option<Vec<f32>>> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        texts.iter().map(|text| kept.vectors.get(text).map(|vector| vector.to_vec())).collect()
    }

    /// Keep `vectors`, one per text of `texts`, dropping the oldest beyond the capacity.
    pub fn keep(&self, texts: &[String], vectors: &[Vec<f32>]) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        for (text, vector) in texts.iter().zip(vectors) {
            if kept.vectors.insert(text.clone(), vector.as_slice().into()).is_none() {
                kept.order.push_back(text.clone());
            }
        }
        while kept.order.len() > self.capacity {
            if let Some(oldest) = kept.order.pop_front() {
                kept.vectors.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_what_it_kept_and_forgets_the_oldest() {
        const KEPT: usize = 16;
        let recent = RecentEmbeddings::new(KEPT);
        let texts: Vec<String> = (0..=KEPT).map(|n| format!("text {n}")).collect();
        let vectors: Vec<Vec<f32>> = (0..=KEPT).map(|n| vec![n as f32, 1.0]).collect();
        recent.keep(&texts[..2], &vectors[..2]);
        let asked = [texts[1].clone(), "unseen".to_owned()];
        assert_eq!(recent.look_up(&asked), [Some(vec![1.0, 1.0]), None]);
        // Kept again: still one entry, not two.
        recent.keep(&texts[..1], &vectors[..1]);
        recent.keep(&texts[2..], &vectors[2..]);
        let ends = [texts[0].clone(), texts[1].clone(), texts[KEPT].clone()];
        assert_eq!(
            recent.look_up(&ends),
            [None, Some(vec![1.0, 1.0]), Some(vec![KEPT as f32, 1.0])]
        );
    }

    #[test]
    fn a_capacity_of_zero_keeps_nothing() {
        let recent = RecentEmbeddings::new(0);
        let texts = ["a".to_owned()];
        recent.keep(&texts, &[vec![1.0]]);
        assert_eq!(recent.look_up(&texts), [None]);
    }
}
