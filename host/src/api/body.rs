//! Request bodies: JSON read with serde, so that a refusal names the field at fault, and
//! then checked by the type's own rules.
//!
//! poem-openapi's `Json<T>` parses through its own `Object` derive, whose errors lose the
//! field's name ("expected string (occurred while parsing ChatRequest)"). `JsonBody<T>`
//! documents the same schema (from `T`'s `Object` derive) but parses with serde, through
//! `serde_path_to_error`, so that a refusal names the field: the one with the wrong value,
//! or the one serde's message names ("missing field `text`", "unknown field `colour`").

use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::de::DeserializeOwned;

use super::error::{ApiError, quoted_name};

/// Bodies larger than this are refused before parsing: no request here needs more.
const MAX_JSON_BYTES: usize = 64 * 1024;

/// A body's own rules, beyond its shape: lengths, ranges, formats.
pub trait Checked {
    /// The first rule the body breaks, as a refusal naming the field.
    fn check(&self) -> Result<(), ApiError>;
}

/// A JSON request body of type `T`.
pub struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    /// `application/json`, or any `application/…+json`, with or without parameters.
    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        let essence = essence.to_ascii_lowercase();
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: DeserializeOwned + Checked + Send> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let _ = request;
        let refuse = |field: Option<&str>, message: String| {
            ApiError::bad_request(field, message).into_poem()
        };
        let bytes = body
            .take()?
            .into_bytes_limit(MAX_JSON_BYTES)
            .await
            .map_err(|e| refuse(None, format!("cannot read the body: {e}")))?;
        let mut json = serde_json::Deserializer::from_slice(&bytes);
        let value: T = serde_path_to_error::deserialize(&mut json).map_err(|error| {
            // The path names a field whose value was wrong; a missing or unknown field is
            // named in serde's message instead.
            let path = error.path().to_string();
            let text = error.into_inner().to_string();
            // `.` is the whole body, `?` a syntax error before any field.
            let field = match path.as_str() {
                "." | "?" => quoted_name(&text),
                path => Some(path),
            };
            refuse(field, format!("the body is not the documented JSON: {text}"))
        })?;
        value.check().map_err(ApiError::into_poem)?;
        Ok(JsonBody(value))
    }
}

poem_openapi::impl_apirequest_for_payload!(JsonBody<T>, T: Type + DeserializeOwned + Checked + Send);

/// For an optional field of a request body: absent is `None`, but `null` is refused, as the
/// schema (a string, not a nullable one) says. `#[serde(default, deserialize_with =
/// "not_null")]`.
pub fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
