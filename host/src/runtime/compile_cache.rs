//! Compiled components on disk, keyed by the component's content hash and the engine's
//! compatibility hash (wasmtime version and every setting that changes code generation), so
//! a second start skips Cranelift and an upgraded host never loads stale code.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

/// Whether a component came from the cache or had to be compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    Hit,
    Miss,
}

pub struct CompileCache {
    dir: PathBuf,
    engine_key: String,
}

impl CompileCache {
    pub fn new(dir: PathBuf, engine: &wasmtime::Engine) -> CompileCache {
        let mut hasher = std::hash::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        CompileCache { dir, engine_key: format!("{:016x}", hasher.finish()) }
    }

    /// The component for `bytes`, from the cache when possible. A cache that cannot be read
    /// or written (a full disk, say) costs a compile, never the load.
    pub fn load_or_compile(
        &self,
        engine: &wasmtime::Engine,
        bytes: &[u8],
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let path = self.path_for(bytes);
        if path.is_file() {
            // SAFETY: the file was written by `Component::serialize` of an engine with the
            // same compatibility hash (it is in the name), into a directory that belongs to
            // this host. wasmtime still checks its header and rejects a mismatched file.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, CacheOutcome::Hit)),
                Err(error) => {
                    tracing::warn!(path = %path.display(), "ignoring unusable compile cache entry: {error:#}");
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(error) = self.store(&path, &component) {
            tracing::warn!(path = %path.display(), "cannot write the compile cache: {error:#}");
        }
        Ok((component, CacheOutcome::Miss))
    }

    fn path_for(&self, bytes: &[u8]) -> PathBuf {
        let digest = hex::encode(Sha256::digest(bytes));
        self.dir.join(format!("{digest}-{}.cwasm", self.engine_key))
    }

    /// Write through a temporary file and a rename, so a reader never sees half a file.
    fn store(&self, path: &Path, component: &Component) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let serialized = component.serialize()?;
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&temporary, serialized)?;
        std::fs::rename(&temporary, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })?;
        Ok(())
    }
}
