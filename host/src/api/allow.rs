//! `405 Method Not Allowed` says which methods are: the `Allow` header (RFC 9110 §15.5.6),
//! from the OpenAPI document, so that it never disagrees with what the API serves.

use std::collections::BTreeMap;
use std::sync::Arc;

use poem::http::{StatusCode, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request};

/// Each documented path (its segments, `{name}` for a parameter) and its methods.
#[derive(Debug, Default)]
pub struct Methods {
    paths: Vec<(Vec<String>, Vec<String>)>,
}

impl Methods {
    /// The paths and methods of the OpenAPI document `spec` (JSON).
    pub fn of_spec(spec: &str) -> Methods {
        let document: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut paths = Vec::new();
        if let Some(documented) = document["paths"].as_object() {
            for (path, operations) in documented {
                let segments = path.trim_matches('/').split('/').map(str::to_owned).collect();
                let mut methods: BTreeMap<usize, String> = BTreeMap::new();
                for method in operations.as_object().map(|o| o.keys()).into_iter().flatten() {
                    let upper = method.to_ascii_uppercase();
                    let order = ORDER.iter().position(|m| *m == upper).unwrap_or(ORDER.len());
                    methods.insert(order * 100 + methods.len(), upper);
                }
                paths.push((segments, methods.into_values().collect()));
            }
        }
        Methods { paths }
    }

    /// The methods of the documented path `path` (under the API's prefix) matches.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let given: Vec<&str> = path.trim_matches('/').split('/').collect();
        let matches = |template: &[String]| {
            template.len() == given.len()
                && template.iter().zip(&given).all(|(t, g)| t.starts_with('{') || t == g)
        };
        let (_, methods) = self.paths.iter().find(|(template, _)| matches(template))?;
        Some(methods.join(", "))
    }
}

/// The order methods are listed in.
const ORDER: [&str; 5] = ["GET", "HEAD", "POST", "PUT", "DELETE"];

/// `endpoint` (the API, nested under `prefix`), its 405s with an `Allow` header.
pub fn with_allow(
    endpoint: impl Endpoint + 'static,
    prefix: &'static str,
    methods: Arc<Methods>,
) -> impl Endpoint {
    endpoint.around(move |endpoint, request: Request| {
        let methods = methods.clone();
        async move {
            let path = request.uri().path().to_owned();
            let response = match endpoint.call(request).await {
                Ok(response) => response.into_response(),
                Err(error) => error.into_response(),
            };
            if response.status() != StatusCode::METHOD_NOT_ALLOWED {
                return Ok(response);
            }
            let relative = path.strip_prefix(prefix).unwrap_or(&path);
            Ok(match methods.allowed(relative) {
                Some(allowed) => response.with_header(header::ALLOW, allowed).into_response(),
                None => response,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_gets_the_methods_its_template_documents() {
        let spec = r#"{"paths": {
            "/jobs": {"get": {}, "post": {}},
            "/jobs/{name}": {"delete": {}, "get": {}},
            "/jobs/{name}/run": {"post": {}}
        }}"#;
        let methods = Methods::of_spec(spec);
        assert_eq!(methods.allowed("/jobs").as_deref(), Some("GET, POST"));
        assert_eq!(methods.allowed("/jobs/backup").as_deref(), Some("GET, DELETE"));
        assert_eq!(methods.allowed("/jobs/backup/run").as_deref(), Some("POST"));
        assert_eq!(methods.allowed("/nothing"), None);
    }
}
