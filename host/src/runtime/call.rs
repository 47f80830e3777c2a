//! One call into a plugin: admitted by the plugin's budget (its lane's permit and its own,
//! refused while it is over its CPU budget), then a fresh instance from the pre-linked
//! `InstancePre`, a memory cap (the call's, and the plugin's across its instances), an epoch
//! deadline and a wall-clock timeout, with the CPU it uses metered. Whatever the guest does,
//! the call ends with a value or a [`CallError`] that names the plugin, never with a crash
//! of the host.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::{Instance, InstancePre, ResourceTable};
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::call_error::CallError;
use super::epoch::EPOCH_TICK;
use super::limiter::{Exceeded, Limiter};
use crate::budget::{CallContext, LimitName, PluginBudget, Refusal, cpu};
use crate::capabilities::http::CallEgress;
use crate::capabilities::{CallCapabilities, HasCapabilities};
use crate::core::{Clock, Limits, PluginName};
use crate::telemetry::{CallOutcome, Metrics};
use crate::wit::PluginError;

/// What a guest may print to stderr (a panic message, say) before the rest is dropped; it is
/// only kept to explain a failed call in the log.
const STDERR_CAPACITY: usize = 16 * 1024;

/// The data of one call's `Store`.
pub struct CallState {
    capabilities: CallCapabilities,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    /// The call's way out through `wasi:http`: the plugin's egress, and what this call sent.
    egress: CallEgress,
    limiter: Limiter,
    stderr: MemoryOutputPipe,
    /// Set when the call was stopped because its plugin ran out of CPU budget meanwhile.
    over_cpu: bool,
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

impl crate::wit::latest::dcmaid::bot::types::Host for CallState {}

impl HasCapabilities for CallState {
    fn capabilities(&mut self) -> &mut CallCapabilities {
        &mut self.capabilities
    }
}

/// A plugin's component, linked once: what every call of it needs.
pub struct Linked {
    pub plugin: PluginName,
    pub pre: InstancePre<CallState>,
    pub limits: Limits,
    /// The time the plugin sees through `wasi:clocks/wall-clock`.
    pub clock: Clock,
    /// Where calls are counted and timed.
    pub metrics: Arc<Metrics>,
    /// What the plugin may use over time, and has used.
    pub budget: Arc<PluginBudget>,
}

/// What [`Linked::call`] runs: one export call on a fresh instance, its WIT result inside
/// wasmtime's.
pub trait ExportCall<T>:
    AsyncFnOnce(&mut Store<CallState>, &Instance) -> wasmtime::Result<Result<T, PluginError>>
{
}

impl<T, F> ExportCall<T> for F where
    F: AsyncFnOnce(&mut Store<CallState>, &Instance) -> wasmtime::Result<Result<T, PluginError>>
{
}

impl Linked {
    /// Call the export `name` (used in errors and metrics, e.g. `persona.shape`) with `call`,
    /// on a fresh instance holding `capabilities`, within the call limits; every failure
    /// becomes a [`CallError`].
    pub async fn call<T>(
        &self,
        name: &'static str,
        capabilities: CallCapabilities,
        call: impl ExportCall<T>,
    ) -> Result<T, CallError> {
        let started = Instant::now();
        let lane = CallContext::current().lane;
        let result = match self.budget.admit(lane).await {
            Ok(_admitted) => {
                let budget = &self.budget;
                cpu::metered(self.run(name, capabilities, call), |used| budget.used_cpu(used)).await
            }
            Err(refusal) => Err(self.limited(name, refusal)),
        };
        let outcome = result.as_ref().map_or_else(CallError::outcome, |_| CallOutcome::Ok);
        self.metrics.plugin_call(self.plugin.as_str(), name, outcome, started.elapsed());
        result
    }

    /// The call itself, once admitted.
    async fn run<T>(
        &self,
        name: &'static str,
        capabilities: CallCapabilities,
        call: impl ExportCall<T>,
    ) -> Result<T, CallError> {
        let mut store = self.store(capabilities);
        let instance = match self.pre.instantiate_async(&mut store).await {
            Ok(instance) => instance,
            Err(error) => return Err(self.classify(name, &store, error)),
        };
        let limit = self.limits.call_timeout();
        // The epoch deadline stops a guest that computes; this stops one whose host calls
        // wait (on storage, say). A little slack lets the epoch trap, which says more, win.
        let outcome =
            tokio::time::timeout(limit + EPOCH_TICK * 5, call(&mut store, &instance)).await;
        let plugin = self.plugin.to_string();
        match outcome {
            Err(_elapsed) => Err(CallError::Timeout { plugin, call: name, limit }),
            Ok(Err(error)) => Err(self.classify(name, &store, error)),
            Ok(Ok(Err(error))) => Err(CallError::Plugin { plugin, call: name, error }),
            Ok(Ok(Ok(value))) => Ok(value),
        }
    }

    fn limited(&self, call: &'static str, refusal: Refusal) -> CallError {
        CallError::Limited { plugin: self.plugin.to_string(), call, refusal }
    }

    /// A store for one call: no files, no environment, no sockets; stderr kept to explain a
    /// failure; the memory cap; an epoch deadline that yields to the executor every tick
    /// (so a busy guest shares the thread) and traps once the call's time is up.
    fn store(&self, capabilities: CallCapabilities) -> Store<CallState> {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let wasi = WasiCtx::builder().stderr(stderr.clone()).wall_clock(self.clock.clone()).build();
        let egress = CallEgress::new(capabilities.http.clone());
        let budget = &self.budget;
        let limiter = Limiter::new(
            self.limits.memory_bytes(),
            budget.max_memory_bytes(),
            budget.memory().clone(),
        );
        let state = CallState {
            capabilities,
            wasi,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            egress,
            limiter,
            stderr,
            over_cpu: false,
        };
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(|state| &mut state.limiter);
        let deadline = Instant::now() + self.limits.call_timeout();
        store.set_epoch_deadline(1);
        // A plugin that runs out of CPU budget stops computing at once, in every call.
        let budget = self.budget.clone();
        store.epoch_deadline_callback(move |mut store| {
            if Instant::now() >= deadline {
                return Ok(UpdateDeadline::Interrupt);
            }
            if budget.over_cpu() {
                store.data_mut().over_cpu = true;
                return Ok(UpdateDeadline::Interrupt);
            }
            Ok(UpdateDeadline::Yield(1))
        });
        store
    }

    /// Turn a wasmtime error from a call into the [`CallError`] that explains it.
    fn classify(
        &self,
        call: &'static str,
        store: &Store<CallState>,
        error: wasmtime::Error,
    ) -> CallError {
        let plugin = self.plugin.to_string();
        let state = store.data();
        match state.limiter.exceeded {
            Some(Exceeded::Call) => {
                let limit_mib = self.limits.memory_bytes() >> 20;
                return CallError::MemoryCap { plugin, call, limit_mib };
            }
            Some(Exceeded::Plugin) => {
                let allowed = u64::from(self.budget.limits().memory.max_mib);
                let what = format!("plugin `{plugin}`'s instances together hold too much memory");
                let refusal = Refusal::quota(LimitName::MemoryMaxMib, allowed, &what);
                return self.limited(call, self.budget.refused(refusal));
            }
            None => {}
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) if state.over_cpu => {
                let error = self.budget.check_cpu().err();
                let refusal = error.unwrap_or_else(|| {
                    let allowed = self.budget.limits().cpu.seconds_per_minute.ceil() as u64;
                    let what = format!("plugin `{plugin}` used its CPU time for this minute");
                    let wait = std::time::Duration::from_secs(1);
                    self.budget.refused(Refusal::rate(
                        LimitName::CpuSecondsPerMinute,
                        allowed,
                        wait,
                        &what,
                    ))
                });
                self.limited(call, refusal)
            }
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
