//! One call into a plugin: a fresh instance from the pre-linked `InstancePre`, a memory cap,
//! an epoch deadline and a wall-clock timeout. Whatever the guest does, the call ends with a
//! value or a [`CallError`] that names the plugin, never with a crash of the host.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{Instance, ResourceTable};
use wasmtime::{ResourceLimiter, Store, Trap, UpdateDeadline};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::{Plugin, PluginContext};
use crate::bindings::PluginError;
use crate::egress::EgressHooks;
use crate::engine::EPOCH_TICK;
use crate::metrics::CallOutcome;

/// What a guest may print to stderr (a panic message, say) before the rest is dropped; it is
/// only kept to explain a failed call in the log.
const STDERR_CAPACITY: usize = 16 * 1024;

/// The data of one call's `Store`.
pub struct CallState {
    plugin: Arc<PluginContext>,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    egress: EgressHooks,
    table: ResourceTable,
    memory: MemoryCap,
    stderr: MemoryOutputPipe,
}

impl CallState {
    pub fn plugin(&self) -> &PluginContext {
        &self.plugin
    }

    /// A handle to the plugin's context that an async host call can hold across awaits
    /// without borrowing the (not `Sync`) call state.
    pub fn plugin_handle(&self) -> Arc<PluginContext> {
        self.plugin.clone()
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.egress }
    }
}

/// Caps a call's linear memory, and remembers whether the cap was what stopped it.
struct MemoryCap {
    max_bytes: usize,
    exceeded: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
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

/// Why a plugin call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("plugin `{plugin}` returned an error from {call}: {error}")]
    Plugin { plugin: String, call: &'static str, error: PluginError },
    #[error("plugin `{plugin}` trapped in {call}: {reason}")]
    Trap { plugin: String, call: &'static str, reason: String },
    #[error("plugin `{plugin}` ran past its deadline of {limit:?} in {call}")]
    Timeout { plugin: String, call: &'static str, limit: Duration },
    #[error("plugin `{plugin}` went past its memory cap of {limit_mib} MiB in {call}")]
    MemoryCap { plugin: String, call: &'static str, limit_mib: usize },
    #[error("plugin `{plugin}` could not be instantiated for {call}: {reason}")]
    Instantiate { plugin: String, call: &'static str, reason: String },
    #[error("plugin `{plugin}` does not export {call}")]
    NotExported { plugin: String, call: &'static str },
}

impl CallError {
    /// The plugin's own message for the user, when it gave one meant for them.
    pub fn user_message(&self) -> Option<&str> {
        match self {
            CallError::Plugin { error: PluginError::InvalidInput(text), .. } => Some(text),
            _ => None,
        }
    }
}

impl CallError {
    /// The export that was called, e.g. `persona.shape`.
    pub fn call(&self) -> &'static str {
        match self {
            CallError::Plugin { call, .. }
            | CallError::Trap { call, .. }
            | CallError::Timeout { call, .. }
            | CallError::MemoryCap { call, .. }
            | CallError::Instantiate { call, .. }
            | CallError::NotExported { call, .. } => call,
        }
    }

    /// The metric outcome of this failure.
    fn outcome(&self) -> CallOutcome {
        match self {
            CallError::Plugin { .. } => CallOutcome::Error,
            CallError::Trap { .. } => CallOutcome::Trap,
            CallError::Timeout { .. } => CallOutcome::Timeout,
            CallError::MemoryCap { .. } => CallOutcome::MemoryCap,
            CallError::Instantiate { .. } | CallError::NotExported { .. } => {
                CallOutcome::Unavailable
            }
        }
    }
}

/// A store and a fresh instance of `plugin`, ready for one export call.
pub struct Call<'p> {
    plugin: &'p Plugin,
    name: &'static str,
    started: Instant,
    pub store: Store<CallState>,
    pub instance: Instance,
}

impl Plugin {
    /// Instantiate for one call of the export `name` (used in errors, e.g. `persona.shape`).
    pub async fn instantiate(&self, name: &'static str) -> Result<Call<'_>, CallError> {
        let started = Instant::now();
        let limits = &self.limits;
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .wall_clock(self.context.clock.clone())
            .build();
        let state = CallState {
            plugin: self.context.clone(),
            wasi,
            http: WasiHttpCtx::new(),
            egress: EgressHooks(self.context.egress.clone()),
            table: ResourceTable::new(),
            memory: MemoryCap { max_bytes: limits.memory_bytes(), exceeded: false },
            stderr,
        };
        let mut store = Store::new(self.instance_pre.engine(), state);
        store.limiter(|state| &mut state.memory);
        let deadline = Instant::now() + limits.call_timeout();
        store.set_epoch_deadline(1);
        // Yield to the executor on every tick, so a busy guest shares the thread, and trap
        // once the call's time is up.
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= deadline {
                Ok(UpdateDeadline::Interrupt)
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        let instance = match self.instance_pre.instantiate_async(&mut store).await {
            Ok(instance) => instance,
            Err(error) => {
                let error = self.classify(name, &store, error);
                self.metrics.plugin_call(
                    self.name().as_str(),
                    name,
                    error.outcome(),
                    started.elapsed(),
                );
                return Err(error);
            }
        };
        Ok(Call { plugin: self, name, started, store, instance })
    }

    /// Turn a wasmtime error from a call into the [`CallError`] that explains it.
    fn classify(
        &self,
        call: &'static str,
        store: &Store<CallState>,
        error: wasmtime::Error,
    ) -> CallError {
        let plugin = self.name().to_string();
        let state = store.data();
        if state.memory.exceeded {
            return CallError::MemoryCap {
                plugin,
                call,
                limit_mib: self.limits.memory_bytes() >> 20,
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => {
                CallError::Timeout { plugin, call, limit: self.limits.call_timeout() }
            }
            Some(trap) => {
                let stderr = state.stderr.contents();
                let printed = String::from_utf8_lossy(&stderr);
                let printed = printed.trim();
                let reason = if printed.is_empty() {
                    trap.to_string()
                } else {
                    format!("{trap}; it printed: {printed}")
                };
                CallError::Trap { plugin, call, reason }
            }
            None => CallError::Instantiate { plugin, call, reason: format!("{error:#}") },
        }
    }
}

impl Call<'_> {
    /// Run `call` (an export call on this instance) within the wall-clock limit, and turn
    /// every failure into a [`CallError`].
    pub async fn run<T, F>(mut self, call: F) -> Result<T, CallError>
    where
        F: AsyncFnOnce(
            &mut Store<CallState>,
            &Instance,
        ) -> wasmtime::Result<Result<T, PluginError>>,
    {
        let limit = self.plugin.limits.call_timeout();
        // The epoch deadline stops a guest that computes; this stops one whose host calls
        // wait (on storage, say). A little slack lets the epoch trap, which says more, win.
        let outcome =
            tokio::time::timeout(limit + EPOCH_TICK * 5, call(&mut self.store, &self.instance))
                .await;
        let plugin = self.plugin.name().to_string();
        let result = match outcome {
            Err(_elapsed) => Err(CallError::Timeout { plugin, call: self.name, limit }),
            Ok(Err(error)) => Err(self.plugin.classify(self.name, &self.store, error)),
            Ok(Ok(Err(error))) => Err(CallError::Plugin { plugin, call: self.name, error }),
            Ok(Ok(Ok(value))) => Ok(value),
        };
        let outcome = result.as_ref().map_or_else(CallError::outcome, |_| CallOutcome::Ok);
        let took = self.started.elapsed();
        self.plugin.metrics.plugin_call(self.plugin.name().as_str(), self.name, outcome, took);
        result
    }
}
