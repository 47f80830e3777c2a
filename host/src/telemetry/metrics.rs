//! The host's Prometheus metrics, served at `GET /metrics` in the OpenMetrics text format.
//!
//! Label values come from bounded sets only: the commands that exist (anything else is
//! `unknown`), the installed plugins, and fixed outcome names. A user id never becomes a
//! label.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::labels::{
    CallLabels, CallOutcome, CronLabels, EventFate, EventLabels, HttpLabels, HttpOutcome,
    LimitLabels, MessageLabels, ModelLabels, PluginLabels, ReasonLabels, Status, SwapLabels,
    SwapOutcome, UserLimitLabels,
};
use super::plugin_metrics::PluginMetrics;
use super::recent::{Recent, Summary};
use super::remember_metrics::RememberMetrics;

/// The content type of `GET /metrics`.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A user counts as active this long after their last message.
const ACTIVE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Users tracked for the active gauge at most; past it the oldest are forgotten first.
const MAX_TRACKED_USERS: usize = 100_000;

pub struct Metrics {
    registry: Registry,
    messages: Family<MessageLabels, Counter>,
    response_time: Histogram,
    active_users: Gauge,
    plugin_calls: Family<CallLabels, Counter>,
    plugin_call_seconds: Family<PluginLabels, Histogram>,
    model_requests: Family<ModelLabels, Counter>,
    observer_events: Family<EventLabels, Counter>,
    cron_runs: Family<CronLabels, Counter>,
    rate_limited: Family<PluginLabels, Counter>,
    ratelimit_fallbacks: Counter,
    http_requests: Family<HttpLabels, Counter>,
    swaps: Family<SwapLabels, Counter>,
    limit_hits: Family<LimitLabels, Counter>,
    user_limit_hits: Family<UserLimitLabels, Counter>,
    log_lines_dropped: Family<PluginLabels, Counter>,
    swap_announcements_rejected: Family<ReasonLabels, Counter>,
    plugins: PluginMetrics,
    remember: RememberMetrics,
    last_seen: Mutex<HashMap<String, Instant>>,
    recent: Mutex<Recent>,
}

/// 100 µs to about 6.5 s, doubling: plugin calls are microseconds, model turns seconds.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let messages = Family::<MessageLabels, Counter>::default();
        registry.register(
            "bot_messages",
            "Messages handled, by command and status",
            messages.clone(),
        );
        let response_time = latency_histogram();
        registry.register(
            "bot_response_time_seconds",
            "From receiving a message to having its reply",
            response_time.clone(),
        );
        let active_users = Gauge::default();
        registry.register(
            "bot_active_users",
            "Users who wrote in the last 15 minutes",
            active_users.clone(),
        );
        let plugin_calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "dcmaid_plugin_calls",
            "Plugin calls, by plugin, export and outcome",
            plugin_calls.clone(),
        );
        let plugin_call_seconds = Family::<PluginLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "dcmaid_plugin_call_duration_seconds",
            "Plugin call time, instantiation included",
            plugin_call_seconds.clone(),
        );
        let model_requests = Family::<ModelLabels, Counter>::default();
        registry.register(
            "dcmaid_llm_requests",
            "Conversation turns sent to the language model",
            model_requests.clone(),
        );
        let observer_events = Family::<EventLabels, Counter>::default();
        registry.register(
            "dcmaid_observer_events",
            "Events for observer plugins, queued or dropped because the queue was full",
            observer_events.clone(),
        );
        let cron_runs = Family::<CronLabels, Counter>::default();
        registry.register(
            "dcmaid_cron_runs",
            "Cron job runs, by job and status",
            cron_runs.clone(),
        );
        let rate_limited = Family::<PluginLabels, Counter>::default();
        registry.register(
            "dcmaid_rate_limited",
            "Calls refused by a rate limit, by the plugin they were for",
            rate_limited.clone(),
        );
        let ratelimit_fallbacks = Counter::default();
        registry.register(
            "dcmaid_ratelimit_fallbacks",
            "Rate-limit decisions made in process because Redis could not be reached",
            ratelimit_fallbacks.clone(),
        );
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "dcmaid_http_requests",
            "Plugins' outgoing HTTP requests, by plugin and outcome (sent, denied, failed)",
            http_requests.clone(),
        );
        let swaps = Family::<SwapLabels, Counter>::default();
        registry.register(
            "dcmaid_plugin_swaps",
            "Hot swaps, by plugin and outcome (swapped, refused, rolled_back, disabled)",
            swaps.clone(),
        );
        let limit_hits = Family::<LimitLabels, Counter>::default();
        registry.register(
            "dcmaid_plugin_limit_hits",
            "Times a limit stopped a plugin, by plugin and limit (as dcmaid.toml names it)",
            limit_hits.clone(),
        );
        let user_limit_hits = Family::<UserLimitLabels, Counter>::default();
        registry.register(
            "dcmaid_user_limit_hits",
            "Times a user's budget refused a language-model request, by limit",
            user_limit_hits.clone(),
        );
        let log_lines_dropped = Family::<PluginLabels, Counter>::default();
        registry.register(
            "dcmaid_plugin_log_lines_dropped",
            "Plugins' log lines dropped for going past their log rate",
            log_lines_dropped.clone(),
        );
        let swap_announcements_rejected = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "dcmaid_swap_announcements_rejected",
            "Messages on the swap channel not acted on, by reason (malformed, forged, stale, replayed)",
            swap_announcements_rejected.clone(),
        );
        // Exposed at zero from the start, so that rates and alerts see the series at once.
        for status in [Status::Ok, Status::Error] {
            model_requests.get_or_create(&ModelLabels { status }).inc_by(0);
        }
        for fate in [EventFate::Queued, EventFate::Dropped] {
            observer_events.get_or_create(&EventLabels { fate }).inc_by(0);
        }
        let remember = RememberMetrics::register(&mut registry);
        Metrics {
            registry,
            messages,
            response_time,
            active_users,
            plugin_calls,
            plugin_call_seconds,
            model_requests,
            observer_events,
            cron_runs,
            rate_limited,
            ratelimit_fallbacks,
            http_requests,
            swaps,
            limit_hits,
            user_limit_hits,
            log_lines_dropped,
            swap_announcements_rejected,
            plugins: PluginMetrics::default(),
            remember,
            last_seen: Mutex::new(HashMap::new()),
            recent: Mutex::default(),
        }
    }

    /// One message handled.
    pub fn message(&self, user_id: &str, command: &str, status: Status, took: Duration) {
        self.messages.get_or_create(&MessageLabels { command: command.to_owned(), status }).inc();
        self.response_time.observe(took.as_secs_f64());
        let mut recent = self.recent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        recent.record(Instant::now(), took, status == Status::Error);
        drop(recent);
        let mut last_seen = self.last_seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last_seen.len() >= MAX_TRACKED_USERS && !last_seen.contains_key(user_id) {
            forget_inactive(&mut last_seen);
            if last_seen.len() >= MAX_TRACKED_USERS {
                return;
            }
        }
        last_seen.insert(user_id.to_owned(), Instant::now());
    }

    /// One plugin call ended.
    pub fn plugin_call(
        &self,
        plugin: &str,
        call: &'static str,
        outcome: CallOutcome,
        took: Duration,
    ) {
        self.plugin_calls
            .get_or_create(&CallLabels { plugin: plugin.to_owned(), call, outcome })
            .inc();
        self.plugin_call_seconds
            .get_or_create(&PluginLabels { plugin: plugin.to_owned() })
            .observe(took.as_secs_f64());
    }

    /// One conversation turn sent to the language model.
    pub fn model_request(&self, status: Status) {
        self.model_requests.get_or_create(&ModelLabels { status }).inc();
    }

    /// One event for the observers, queued or dropped.
    pub fn observer_event(&self, fate: EventFate) {
        self.observer_events.get_or_create(&EventLabels { fate }).inc();
    }

    /// One run of cron job `job` ended.
    pub fn cron_run(&self, job: &str, status: Status) {
        self.cron_runs.get_or_create(&CronLabels { job: job.to_owned(), status }).inc();
    }

    /// Give `plugin`'s per-plugin counters their series at zero, so that dashboards and
    /// alerts see them before the first event.
    pub fn plugin_loaded(&self, plugin: &str) {
        self.rate_limited.get_or_create(&PluginLabels { plugin: plugin.to_owned() }).inc_by(0);
        self.log_lines_dropped.get_or_create(&PluginLabels { plugin: plugin.to_owned() }).inc_by(0);
        let denied = HttpLabels { plugin: plugin.to_owned(), outcome: HttpOutcome::Denied };
        self.http_requests.get_or_create(&denied).inc_by(0);
        for outcome in [SwapOutcome::Swapped, SwapOutcome::Refused] {
            self.swaps.get_or_create(&SwapLabels { plugin: plugin.to_owned(), outcome }).inc_by(0);
        }
    }

    /// A limit (`kv.max_bytes`, ...) stopped `plugin`.
    pub fn limit_hit(&self, plugin: &str, limit: &'static str) {
        self.limit_hits.get_or_create(&LimitLabels { plugin: plugin.to_owned(), limit }).inc();
    }

    /// A user's budget (`user_budgets.llm_tokens_per_day`, ...) refused a request.
    pub fn user_limit_hit(&self, limit: &'static str) {
        self.user_limit_hits.get_or_create(&UserLimitLabels { limit }).inc();
    }

    /// One of `plugin`'s log lines was dropped.
    pub fn log_line_dropped(&self, plugin: &str) {
        self.log_lines_dropped.get_or_create(&PluginLabels { plugin: plugin.to_owned() }).inc();
    }

    /// A message on the swap channel was not acted on, for `reason`.
    pub fn swap_announcement_rejected(&self, reason: &'static str) {
        self.swap_announcements_rejected.get_or_create(&ReasonLabels { reason }).inc();
    }

    /// A hot swap of `plugin`, and what became of it.
    pub fn plugin_swapped(&self, plugin: &str, outcome: SwapOutcome) {
        self.swaps.get_or_create(&SwapLabels { plugin: plugin.to_owned(), outcome }).inc();
    }

    /// One of `plugin`'s outgoing HTTP requests, and what became of it.
    pub fn http_request(&self, plugin: &str, outcome: HttpOutcome) {
        self.http_requests.get_or_create(&HttpLabels { plugin: plugin.to_owned(), outcome }).inc();
    }

    /// A call for `plugin` refused by a rate limit.
    pub fn rate_limited(&self, plugin: &str) {
        self.rate_limited.get_or_create(&PluginLabels { plugin: plugin.to_owned() }).inc();
    }

    /// A rate-limit decision made in process because Redis could not be reached.
    pub fn ratelimit_fallback(&self) {
        self.ratelimit_fallbacks.inc();
    }

    /// The last minutes' messages, for the admin dashboard.
    pub fn summary(&self) -> Summary {
        self.recent.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).summary(Instant::now())
    }

    /// Users who wrote in the last 15 minutes.
    pub fn active_users(&self) -> usize {
        let mut last_seen = self.last_seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        forget_inactive(&mut last_seen);
        last_seen.len()
    }

    /// Everything, in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        self.active_users.set(self.active_users() as i64);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode_registry(&mut text, &self.registry);
        self.plugins.encode(&mut text);
        let _ = prometheus_client::encoding::text::encode_eof(&mut text);
        text
    }

    /// The metrics plugins define for themselves.
    pub fn plugins(&self) -> &PluginMetrics {
        &self.plugins
    }

    /// The queue of turns waiting to be remembered.
    pub fn remember(&self) -> &RememberMetrics {
        &self.remember
    }
}

fn forget_inactive(last_seen: &mut HashMap<String, Instant>) {
    last_seen.retain(|_, seen| seen.elapsed() < ACTIVE_WINDOW);
}
