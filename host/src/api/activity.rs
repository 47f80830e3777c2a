//! `/api/v1/metrics/summary` and `/api/v1/logs`: how the bot is doing now, for the
//! dashboard, and the live log tail.

use std::sync::Arc;

use poem::web::sse::Event;
use poem_openapi::param::Query;
use poem_openapi::payload::{EventStream, Json};
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::auth::AdminAuth;
use super::error::ApiResult;
use super::tag::Tag;
use crate::bot::Bot;
use crate::telemetry::logtail::{self, LINES_KEPT, LogLine};

/// Log lines as they come.
type LogLines = std::pin::Pin<Box<dyn tokio_stream::Stream<Item = LogLine> + Send>>;

/// The last minutes of the bot.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SummaryView {
    /// The window the rates, percentile and errors cover, in seconds.
    pub window_secs: u64,
    pub messages_per_minute: f64,
    /// The 95th percentile of the time from message to reply; absent when no message came.
    pub p95_latency_ms: Option<f64>,
    /// Users who wrote in the last 15 minutes.
    pub active_users: u64,
    /// Messages whose answering plugin failed, in the window.
    pub errors: u64,
    /// Messages in the window.
    pub messages: u64,
    /// Messages in each of the last 30 minutes, oldest first.
    pub per_minute: Vec<u64>,
    pub plugins_loaded: u64,
    pub plugins_failed: u64,
}

pub struct ActivityApi {
    pub bot: Arc<Bot>,
}

#[OpenApi(tag = "Tag::Activity")]
impl ActivityApi {
    /// How the bot is doing now
    ///
    /// Messages per minute, the 95th-percentile latency and the errors of the last five
    /// minutes, the active users, and a per-minute chart of the last half hour. For the
    /// totals since start, scrape `GET /metrics`.
    #[oai(path = "/metrics/summary", method = "get")]
    async fn summary(&self, _auth: AdminAuth) -> ApiResult<Json<SummaryView>> {
        let metrics = self.bot.metrics();
        let summary = metrics.summary();
        let plugins = self.bot.plugins();
        Ok(Json(SummaryView {
            window_secs: summary.window_secs,
            messages_per_minute: summary.messages_per_minute,
            p95_latency_ms: summary.p95_latency_ms,
            active_users: metrics.active_users() as u64,
            errors: summary.errors,
            messages: summary.messages,
            per_minute: summary.per_minute,
            plugins_loaded: plugins.loaded().count() as u64,
            plugins_failed: plugins.failed().len() as u64,
        }))
    }

    /// The last log lines
    ///
    /// Lines the host logged (as the log filter lets through), oldest first; pass the last
    /// `seq` seen as `after` to get only newer ones. 1,000 lines are kept.
    #[oai(path = "/logs", method = "get")]
    async fn logs(
        &self,
        _auth: AdminAuth,
        /// Only lines with a greater `seq`.
        #[oai(default, validator(minimum(value = "0")))]
        after: Query<u64>,
        /// At most this many (the newest), 1 to 1,000.
        #[oai(default = "lines_kept", validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<u64>,
    ) -> ApiResult<Json<Vec<LogLine>>> {
        Ok(Json(logtail::tail().since(after.0, limit.0 as usize)))
    }

    /// Follow the log
    ///
    /// A server-sent event stream: each new log line as one `log` event, its data the
    /// line as JSON.
    #[oai(path = "/logs/stream", method = "get")]
    async fn stream(&self, _auth: AdminAuth) -> ApiResult<EventStream<LogLines>> {
        // A follower that falls behind skips ahead; the `seq` gap shows what it missed.
        let lines = BroadcastStream::new(logtail::tail().follow()).filter_map(Result::ok);
        Ok(EventStream::new(Box::pin(lines) as LogLines)
            .to_event(|line| Event::message(line.to_json_string()).event_type("log"))
            .keep_alive(std::time::Duration::from_secs(15)))
    }
}

fn lines_kept() -> u64 {
    LINES_KEPT as u64
}
