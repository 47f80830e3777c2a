//! The catalog, for humans and the console: `GET /api/v1/plugins[?q=word]` lists every
//! plugin (or those whose name or description has the word) with its newest version; `GET /api/v1/plugins/{name}` lists its versions. Each entry shows
//! what `plugin.toml` says (description, publisher, requested capabilities and hosts) and
//! the key that signed it, read from the manifests' annotations.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::Json;
use poem::{Endpoint, IntoResponse, Request, Response, Route, get, handler};
use serde::Serialize;
use serde_json::json;

use crate::package::{MANIFEST_ANNOTATION, SIGNATURE_ANNOTATION, Summary, decode};
use crate::server::Registry;
use crate::store::Store;

pub fn routes() -> impl Endpoint {
    Route::new().at("/", get(catalog)).at("/*name", get(catalog))
}

/// The list, or one plugin's versions when the path names it.
#[handler]
fn catalog(request: &Request) -> Response {
    let name = request.uri().path().trim_start_matches("/api/v1/plugins").trim_matches('/');
    if name.is_empty() { list(request) } else { versions(request, name) }
}

#[derive(Debug, Serialize)]
struct Entry {
    repository: String,
    tag: String,
    #[serde(flatten)]
    summary: Summary,
    /// The publisher key of `plugin.sig`, when signed.
    signed_by: Option<String>,
}

/// The entry for `repository:tag`, if it is a dcmaid plugin.
fn entry(store: &Store, repository: &str, tag: &str) -> Option<Entry> {
    let (_, _, bytes) = store.manifest(repository, tag).ok()??;
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let annotations = manifest.get("annotations")?;
    let summary = Summary::parse(&decode(annotations.get(MANIFEST_ANNOTATION)?.as_str()?)?).ok()?;
    let signed_by = annotations
        .get(SIGNATURE_ANNOTATION)
        .and_then(|text| decode(text.as_str()?))
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|signature| signature.get("key")?.as_str().map(str::to_owned));
    Some(Entry { repository: repository.to_owned(), tag: tag.to_owned(), summary, signed_by })
}

/// Tags newest first: semantic versions by precedence, anything else after.
fn newest_first(mut tags: Vec<String>) -> Vec<String> {
    tags.sort_by(|a, b| {
        let parse = |t: &str| semver_key(t);
        parse(b).cmp(&parse(a))
    });
    tags
}

fn semver_key(tag: &str) -> Option<(u64, u64, u64)> {
    let mut parts = tag.split('.').map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

fn registry(request: &Request) -> Option<Arc<Registry>> {
    request.data::<Arc<Registry>>().cloned()
}

fn list(request: &Request) -> Response {
    let Some(registry) = registry(request) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let store = &registry.store;
    // `?q=word`: plugins whose name or description contains it (any case).
    let query = request.uri().query().and_then(|query| {
        query.split('&').find_map(|pair| pair.strip_prefix("q=")).map(str::to_lowercase)
    });
    let matches = |entry: &Entry| match &query {
        None => true,
        Some(q) => {
            entry.summary.name.to_lowercase().contains(q.as_str())
                || entry.summary.description.to_lowercase().contains(q.as_str())
        }
    };
    let entries: Vec<Entry> = store
        .repositories()
        .into_iter()
        .filter_map(|repository| {
            let tags = newest_first(store.tags(&repository).ok()?);
            tags.iter().find_map(|tag| entry(store, &repository, tag))
        })
        .filter(matches)
        .collect();
    Json(json!({ "plugins": entries })).into_response()
}

fn versions(request: &Request, name: &str) -> Response {
    let Some(registry) = registry(request) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let store = &registry.store;
    let Ok(tags) = store.tags(name) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("invalid name `{name}`") })),
        )
            .into_response();
    };
    let entries: Vec<Entry> =
        newest_first(tags).iter().filter_map(|tag| entry(store, name, tag)).collect();
    if entries.is_empty() {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": format!("no plugin `{name}`") })))
            .into_response();
    }
    Json(json!({ "name": name, "versions": entries })).into_response()
}
