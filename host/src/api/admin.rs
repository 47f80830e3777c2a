//! The admin endpoints' guard: `Authorization: Bearer <token>`, the token from the
//! environment variable `[server] admin_token_env` names. Without a token configured the
//! admin endpoints are off (403), so an operator never exposes them by forgetting one.

use std::sync::Arc;

use poem::http::{StatusCode, header};
use poem::web::Json;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use serde_json::json;

/// `endpoint`, answering only requests that carry `token`.
pub fn guard(endpoint: impl Endpoint + 'static, token: Option<String>) -> impl Endpoint {
    let token: Option<Arc<str>> = token.map(Arc::from);
    endpoint.around(move |endpoint, request| {
        let token = token.clone();
        async move {
            match refusal(&request, token.as_deref()) {
                Some(refused) => Ok(refused),
                None => endpoint.call(request).await.map(IntoResponse::into_response),
            }
        }
    })
}

/// Why `request` is refused, if it is.
fn refusal(request: &Request, token: Option<&str>) -> Option<Response> {
    let Some(token) = token else {
        let error = "the admin API is off: set the token's environment variable ([server] admin_token_env, default DCMAID_ADMIN_TOKEN)";
        return Some((StatusCode::FORBIDDEN, Json(json!({ "error": error }))).into_response());
    };
    let given =
        request.header(header::AUTHORIZATION).and_then(|value| value.strip_prefix("Bearer "));
    match given {
        Some(given) if constant_time_eq(given.trim().as_bytes(), token.as_bytes()) => None,
        _ => {
            let body = Json(json!({ "error": "missing or wrong bearer token" }));
            let response = (StatusCode::UNAUTHORIZED, body).into_response();
            Some(response.with_header(header::WWW_AUTHENTICATE, "Bearer").into_response())
        }
    }
}

/// Compare secrets without leaking, through timing, how much of a guess was right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
