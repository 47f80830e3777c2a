//! How a model's token vectors become one vector per text. Models say so the way
//! sentence-transformers lays out a model folder: `1_Pooling/config.json` with
//! `pooling_mode_cls_token` or `pooling_mode_mean_tokens`. all-MiniLM-L6-v2 takes the mean
//! (its folder has no such file: the mean is the default); bge-small-en-v1.5 takes the first
//! token's vector ([CLS]), as it was trained.

use std::path::Path;

use candle_core::{DType, IndexOp, Tensor};

/// The sentence-transformers file that names a model's pooling, inside its folder.
pub const POOLING_FILE: &str = "1_Pooling/config.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pooling {
    /// The mean of the token vectors the attention mask keeps.
    Mean,
    /// The vector of the first token, [CLS].
    Cls,
}

#[derive(serde::Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
}

impl Pooling {
    /// The pooling `dir`'s model asks for: [`Pooling::Mean`] when it does not say. `Err` when
    /// the file is there but unreadable, or asks for a pooling not built here.
    pub fn of(dir: &Path) -> Result<Pooling, String> {
        let path = dir.join(POOLING_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Pooling::Mean),
            Err(error) => return Err(format!("{POOLING_FILE}: {error}")),
        };
        let config: PoolingConfig =
            serde_json::from_str(&text).map_err(|e| format!("{POOLING_FILE}: {e}"))?;
        match (config.pooling_mode_cls_token, config.pooling_mode_mean_tokens) {
            (true, false) => Ok(Pooling::Cls),
            (false, true) => Ok(Pooling::Mean),
            _ => Err(format!(
                "{POOLING_FILE}: exactly one of pooling_mode_cls_token and \
                 pooling_mode_mean_tokens must be true (no other pooling is built in)"
            )),
        }
    }

    /// One unit vector per row of `hidden` (batch × tokens × dimensions).
    pub fn pool(self, hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Vec<Vec<f32>>> {
        let pooled = match self {
            Pooling::Cls => hidden.i((.., 0))?,
            Pooling::Mean => {
                let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
                let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
                let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
                summed.broadcast_div(&counts)?
            }
        };
        let norms = pooled.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        pooled.broadcast_div(&norms)?.to_vec2()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn the_folder_names_the_pooling_and_the_mean_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Pooling::of(dir.path()), Ok(Pooling::Mean));
        std::fs::create_dir(dir.path().join("1_Pooling")).unwrap();
        let write = |text: &str| std::fs::write(dir.path().join(POOLING_FILE), text).unwrap();
        write(r#"{"word_embedding_dimension": 384, "pooling_mode_cls_token": true}"#);
        assert_eq!(Pooling::of(dir.path()), Ok(Pooling::Cls));
        write(r#"{"pooling_mode_mean_tokens": true, "pooling_mode_cls_token": false}"#);
        assert_eq!(Pooling::of(dir.path()), Ok(Pooling::Mean));
        write(r#"{"pooling_mode_max_tokens": true}"#);
        assert!(Pooling::of(dir.path()).unwrap_err().contains("exactly one"));
        write("not json");
        assert!(Pooling::of(dir.path()).unwrap_err().starts_with(POOLING_FILE));
    }

    #[test]
    fn cls_takes_the_first_token_and_mean_skips_the_padding() {
        // One text of two tokens and a padding token: [3,4], [0,0], [9,9].
        let hidden = Tensor::new(&[[[3f32, 4.], [0., 0.], [9., 9.]]], &Device::Cpu).unwrap();
        let mask = Tensor::new(&[[1u32, 1, 0]], &Device::Cpu).unwrap();
        assert_eq!(Pooling::Cls.pool(&hidden, &mask).unwrap(), vec![vec![0.6, 0.8]]);
        // Mean of [3,4] and [0,0] is [1.5,2], the padding's [9,9] left out.
        assert_eq!(Pooling::Mean.pool(&hidden, &mask).unwrap(), vec![vec![0.6, 0.8]]);
    }
}
