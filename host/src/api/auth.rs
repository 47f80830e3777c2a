//! Who may call what. The admin endpoints want `Authorization: Bearer <token>`, the token from
//! `[server] admin_token` or the environment variable `[server] admin_token_env` names.
//! Without a token configured they are off (403), so an operator never exposes them by
//! forgetting one. `POST /api/v1/chat` is open or wants the same token, as
//! `[server] public_chat` says.

use std::sync::Arc;

use poem::Request;
use poem::http::header;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use super::error::ApiError;

/// The configured admin token, attached to the routes as data.
#[derive(Clone)]
pub struct AdminToken(pub Option<Arc<str>>);

/// The admin token, as a bearer token.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_admin")]
pub struct AdminAuth(());

async fn check_admin(request: &Request, bearer: Bearer) -> poem::Result<()> {
    admit(request, Some(&bearer.token)).map_err(ApiError::into_poem)
}

/// Whether `request`, bearing `given`, may use the admin endpoints.
fn admit(request: &Request, given: Option<&str>) -> Result<(), ApiError> {
    let Some(token) = request.data::<AdminToken>().and_then(|t| t.0.clone()) else {
        return Err(ApiError::admin_off());
    };
    match given {
        Some(given) if constant_time_eq(given.trim().as_bytes(), token.as_bytes()) => Ok(()),
        _ => Err(ApiError::unauthorized()),
    }
}

/// The chat endpoint's rule: open when `public`, else the admin token's. Whether the caller
/// is the operator (bears the admin token); a wrong token is refused, public or not.
pub fn admit_chat(request: &Request, public: bool) -> Result<bool, ApiError> {
    let given = request.header(header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
    match given {
        None if public => Ok(false),
        given => admit(request, given).map(|()| true),
    }
}

/// Compare secrets without leaking, through timing, how much of a guess was right (nor, as
/// both are hashed first, how long the secret is).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    bool::from(Sha256::digest(a).ct_eq(&Sha256::digest(b)))
}
