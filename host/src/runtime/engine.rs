//! The wasmtime engine: component model with async, the pooling allocator, epoch
//! interruption driven by a ticker thread, the compile cache, and the one linker every
//! plugin is pre-linked with.

use std::path::PathBuf;

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{InstanceAllocationStrategy, PoolingAllocationConfig};

use super::call::CallState;
use super::compile_cache::{CacheOutcome, CompileCache};
use super::epoch::start_ticker;
use crate::core::Limits;
use crate::wit::latest::dcmaid::bot;

pub struct Engine {
    inner: wasmtime::Engine,
    linker: Linker<CallState>,
    cache: Option<CompileCache>,
}

/// Memory per pooled slot kept resident between calls.
const KEEP_RESIDENT_BYTES: usize = 4 << 20;

impl Engine {
    /// An engine sized for `limits`, caching compiled components in `cache_dir` (none: no
    /// cache).
    pub fn new(limits: &Limits, cache_dir: Option<PathBuf>) -> wasmtime::Result<Engine> {
        let mut pool = PoolingAllocationConfig::new();
        // Every lane's calls at once (see `crate::budget::Lanes`); a component may have a
        // few memories (its adapters'), all counted against the call's cap.
        let slots = limits.total_calls();
        pool.total_component_instances(slots)
            .total_memories(slots * 2)
            .total_tables(slots * 4)
            .total_stacks(slots)
            .total_core_instances(slots * 8)
            .max_memory_size(limits.memory_bytes())
            // Reset a reused slot's memory with memset rather than madvise, so that the next
            // call does not page-fault its way back in: calls are short and reuse is constant.
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(KEEP_RESIDENT_BYTES / 16)
            // Only the pages a call touched need resetting (Linux 6.7+; ignored elsewhere).
            .pagemap_scan(wasmtime::Enabled::Auto);

        let mut config = wasmtime::Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let inner = wasmtime::Engine::new(&config)?;

        let mut linker = Linker::new(&inner);
        // WASI with nothing granted (no files, no environment, no sockets): the clocks,
        // random numbers and a captured stderr.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        // `types` has no functions, but components import it for its types.
        bot::types::add_to_linker::<_, HasSelf<CallState>>(&mut linker, |state| state)?;
        crate::capabilities::add_to_linker(&mut linker)?;
        // Plugins built against an older version of `dcmaid:bot` link against its
        // interfaces, which convert to the newest version's.
        crate::wit::v0_1::add_to_linker(&mut linker)?;

        start_ticker(inner.weak())?;
        let cache = cache_dir.map(|dir| CompileCache::new(dir, &inner));
        Ok(Engine { inner, linker, cache })
    }

    /// Compile `bytes` into a component, through the cache when there is one.
    pub fn compile(&self, bytes: &[u8]) -> wasmtime::Result<Component> {
        self.compile_reporting(bytes).map(|(component, _)| component)
    }

    /// Like [`Engine::compile`], and say whether the cache had it.
    pub fn compile_reporting(&self, bytes: &[u8]) -> wasmtime::Result<(Component, CacheOutcome)> {
        match &self.cache {
            Some(cache) => cache.load_or_compile(&self.inner, bytes),
            None => Ok((Component::new(&self.inner, bytes)?, CacheOutcome::Miss)),
        }
    }

    pub fn linker(&self) -> &Linker<CallState> {
        &self.linker
    }
}
