//! A limit a plugin ran into, as the host reports it: which one (named as `dcmaid.toml`
//! names it), what it allows, and when the same call may succeed again. It becomes the WIT
//! `limit` a capability refuses with, a log line, a metric label and a polite reply.

use std::time::Duration;

use crate::core::named;
use crate::wit::Limit as WitLimit;

/// Every limit the host enforces on a plugin, or on a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitName {
    CpuSecondsPerMinute,
    MemoryMaxMib,
    ReplyBytes,
    PromptBytes,
    ToolResultBytes,
    ReportBytes,
    LogLines,
    LogBytes,
    KvMaxKeys,
    KvMaxBytes,
    StoreMaxDocuments,
    StoreMaxBytes,
    HttpMaxInFlight,
    HttpRequestsPerCall,
    HttpMaxRequestBytes,
    LlmRequestsPerMinute,
    LlmRequestsPerDay,
    LlmTokensPerMinute,
    LlmTokensPerDay,
    EmbedTexts,
    EmbedBytes,
    UserLlmRequestsPerMinute,
    UserLlmRequestsPerDay,
    UserLlmTokensPerMinute,
    UserLlmTokensPerDay,
}

named!(LimitName {
    CpuSecondsPerMinute => "cpu.seconds_per_minute",
    MemoryMaxMib => "memory.max_mib",
    ReplyBytes => "output.reply_bytes",
    PromptBytes => "output.prompt_bytes",
    ToolResultBytes => "output.tool_result_bytes",
    ReportBytes => "output.report_bytes",
    LogLines => "log.lines_per_second",
    LogBytes => "log.bytes_per_second",
    KvMaxKeys => "kv.max_keys",
    KvMaxBytes => "kv.max_bytes",
    StoreMaxDocuments => "store.max_documents",
    StoreMaxBytes => "store.max_bytes",
    HttpMaxInFlight => "http.max_in_flight",
    HttpRequestsPerCall => "http.requests_per_call",
    HttpMaxRequestBytes => "http.max_request_bytes",
    LlmRequestsPerMinute => "llm.requests_per_minute",
    LlmRequestsPerDay => "llm.requests_per_day",
    LlmTokensPerMinute => "llm.tokens_per_minute",
    LlmTokensPerDay => "llm.tokens_per_day",
    EmbedTexts => "llm.embed_texts",
    EmbedBytes => "llm.embed_bytes",
    UserLlmRequestsPerMinute => "user_budgets.llm_requests_per_minute",
    UserLlmRequestsPerDay => "user_budgets.llm_requests_per_day",
    UserLlmTokensPerMinute => "user_budgets.llm_tokens_per_minute",
    UserLlmTokensPerDay => "user_budgets.llm_tokens_per_day",
});

/// A limit that refused something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub limit: LimitName,
    /// What the limit allows, in its own unit.
    pub allowed: u64,
    /// When the same call may succeed again; none for a quota.
    pub retry_after: Option<Duration>,
    pub message: String,
}

impl Refusal {
    /// A rate or a budget over time, which lifts after `retry_after`.
    pub fn rate(limit: LimitName, allowed: u64, retry_after: Duration, what: &str) -> Refusal {
        let seconds = retry_after.as_millis().div_ceil(1000).max(1);
        let message = format!("{what}: `{limit}` allows {allowed}; try again in {seconds} s");
        Refusal { limit, allowed, retry_after: Some(retry_after), message }
    }

    /// A quota, which only removing data or the operator lifts.
    pub fn quota(limit: LimitName, allowed: u64, what: &str) -> Refusal {
        let message = format!("{what}: `{limit}` allows {allowed}");
        Refusal { limit, allowed, retry_after: None, message }
    }
}

impl From<Refusal> for WitLimit {
    fn from(refusal: Refusal) -> WitLimit {
        WitLimit {
            name: refusal.limit.as_str().to_owned(),
            allowed: refusal.allowed,
            retry_after_ms: refusal
                .retry_after
                .map(|wait| wait.as_millis().try_into().unwrap_or(u64::MAX)),
            message: refusal.message,
        }
    }
}
