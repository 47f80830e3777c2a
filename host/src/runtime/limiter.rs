//! What one call's instance may grow to: its linear memory up to the cap, its tables to a
//! bound no honest plugin reaches. It remembers whether the cap is what stopped a call, so
//! that the error can say so.

use wasmtime::ResourceLimiter;

pub struct Limiter {
    pub max_memory_bytes: usize,
    /// Set when a memory asked to grow past the cap.
    pub exceeded: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory_bytes {
            self.exceeded = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables hold function references; a million is far past any honest plugin.
        Ok(desired <= 1_000_000)
    }
}
