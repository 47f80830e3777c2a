//! How the API refuses: a status and a JSON body `{"error": "...", "field": "..."}`, where
//! `field` names the part of the request to blame when one is. Every error leaves the API in
//! this shape, those of poem and poem-openapi (a bad path parameter, a missing bearer token,
//! a malformed multipart body) included, so a client parses one kind of error.

use poem::http::StatusCode;
use poem::{Endpoint, EndpointExt, IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

/// The body of every refusal.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct ErrorBody {
    /// What went wrong, for a person to read.
    pub error: String,
    /// The request field, parameter or header at fault, when one is (absent when none is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An API refusal.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed: a body that is not the documented JSON, a field out of
    /// range, a bad parameter. `field` names it.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// The bearer token is missing or wrong.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The admin API is off (no token is configured), or the request is not the caller's to
    /// make (a public chat caller naming a user).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such plugin, job or memory.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request conflicts with what exists (a job of that name, a job from the file), or
    /// with how the bot is set up (no memory plugin is loaded).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is not of a type the operation takes (its `Content-Type`).
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Well-formed as the schema says but refused on its content: a plugin that fails its
    /// checks, a capability not granted, a cron expression that does not read.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// The host failed (its storage, say); the request may be retried.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A service the request needs answered badly: the plugin registry, a plugin.
    #[oai(status = 502)]
    BadGateway(Json<ErrorBody>),
    /// What the request needs does not answer now: the storage.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

pub type ApiResult<T> = Result<T, ApiError>;

fn body(error: impl Into<String>, field: Option<&str>) -> Json<ErrorBody> {
    Json(ErrorBody { error: error.into(), field: field.map(str::to_owned) })
}

impl ApiError {
    pub fn bad_request(field: Option<&str>, error: impl Into<String>) -> ApiError {
        ApiError::BadRequest(body(error, field))
    }

    pub fn not_found(error: impl Into<String>) -> ApiError {
        ApiError::NotFound(body(error, None))
    }

    pub fn conflict(error: impl Into<String>) -> ApiError {
        ApiError::Conflict(body(error, None))
    }

    pub fn unprocessable(error: impl Into<String>) -> ApiError {
        ApiError::Unprocessable(body(error, None))
    }

    /// Well-formed as the schema says, refused on what `field` holds (a cron expression that
    /// does not read, a manifest that is not TOML).
    pub fn unprocessable_at(field: &str, error: impl Into<String>) -> ApiError {
        ApiError::Unprocessable(body(error, Some(field)))
    }

    pub fn internal(error: impl Into<String>) -> ApiError {
        ApiError::Internal(body(error, None))
    }

    pub fn bad_gateway(error: impl Into<String>) -> ApiError {
        ApiError::BadGateway(body(error, None))
    }

    pub fn unavailable(error: impl Into<String>) -> ApiError {
        ApiError::Unavailable(body(error, None))
    }

    /// Refused on the caller's credentials at `field` (a header), saying why.
    pub fn unauthorized_as(field: &str, error: impl Into<String>) -> ApiError {
        ApiError::Unauthorized(body(error, Some(field)))
    }

    /// Refused whoever the caller is: what they ask is not theirs to ask.
    pub fn forbidden(field: Option<&str>, error: impl Into<String>) -> ApiError {
        ApiError::Forbidden(body(error, field))
    }

    pub fn unauthorized() -> ApiError {
        ApiError::Unauthorized(body("missing or wrong bearer token", Some("Authorization")))
    }

    pub fn admin_off() -> ApiError {
        ApiError::Forbidden(body(
            "the admin API is off: set the token's environment variable ([server] \
             admin_token_env, default DCMAID_ADMIN_TOKEN) or [server] admin_token",
            None,
        ))
    }

    /// This refusal as a poem error that keeps the response as it is.
    pub fn into_poem(self) -> poem::Error {
        poem::Error::from_response(self.into_response())
    }
}

/// `endpoint`, with every error it returns turned into the JSON refusal: poem's and
/// poem-openapi's own (their text, and the parameter they name) and ours as they are.
/// `admin_on`: whether an admin token is configured (else a request without one is told
/// that the admin API is off, not that its token is missing).
pub fn json_errors(endpoint: impl Endpoint + 'static, admin_on: bool) -> impl Endpoint {
    endpoint.around(move |endpoint, request| async move {
        match endpoint.call(request).await {
            Ok(response) => Ok(response.into_response()),
            Err(error) if error.is_from_response() => Ok(error.into_response()),
            Err(error) if !admin_on && error.is::<poem_openapi::error::AuthorizationError>() => {
                Ok(ApiError::admin_off().into_response())
            }
            Err(error) => Ok(as_json(error)),
        }
    })
}

fn as_json(error: poem::Error) -> Response {
    let status = error.status();
    let field = blamed_field(&error);
    let mut message = error.to_string();
    if status == StatusCode::UNAUTHORIZED {
        // poem-openapi's text for a missing `Authorization` header is terse.
        message = format!("missing or wrong bearer token ({message})");
    }
    let response = poem::web::Json(ErrorBody { error: message, field }).into_response();
    let response = response.with_status(status).into_response();
    if status == StatusCode::UNAUTHORIZED {
        return response.with_header("WWW-Authenticate", "Bearer").into_response();
    }
    response
}

/// The parameter or field a poem(-openapi) error is about.
fn blamed_field(error: &poem::Error) -> Option<String> {
    use poem_openapi::error::{
        AuthorizationError, ParseMultipartError, ParseParamError, ParsePathError,
    };
    if let Some(param) = error.downcast_ref::<ParseParamError>() {
        return Some(param.name.to_owned());
    }
    if let Some(path) = error.downcast_ref::<ParsePathError>() {
        return Some(path.name.to_owned());
    }
    if error.is::<AuthorizationError>() {
        return Some("Authorization".to_owned());
    }
    if let Some(multipart) = error.downcast_ref::<ParseMultipartError>() {
        return quoted_name(&multipart.reason).map(str::to_owned);
    }
    None
}

/// The first name a message quotes with backticks or double quotes: serde writes "missing
/// field `cron`", poem-openapi `field "manifest" is required`.
pub fn quoted_name(message: &str) -> Option<&str> {
    let from = |quote: char| {
        let (_, rest) = message.split_once(&format!("field {quote}"))?;
        rest.split_once(quote).map(|(name, _)| name)
    };
    from('`').or_else(|| from('"'))
}

#[cfg(test)]
mod tests {
    use super::quoted_name;

    #[test]
    fn names_the_field_a_message_quotes() {
        assert_eq!(quoted_name("missing field `cron` at line 1 column 2"), Some("cron"));
        assert_eq!(quoted_name("unknown field `x`, expected `name`"), Some("x"));
        assert_eq!(quoted_name(r#"field "manifest" is required"#), Some("manifest"));
        assert_eq!(quoted_name("expected value at line 1 column 1"), None);
    }
}
