//! The OpenAPI document as the server behaves: every request body it takes refuses members
//! it does not know (a typo is an error, not a silence), and the document says so
//! (`additionalProperties: false`), which poem-openapi does not write by itself.

use serde_json::Value;

/// `spec` (JSON) with every request body's schema closed to unknown members.
pub fn closed_request_bodies(spec: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(spec) else { return spec.to_owned() };
    let mut referenced = Vec::new();
    if let Some(paths) = document["paths"].as_object_mut() {
        for operation in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in operation.values_mut() {
                // `get_mut`, not indexing: a missing key must stay missing, not become null.
                let content = operation
                    .get_mut("requestBody")
                    .and_then(|body| body.get_mut("content"))
                    .and_then(Value::as_object_mut);
                let Some(content) = content else { continue };
                for schema in content.values_mut().filter_map(|media| media.get_mut("schema")) {
                    match schema.get("$ref").and_then(Value::as_str) {
                        Some(reference) => referenced.push(reference.to_owned()),
                        None => close(schema),
                    }
                }
            }
        }
    }
    let schemas = document
        .get_mut("components")
        .and_then(|components| components.get_mut("schemas"))
        .and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        for reference in referenced {
            let name = reference.rsplit('/').next().unwrap_or_default();
            if let Some(schema) = schemas.get_mut(name) {
                close(schema);
            }
        }
    }
    document.to_string()
}

fn close(schema: &mut Value) {
    if let Some(object) = schema.as_object_mut()
        && object.get("type").and_then(Value::as_str) == Some("object")
    {
        object.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_are_closed_and_responses_left_alone() {
        let spec = r##"{
            "paths": {"/chat": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatRequest"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outcome"}}}}}
            }}, "/upload": {"post": {
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {}}}}}
            }}},
            "components": {"schemas": {"ChatRequest": {"type": "object"}, "Outcome": {"type": "object"}}}
        }"##;
        let closed: Value = serde_json::from_str(&closed_request_bodies(spec)).unwrap();
        assert_eq!(closed["components"]["schemas"]["ChatRequest"]["additionalProperties"], false);
        assert_eq!(closed["components"]["schemas"]["Outcome"].get("additionalProperties"), None);
        let upload = &closed["paths"]["/upload"]["post"]["requestBody"]["content"];
        assert_eq!(upload["multipart/form-data"]["schema"]["additionalProperties"], false);
        let chat = closed["paths"]["/chat"]["post"].as_object().unwrap();
        assert!(chat.contains_key("requestBody") && chat.len() == 2, "nothing added: {chat:?}");
    }
}
