//! The push and pull part of the OCI Distribution API (`/v2/`): blobs (monolithic and
//! chunked uploads), manifests by tag or digest, tag lists. Reading is open; writing needs
//! `Authorization: Bearer <token>`. Errors use the spec's JSON error codes.

use std::sync::Arc;

use poem::http::{Method, StatusCode, header};
use poem::web::Json;
use poem::{Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use serde_json::json;

use crate::store::{Store, StoreError};

/// The registry's state: where it stores, and the token publishing needs.
pub struct Registry {
    pub store: Store,
    pub publish_token: Option<String>,
}

/// The registry's routes: `/v2/` and the catalog (`/api/v1/plugins`).
pub fn routes(registry: Arc<Registry>) -> impl Endpoint {
    Route::new()
        .at("/v2/", get(version_check))
        .at("/v2/*path", distribution)
        .nest("/api/v1/plugins", crate::catalog::routes())
        .data(registry)
}

#[handler]
fn version_check() -> Json<serde_json::Value> {
    Json(json!({}))
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

fn authorized(registry: &Registry, request: &Request) -> bool {
    let Some(token) = &registry.publish_token else { return false };
    let given = request.header(header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
    given.is_some_and(|given| given.trim().as_bytes() == token.as_bytes())
}

#[handler]
async fn distribution(request: &Request, body: Body) -> Response {
    let Some(registry) = request.data::<Arc<Registry>>().cloned() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "UNKNOWN", "no registry");
    };
    let path = request.uri().path().trim_start_matches("/v2/").to_owned();
    let method = request.method().clone();
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
    let body = match body.into_vec().await {
        Ok(body) => body,
        Err(e) => return error(StatusCode::BAD_REQUEST, "BLOB_UPLOAD_INVALID", e.to_string()),
    };
    let store = &registry.store;
    let result = if let Some(name) = path.strip_suffix("/tags/list") {
        store.tags(name).map(|tags| Json(json!({ "name": name, "tags": tags })).into_response())
    } else if let Some((name, reference)) = path.split_once("/manifests/") {
        manifest(store, &method, name, reference, request, &body)
    } else if let Some((name, upload)) = path.split_once("/blobs/uploads") {
        let upload = upload.trim_start_matches('/');
        uploads(store, &method, name, upload, request, &body)
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
            None => Ok(accepted(&store.start_upload()?, 0)),
        },
        (&Method::PATCH, id) => Ok(accepted(id, store.append(id, body)?)),
        (&Method::PUT, id) => {
            let Some(digest) = digest_param(request) else {
                return Ok(error(
                    StatusCode::BAD_REQUEST,
                    "DIGEST_INVALID",
                    "?digest= is required",
                ));
            };
            store.finish(id, body, &digest)?;
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
