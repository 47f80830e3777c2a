//! The web console: three files, built into the binary, served at `/console/`. They fetch
//! nothing from anywhere but this host's API.

use poem::http::StatusCode;
use poem::web::Redirect;
use poem::{Endpoint, IntoResponse, Request, Response, Route, get, handler};

const INDEX: &str = include_str!("../../console/index.html");
const SCRIPT: &str = include_str!("../../console/console.js");
const STYLE: &str = include_str!("../../console/console.css");

/// Keeps the console to this host's own files, scripts and API.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

pub fn routes() -> impl Endpoint {
    Route::new().at("/", get(index)).at("/console.js", get(script)).at("/console.css", get(style))
}

/// The root, and `/console` without its slash (which would resolve the files' relative URLs
/// against `/`), go to `/console/`.
#[handler]
pub fn to_console() -> Redirect {
    Redirect::see_other("/console/")
}

fn file(content_type: &'static str, body: &'static str) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .content_type(content_type)
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Cache-Control", "no-cache")
        .body(body)
        .into_response()
}

#[handler]
fn index(request: &Request) -> Response {
    if !request.original_uri().path().ends_with('/') {
        return Redirect::see_other("/console/").into_response();
    }
    file("text/html; charset=utf-8", INDEX)
}

#[handler]
fn script() -> Response {
    file("text/javascript; charset=utf-8", SCRIPT)
}

#[handler]
fn style() -> Response {
    file("text/css; charset=utf-8", STYLE)
}
