//! One plugin's budget: its limits (the operator's defaults with its overrides) and what it
//! has used of them. It outlives the plugin's reloads (see [`super::Ledger`]), so that a
//! swap does not hand a plugin a fresh minute of CPU or a fresh quota.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

use super::hits::Hits;
use super::lane::{Lane, Lanes};
use super::limit::{LimitName, Refusal};
use super::rates::{PLUGIN_RATES, RateLimits, Rates};
use super::settings::Budgets;
use super::usage::{Quota, Usage};
use crate::core::{Bucket, Clock, Decision, PluginName, State, Throttle, Window};
use crate::telemetry::Metrics;

pub struct PluginBudget {
    plugin: PluginName,
    limits: Budgets,
    lanes: Arc<Lanes>,
    in_flight: Semaphore,
    background: Semaphore,
    /// CPU time in microseconds over the sliding minute, on [`monotonic_ms`].
    cpu: Mutex<Window>,
    /// Linear memory and tables of every live instance, in bytes.
    memory: Arc<AtomicUsize>,
    kv: Usage,
    store: Usage,
    http_in_flight: Arc<Semaphore>,
    llm: Mutex<Rates>,
    log: Mutex<LogBuckets>,
    log_dropped: AtomicU64,
    log_throttle: Throttle,
    hits: Hits,
    metrics: Arc<Metrics>,
    clock: Clock,
}

/// The plugin's log rate: lines and bytes, each a token bucket.
#[derive(Default)]
struct LogBuckets {
    lines: Option<State>,
    bytes: Option<State>,
}

/// A call's permits: the plugin's own and its lane's, held until the call ends.
pub struct Admission<'a> {
    _own: SemaphorePermit<'a>,
    _lane: SemaphorePermit<'a>,
}

impl PluginBudget {
    pub fn new(
        plugin: PluginName,
        limits: Budgets,
        lanes: Arc<Lanes>,
        metrics: Arc<Metrics>,
        clock: Clock,
    ) -> PluginBudget {
        let kv = Usage::new(Quota {
            max_items: limits.kv.max_keys,
            max_bytes: limits.kv.max_bytes,
            items_limit: LimitName::KvMaxKeys,
            bytes_limit: LimitName::KvMaxBytes,
            items_are: "keys",
        });
        let store = Usage::new(Quota {
            max_items: limits.store.max_documents,
            max_bytes: limits.store.max_bytes,
            items_limit: LimitName::StoreMaxDocuments,
            bytes_limit: LimitName::StoreMaxBytes,
            items_are: "documents",
        });
        PluginBudget {
            in_flight: Semaphore::new(limits.calls.in_flight as usize),
            background: Semaphore::new(limits.calls.background as usize),
            cpu: Mutex::new(Window::minute()),
            memory: Arc::default(),
            kv,
            store,
            http_in_flight: Arc::new(Semaphore::new(limits.http.max_in_flight as usize)),
            llm: Mutex::default(),
            log: Mutex::default(),
            log_dropped: AtomicU64::new(0),
            log_throttle: Throttle::per_minute(),
            hits: Hits::new(plugin.clone(), metrics.clone()),
            plugin,
            limits,
            lanes,
            metrics,
            clock,
        }
    }

    /// A budget of its own, outside any bot: for a capability used alone (tests, benches).
    pub fn standalone(plugin: PluginName, limits: Budgets) -> Arc<PluginBudget> {
        let lanes = Arc::new(Lanes::new(&crate::core::Limits::default()));
        Arc::new(PluginBudget::new(plugin, limits, lanes, Arc::default(), Clock::system()))
    }

    pub fn plugin(&self) -> &PluginName {
        &self.plugin
    }

    pub fn limits(&self) -> &Budgets {
        &self.limits
    }

    /// Count `refusal` against the plugin (the metric, the log once a minute) and hand it on.
    pub fn refused(&self, refusal: Refusal) -> Refusal {
        self.hits.record(&refusal);
        refusal
    }

    /// Let a call in on `lane`: refused while the plugin is over its CPU budget; else once
    /// the plugin and the lane each have a permit free (waiting for them if need be).
    pub async fn admit(&self, lane: Lane) -> Result<Admission<'_>, Refusal> {
        self.check_cpu()?;
        let own = if lane.is_background() { &self.background } else { &self.in_flight };
        let own = own.acquire().await.expect("budget semaphores stay open");
        let lane = self.lanes.enter(lane).await;
        // The budget may have run out while the call waited.
        self.check_cpu()?;
        Ok(Admission { _own: own, _lane: lane })
    }

    /// Whether the CPU used over the last minute is at the budget or past it (checked by
    /// running calls every epoch tick, which stop when it is).
    pub fn over_cpu(&self) -> bool {
        lock(&self.cpu).total(monotonic_ms()) >= self.allowed_cpu_us()
    }

    fn allowed_cpu_us(&self) -> u64 {
        (self.limits.cpu.seconds_per_minute * 1e6) as u64
    }

    /// `Err` while the CPU used over the last minute is at the budget or past it.
    pub fn check_cpu(&self) -> Result<(), Refusal> {
        let allowed_us = self.allowed_cpu_us();
        let now = monotonic_ms();
        let cpu = lock(&self.cpu);
        if cpu.total(now) < allowed_us {
            return Ok(());
        }
        let wait = cpu.retry_after(now, allowed_us);
        drop(cpu);
        let allowed = self.limits.cpu.seconds_per_minute.ceil() as u64;
        let what = format!("plugin `{}` used its CPU time for this minute", self.plugin);
        Err(self.refused(Refusal::rate(LimitName::CpuSecondsPerMinute, allowed, wait, &what)))
    }

    /// The plugin ran for `used` on a CPU.
    pub fn used_cpu(&self, used: Duration) {
        let micros = u64::try_from(used.as_micros()).unwrap_or(u64::MAX);
        lock(&self.cpu).add(monotonic_ms(), micros);
    }

    /// CPU-seconds used over the last minute.
    pub fn cpu_last_minute(&self) -> f64 {
        lock(&self.cpu).total(monotonic_ms()) as f64 / 1e6
    }

    /// The bytes of every live instance's memories and tables; a call's limiter adds to it.
    pub fn memory(&self) -> &Arc<AtomicUsize> {
        &self.memory
    }

    pub fn max_memory_bytes(&self) -> usize {
        (self.limits.memory.max_mib as usize) << 20
    }

    pub fn kv(&self) -> &Usage {
        &self.kv
    }

    pub fn store(&self) -> &Usage {
        &self.store
    }

    /// The permits of the plugin's outgoing requests in flight.
    pub fn http_in_flight(&self) -> &Arc<Semaphore> {
        &self.http_in_flight
    }

    fn llm_limits(&self) -> RateLimits {
        let llm = &self.limits.llm;
        RateLimits {
            requests_per_minute: llm.requests_per_minute,
            requests_per_day: llm.requests_per_day,
            tokens_per_minute: llm.tokens_per_minute,
            tokens_per_day: llm.tokens_per_day,
        }
    }

    /// Start a language-model request, if the plugin's budgets have room.
    pub fn begin_llm(&self) -> Result<(), Refusal> {
        let what = format!("plugin `{}` used its language-model budget", self.plugin);
        let began =
            lock(&self.llm).begin(&self.llm_limits(), &PLUGIN_RATES, self.clock.now_ms(), &what);
        began.map_err(|refusal| self.refused(refusal))
    }

    /// A request of the plugin's took `tokens`.
    pub fn spent_llm(&self, tokens: u64) {
        lock(&self.llm).spent(self.clock.now_ms(), tokens);
    }

    pub fn llm_view(&self) -> super::rates::RatesView {
        lock(&self.llm).view(&self.llm_limits(), self.clock.now_ms())
    }

    /// Whether a log line of `bytes` fits the plugin's log rate; a line that does not is
    /// counted as dropped, and the drops are reported once a minute.
    pub fn log_line(&self, bytes: usize) -> bool {
        let log = &self.limits.log;
        let lines = Bucket::new(log.burst_lines, log.lines_per_second.saturating_mul(60));
        let sizes = Bucket::new(log.burst_bytes, log.bytes_per_second.saturating_mul(60));
        let now = monotonic_ms();
        let mut buckets = lock(&self.log);
        let (line_state, line) = lines.take(buckets.lines, now);
        let (byte_state, size) = sizes.take_many(buckets.bytes, now, bytes as f64);
        let allowed = line == Decision::Allowed && size == Decision::Allowed;
        if allowed {
            // Only a line that is written takes from both buckets.
            *buckets = LogBuckets { lines: Some(line_state), bytes: Some(byte_state) };
            return true;
        }
        drop(buckets);
        self.log_dropped(line != Decision::Allowed);
        false
    }

    fn log_dropped(&self, by_lines: bool) {
        let total = self.log_dropped.fetch_add(1, Ordering::Relaxed) + 1;
        self.metrics.log_line_dropped(self.plugin.as_str());
        let Some(held_back) = self.log_throttle.allow("log") else { return };
        let plugin = &self.plugin;
        let limit = if by_lines { LimitName::LogLines } else { LimitName::LogBytes };
        self.metrics.limit_hit(plugin.as_str(), limit.as_str());
        match held_back {
            0 => tracing::warn!(
                %plugin, limit = %limit,
                "plugin `{plugin}` logs faster than `{limit}` allows; its lines are dropped \
                 ({total} so far)"
            ),
            n => tracing::warn!(
                %plugin, limit = %limit,
                "plugin `{plugin}`: {} log lines dropped in the last minute ({total} so far)",
                n + 1
            ),
        }
    }

    /// Log lines dropped since the bot started.
    pub fn log_lines_dropped(&self) -> u64 {
        self.log_dropped.load(Ordering::Relaxed)
    }

    /// How often each limit stopped the plugin since the bot started.
    pub fn hits(&self) -> std::collections::BTreeMap<LimitName, u64> {
        self.hits.counts()
    }

    /// Calls in flight now, messages' and background's.
    pub fn calls_in_flight(&self) -> u32 {
        let calls = &self.limits.calls;
        let busy = |semaphore: &Semaphore, of: u32| {
            of as usize - semaphore.available_permits().min(of as usize)
        };
        (busy(&self.in_flight, calls.in_flight) + busy(&self.background, calls.background)) as u32
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Milliseconds on a clock that only goes forward, for rates that follow real time whatever
/// the bot's clock says (CPU, logs).
pub fn monotonic_ms() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = *START.get_or_init(std::time::Instant::now);
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}
