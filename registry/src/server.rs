//! The push and pull part of the OCI Distribution API (`/v2/`): blobs (monolithic and
//! chunked uploads), manifests by tag or digest, tag lists. Reading is open; writing needs
//! `Authorization: Bearer <token>`, compared in constant time. Errors use the spec's JSON
//! error codes.
//!
//! Whoever can reach the server may send anything, so nothing is held in memory on a
//! client's word: a request that may not write is answered before its body is read, a read
//! never reads its body, and a write's body is read only up to [`Limits::max_body_bytes`]
//! (refused at once when its `Content-Length` says more, cut off when the stream goes past).

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::io::AsyncReadExt;

use poem::http::{Method, StatusCode, header};
use poem::web::Json;
use poem::{Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, handler};
use serde_json::json;

use crate::rate::{ClientRates, Rate};
use crate::store::{Store, StoreError};

/// The registry's state: where it stores, the token publishing needs, its limits, and how
/// often each client has called.
pub struct Registry {
    pub store: Store,
    pub publish_token: Option<String>,
    pub limits: Limits,
    pub rates: ClientRates,
}

/// What one client may make the server hold.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The body of one request, and the size of one blob however it is uploaded.
    pub max_body_bytes: u64,
    /// An upload not finished this long after it started is removed.
    pub upload_ttl: Duration,
    /// The requests one client may send.
    pub rate: Rate,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 256 << 20,
            upload_ttl: Duration::from_secs(3600),
            rate: Rate::default(),
        }
    }
}

impl Registry {
    /// A registry on `store`, with the default limits.
    pub fn new(store: Store, publish_token: Option<String>) -> Registry {
        Registry::with_limits(store, publish_token, Limits::default())
    }

    pub fn with_limits(store: Store, publish_token: Option<String>, limits: Limits) -> Registry {
        let rates = ClientRates::new(limits.rate);
        Registry { store, publish_token, limits, rates }
    }
}

/// The registry's routes: `/v2/` and the catalog (`/api/v1/plugins`), each request first
/// counted against its client's rate.
pub fn routes(registry: Arc<Registry>) -> impl Endpoint {
    let rates = registry.clone();
    Route::new()
        .at("/v2/*path", distribution)
        .nest("/api/v1/plugins", crate::catalog::routes())
        .data(registry)
        .around(move |endpoint, request| {
            let rates = rates.clone();
            async move {
                let client = request.remote_addr().as_socket_addr().map(|address| address.ip());
                if let Some(client) = client
                    && let Err(wait) = rates.rates.take(client, std::time::Instant::now())
                {
                    return Ok(too_many(wait));
                }
                endpoint.call(request).await.map(IntoResponse::into_response)
            }
        })
}

/// The refusal of a client over its rate, saying when to come back.
fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let message = format!("too many requests from this client: try again in {seconds} s");
    error(StatusCode::TOO_MANY_REQUESTS, "TOOMANYREQUESTS", message)
        .with_header(header::RETRY_AFTER, seconds.to_string())
        .into_response()
}

/// An error in the spec's shape.
fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({ "errors": [{ "code": code, "message": message.into() }] });
    (status, Json(body)).into_response()
}

fn store_error(error: StoreError) -> Response {
    match &error {
        StoreError::Name(_) => error_with(StatusCode::BAD_REQUEST, "NAME_INVALID", error),
        StoreError::Reference(_) => error_with(StatusCode::BAD_REQUEST, "DIGEST_INVALID", error),
        StoreError::DigestMismatch { .. } => {
            error_with(StatusCode::BAD_REQUEST, "DIGEST_INVALID", error)
        }
        StoreError::UnknownUpload(_) => {
            error_with(StatusCode::NOT_FOUND, "BLOB_UPLOAD_UNKNOWN", error)
        }
        StoreError::TagTaken { .. } => error_with(StatusCode::CONFLICT, "DENIED", error),
        StoreError::TooLarge { .. } => {
            error_with(StatusCode::PAYLOAD_TOO_LARGE, "SIZE_INVALID", error)
        }
        StoreError::Io(_) => {
            tracing::error!("registry storage: {error}");
            error_with(StatusCode::INTERNAL_SERVER_ERROR, "UNKNOWN", error)
        }
    }
}

fn error_with(status: StatusCode, code: &str, failure: StoreError) -> Response {
    error(status, code, failure.to_string())
}

/// The `?digest=` of an upload's last request.
fn digest_param(request: &Request) -> Option<String> {
    request.uri().query()?.split('&').find_map(|pair| {
        let value = pair.strip_prefix("digest=")?;
        Some(value.replace("%3A", ":").replace("%3a", ":"))
    })
}

/// Whether the request carries the publish token. Both sides are hashed first, so that the
/// comparison takes the same time whatever the given token's length and content.
fn authorized(registry: &Registry, request: &Request) -> bool {
    let Some(token) = &registry.publish_token else { return false };
    let given = request.header(header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
    given.is_some_and(|given| {
        let (given, token) = (Sha256::digest(given.trim()), Sha256::digest(token));
        bool::from(given.ct_eq(&token))
    })
}

/// A write's body, read up to `max` bytes; an error response past it.
async fn read_body(request: &Request, body: Body, max: u64) -> Result<Vec<u8>, Response> {
    let too_large = || {
        let message = format!("request bodies are limited to {max} bytes");
        error(StatusCode::PAYLOAD_TOO_LARGE, "SIZE_INVALID", message)
    };
    let declared = request.header(header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    let mut stream = body.into_async_read().take(max + 1);
    if let Err(e) = stream.read_to_end(&mut bytes).await {
        return Err(error(StatusCode::BAD_REQUEST, "BLOB_UPLOAD_INVALID", e.to_string()));
    }
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

#[handler]
async fn distribution(request: &Request, body: Body) -> Response {
    let Some(registry) = request.data::<Arc<Registry>>().cloned() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "UNKNOWN", "no registry");
    };
    let path = request.uri().path().trim_start_matches("/v2/").to_owned();
    let method = request.method().clone();
    // `GET /v2/`: the spec's version check (the wildcard route takes it, with an empty path).
    if path.is_empty() && matches!(method, Method::GET | Method::HEAD) {
        return Json(json!({})).into_response();
    }
    let writes = matches!(method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if writes && !authorized(&registry, request) {
        let response = error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "publishing needs the registry's bearer token",
        );
        return response
            .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"dcmaid\"")
            .into_response();
    }
    // A read's body means nothing here: it is never read.
    let body = if writes {
        match read_body(request, body, registry.limits.max_body_bytes).await {
            Ok(body) => body,
            Err(response) => return response,
        }
    } else {
        Vec::new()
    };
    let store = &registry.store;
    let limits = &registry.limits;
    let result = if let Some(name) = path.strip_suffix("/tags/list") {
        store.tags(name).map(|tags| Json(json!({ "name": name, "tags": tags })).into_response())
    } else if let Some((name, reference)) = path.split_once("/manifests/") {
        manifest(store, &method, name, reference, request, &body)
    } else if let Some((name, upload)) = path.split_once("/blobs/uploads") {
        let upload = upload.trim_start_matches('/');
        uploads(store, limits, &method, name, upload, request, &body)
    } else if let Some((name, digest)) = path.split_once("/blobs/") {
        blob(store, &method, name, digest)
    } else {
        return error(StatusCode::NOT_FOUND, "UNSUPPORTED", format!("no route for {path}"));
    };
    result.unwrap_or_else(store_error)
}

fn manifest(
    store: &Store,
    method: &Method,
    name: &str,
    reference: &str,
    request: &Request,
    body: &[u8],
) -> Result<Response, StoreError> {
    match *method {
        Method::PUT => {
            let media_type = request
                .header(header::CONTENT_TYPE)
                .unwrap_or("application/vnd.oci.image.manifest.v1+json");
            if serde_json::from_slice::<serde_json::Value>(body).is_err() {
                return Ok(error(StatusCode::BAD_REQUEST, "MANIFEST_INVALID", "not JSON"));
            }
            let digest = store.put_manifest(name, reference, media_type, body)?;
            Ok(Response::builder()
                .status(StatusCode::CREATED)
                .header(header::LOCATION, format!("/v2/{name}/manifests/{digest}"))
                .header("Docker-Content-Digest", digest)
                .finish())
        }
        Method::GET | Method::HEAD => match store.manifest(name, reference)? {
            None => {
                Ok(error(StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN", format!("{name}:{reference}")))
            }
            Some((media_type, digest, bytes)) => {
                let response = Response::builder()
                    .content_type(media_type)
                    .header("Docker-Content-Digest", digest)
                    .header(header::CONTENT_LENGTH, bytes.len());
                Ok(if *method == Method::HEAD { response.finish() } else { response.body(bytes) })
            }
        },
        _ => Ok(error(StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED", "manifests: GET, HEAD, PUT")),
    }
}

fn uploads(
    store: &Store,
    limits: &Limits,
    method: &Method,
    name: &str,
    upload: &str,
    request: &Request,
    body: &[u8],
) -> Result<Response, StoreError> {
    crate::store::check_name(name)?;
    let accepted = |id: &str, size: u64| {
        Response::builder()
            .status(StatusCode::ACCEPTED)
            .header(header::LOCATION, format!("/v2/{name}/blobs/uploads/{id}"))
            .header("Range", format!("0-{}", size.saturating_sub(1)))
            .header("Docker-Upload-UUID", id)
            .finish()
    };
    let created = |digest: &str| {
        Response::builder()
            .status(StatusCode::CREATED)
            .header(header::LOCATION, format!("/v2/{name}/blobs/{digest}"))
            .header("Docker-Content-Digest", digest)
            .finish()
    };
    match (method, upload) {
        // Monolithic: POST with ?digest and the blob.
        (&Method::POST, "") => match digest_param(request) {
            Some(digest) => {
                store.put_blob(&digest, body)?;
                Ok(created(&digest))
            }
            None => Ok(accepted(&store.start_upload(limits.upload_ttl)?, 0)),
        },
        (&Method::PATCH, id) => Ok(accepted(id, store.append(id, body, limits.max_body_bytes)?)),
        (&Method::PUT, id) => {
            let Some(digest) = digest_param(request) else {
                return Ok(error(
                    StatusCode::BAD_REQUEST,
                    "DIGEST_INVALID",
                    "?digest= is required",
                ));
            };
            store.finish(id, body, &digest, limits.max_body_bytes)?;
            Ok(created(&digest))
        }
        _ => Ok(error(StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED", "uploads: POST, PATCH, PUT")),
    }
}

fn blob(store: &Store, method: &Method, name: &str, digest: &str) -> Result<Response, StoreError> {
    crate::store::check_name(name)?;
    match store.blob(digest)? {
        None => Ok(error(StatusCode::NOT_FOUND, "BLOB_UNKNOWN", digest.to_owned())),
        Some(bytes) => {
            let response = Response::builder()
                .content_type("application/octet-stream")
                .header("Docker-Content-Digest", digest)
                .header(header::CONTENT_LENGTH, bytes.len());
            Ok(if *method == Method::HEAD { response.finish() } else { response.body(bytes) })
        }
    }
}
