//! A BERT-family sentence embedding model on the CPU with candle (all-MiniLM-L6-v2 by
//! default, bge-small-en-v1.5 as a choice): WordPiece tokens in, one unit vector per text out,
//! pooled as the model's folder says ([`Pooling`]), as sentence-transformers does.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::{DType, Device, Tensor};

use super::pooling::Pooling;
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// The files a model folder must hold.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// The model reads at most this many tokens of a text (its training length); the rest is cut.
const MAX_TOKENS: usize = 256;
/// Texts embedded in one forward pass.
const BATCH: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum LocalModelError {
    #[error("the embedding model folder {dir} lacks {file}")]
    Missing { dir: PathBuf, file: &'static str },
    #[error("cannot load the embedding model from {dir}: {reason}")]
    Load { dir: PathBuf, reason: String },
    #[error("embedding failed: {0}")]
    Run(String),
}

/// The loaded model; cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct LocalModel {
    inner: Arc<Loaded>,
}

struct Loaded {
    model: BertModel,
    tokenizer: Tokenizer,
    pooling: Pooling,
    dimensions: usize,
}

fn run_error(error: impl std::fmt::Display) -> LocalModelError {
    LocalModelError::Run(error.to_string())
}

impl LocalModel {
    /// Load the model in `dir` (`config.json`, `tokenizer.json`, `model.safetensors`).
    pub fn load(dir: &Path) -> Result<LocalModel, LocalModelError> {
        for file in MODEL_FILES {
            if !dir.join(file).is_file() {
                return Err(LocalModelError::Missing { dir: dir.to_owned(), file });
            }
        }
        let load_error = |reason: String| LocalModelError::Load { dir: dir.to_owned(), reason };
        let config = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| load_error(e.to_string()))?;
        let config: Config =
            serde_json::from_str(&config).map_err(|e| load_error(format!("config.json: {e}")))?;
        let pooling = Pooling::of(dir).map_err(load_error)?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| load_error(format!("tokenizer.json: {e}")))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| load_error(format!("tokenizer.json: {e}")))?;
        // SAFETY: the file is memory-mapped read-only; the model folder is the operator's and
        // is not rewritten while the bot runs (a new model means a restart).
        let weights = unsafe {
            VarBuilder::from_mmaped_safetensors(
                &[dir.join("model.safetensors")],
                DType::F32,
                &Device::Cpu,
            )
        }
        .map_err(|e| load_error(format!("model.safetensors: {e}")))?;
        let dimensions = config.hidden_size;
        let model = BertModel::load(weights, &config)
            .map_err(|e| load_error(format!("model.safetensors: {e}")))?;
        Ok(LocalModel { inner: Arc::new(Loaded { model, tokenizer, pooling, dimensions }) })
    }

    /// How many numbers each vector has (384 for all-MiniLM-L6-v2 and bge-small-en-v1.5).
    pub fn dimensions(&self) -> usize {
        self.inner.dimensions
    }

    /// One unit vector per text, in order. CPU-bound: call it off the async runtime.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, LocalModelError> {
        self.embed_unless(texts, &AtomicBool::new(false))
    }

    /// [`LocalModel::embed`], stopped between batches once `cancelled` is set (whoever
    /// asked gave up waiting).
    pub fn embed_unless(
        &self,
        texts: &[String],
        cancelled: &AtomicBool,
    ) -> Result<Vec<Vec<f32>>, LocalModelError> {
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            if cancelled.load(Ordering::Relaxed) {
                return Err(LocalModelError::Run("cancelled: the caller stopped waiting".into()));
            }
            vectors.extend(self.inner.embed_batch(batch)?);
        }
        Ok(vectors)
    }
}

impl Loaded {
    fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, LocalModelError> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(run_error)?;
        let rows = |pick: fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor, LocalModelError> {
            let rows = encodings
                .iter()
                .map(|encoding| Tensor::new(pick(encoding), &Device::Cpu))
                .collect::<Result<Vec<_>, _>>()
                .map_err(run_error)?;
            Tensor::stack(&rows, 0).map_err(run_error)
        };
        let ids = rows(|e| e.get_ids())?;
        let types = rows(|e| e.get_type_ids())?;
        let mask = rows(|e| e.get_attention_mask())?;
        let hidden = self.model.forward(&ids, &types, Some(&mask)).map_err(run_error)?;
        self.pooling.pool(&hidden, &mask).map_err(run_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// Needs the model (`scripts/fetch-model.sh`; `scripts/test.sh` installs it).
    #[test]
    fn similar_sentences_embed_near_and_unrelated_ones_far() {
        let dir = std::env::var_os("DCMAID_MODEL_DIR").expect("DCMAID_MODEL_DIR names the model");
        let model = LocalModel::load(Path::new(&dir)).unwrap();
        let texts = [
            "what's my pup's name?",
            "My beagle is called Biscuit",
            "I work as a nurse at the children's hospital",
        ]
        .map(str::to_owned);
        let vectors = model.embed(&texts).unwrap();
        assert_eq!(vectors.len(), 3);
        assert!(vectors.iter().all(|v| v.len() == 384));
        for vector in &vectors {
            assert!((cosine(vector, vector) - 1.0).abs() < 1e-4, "unit length");
        }
        let dog = cosine(&vectors[0], &vectors[1]);
        let nurse = cosine(&vectors[0], &vectors[2]);
        eprintln!("dog {dog} nurse {nurse}");
        assert!(dog > nurse + 0.1, "dog {dog}, nurse {nurse}");
        // Batching does not change a text's vector.
        let alone = model.embed(&texts[..1]).unwrap();
        assert!((cosine(&alone[0], &vectors[0]) - 1.0).abs() < 1e-4);
    }
}
