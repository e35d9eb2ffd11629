//! The OpenAPI document of `/api/v1`, served at `GET /api/v1/openapi.json`.
//!
//! The paths come from the router itself: every API module registers its handlers with
//! `utoipa_axum`'s `routes!`, which takes the method and path from each handler's
//! `#[utoipa::path]`, so what is served and what is documented are one list (`super::documented`).
//! What is declared here is the rest of the document: its info, the error schema and the
//! security schemes.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "yibao 医保经办服务平台 API",
        description = "错误一律为 JSON：{\"code\": 稳定代码, \"message\": 中文说明, \"details\": …}。浏览器会话（cookie）的非安全请求须带 X-CSRF-Token；程序用 Authorization: Bearer（登录所得令牌，或定点医药机构的 ybi_ 令牌）。"
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("yibao_session"))),
        );
    }
}

/// `GET /api/v1/openapi.json`: the document, built once when the router is.
pub fn routes(document: utoipa::openapi::OpenApi) -> Router<AppState> {
    let document = std::sync::Arc::new(document);
    Router::new().route(
        &format!("{}/openapi.json", super::PREFIX),
        get(move || {
            let document = document.clone();
            async move { Json(document) }
        }),
    )
}

/// The document is snapshot-tested: any change to a path, a parameter, a body or a schema shows
/// as a diff of `src/api/snapshots/yibao_web__api__openapi__tests__openapi.snap` in review.
///
/// To accept an intended change, run the test and review the new snapshot:
/// `cargo insta review` (with `cargo install cargo-insta`), or
/// `INSTA_UPDATE=always cargo test -p yibao-web --lib api::openapi`, then read and commit the
/// diff. Without those, a mismatch fails the test and leaves a `.snap.new` beside it; with
/// `CI` set (as in CI) insta writes nothing and a mismatch or a missing snapshot fails.
#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// The document as JSON with every object's keys sorted, so the snapshot does not depend on
    /// the order handlers are registered in (`serde_json` keeps insertion order in this build).
    fn document() -> Value {
        fn sorted(v: Value) -> Value {
            match v {
                Value::Object(m) => {
                    let mut entries: Vec<(String, Value)> = m.into_iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(&b.0));
                    Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
                }
                Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
                other => other,
            }
        }
        sorted(serde_json::to_value(super::super::document()).expect("the document serialises"))
    }

    /// (path, method, operation) of every operation.
    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                if op.is_object() {
                    out.push((path.clone(), method.clone(), op.clone()));
                }
            }
        }
        out
    }

    fn schema_ref(media: &Value) -> Option<&str> {
        media["schema"]["$ref"].as_str()
    }

    #[test]
    fn document_matches_snapshot() {
        // An update mode set in CI would accept any document; refuse it there.
        if std::env::var_os("CI").is_some() {
            let update = std::env::var("INSTA_UPDATE").unwrap_or_default();
            assert!(
                !matches!(update.as_str(), "always" | "1" | "force"),
                "INSTA_UPDATE={update} in CI would accept any document"
            );
            assert!(
                std::env::var_os("INSTA_FORCE_PASS").is_none(),
                "INSTA_FORCE_PASS in CI would accept any document"
            );
        }
        insta::assert_json_snapshot!("openapi", document());
    }

    #[test]
    fn every_operation_is_secured_or_explicitly_public() {
        let doc = document();
        let schemes = doc["components"]["securitySchemes"]
            .as_object()
            .expect("security schemes");
        assert!(schemes.contains_key("bearer") && schemes.contains_key("cookie"));
        let ops = operations(&doc);
        assert!(ops.len() > 70, "{} operations", ops.len());
        let mut problems = Vec::new();
        for (path, method, op) in &ops {
            // `security(())` in the annotation writes `[{}]`: public on purpose. No `security`
            // at all is an operation nobody decided about.
            let Some(reqs) = op.get("security").and_then(Value::as_array) else {
                problems.push(format!(
                    "{method} {path}: no security (add security(()) if public)"
                ));
                continue;
            };
            for req in reqs {
                for name in req.as_object().into_iter().flat_map(|r| r.keys()) {
                    if !schemes.contains_key(name) {
                        problems.push(format!("{method} {path}: unknown scheme {name}"));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
        let public = |path: &str, method: &str| {
            ops.iter()
                .find(|(p, m, _)| p == path && m == method)
                .map(|(_, _, op)| op["security"] == serde_json::json!([{}]))
        };
        assert_eq!(public("/api/v1/catalog", "get"), Some(true));
        assert_eq!(public("/api/v1/auth/login", "post"), Some(true));
        assert_eq!(public("/api/v1/persons", "get"), Some(false));
        assert_eq!(public("/api/v1/settlements", "post"), Some(false));
    }

    #[test]
    fn every_error_answer_is_the_error_schema() {
        const ERROR: &str = "#/components/schemas/ErrorBody";
        // The identifier check answers an invalid number with the result's own shape (which
        // carries `code` and `message` too), as documented in `check.rs`.
        let exceptions = [("/api/v1/check/{kind}/{value}", "get", "422")];
        let doc = document();
        let mut problems = Vec::new();
        for (path, method, op) in operations(&doc) {
            let responses = op["responses"].as_object().expect("responses");
            if !responses.contains_key("4XX") {
                problems.push(format!("{method} {path}: no 4XX answer"));
            }
            for (status, response) in responses {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                if exceptions.contains(&(path.as_str(), method.as_str(), status.as_str())) {
                    continue;
                }
                let json = &response["content"]["application/json"];
                if schema_ref(json) != Some(ERROR) {
                    problems.push(format!("{method} {path} {status}: not ErrorBody"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// What makes "typed bodies" enforced: a JSON body (answer or request) is a named component
    /// with its fields described, never an inline or free-form object.
    #[test]
    fn every_json_body_is_a_described_component() {
        let doc = document();
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        let described = |name: &str| {
            let s = &schemas[name];
            s.get("properties").is_some()
                || s.get("oneOf").is_some()
                || s.get("allOf").is_some()
                || s["additionalProperties"].get("type").is_some()
        };
        let check = |what: String, content: &Value| {
            let mut problems = Vec::new();
            for (media, body) in content.as_object().into_iter().flatten() {
                if media != "application/json" && media != "multipart/form-data" {
                    continue;
                }
                match schema_ref(body).and_then(|r| r.strip_prefix("#/components/schemas/")) {
                    Some(name) if schemas.contains_key(name) && described(name) => {}
                    Some(name) => problems.push(format!("{what}: {name} is not described")),
                    None => problems.push(format!("{what}: inline {media} body")),
                }
            }
            problems
        };
        let mut problems = Vec::new();
        for (path, method, op) in operations(&doc) {
            for (status, response) in op["responses"].as_object().expect("responses") {
                problems.extend(check(
                    format!("{method} {path} {status}"),
                    &response["content"],
                ));
            }
            problems.extend(check(
                format!("{method} {path} request"),
                &op["requestBody"]["content"],
            ));
            // A success answer that is JSON must say so; only downloads may be something else.
            let has_json_success = op["responses"]
                .as_object()
                .expect("responses")
                .iter()
                .any(|(s, r)| s.starts_with('2') && r["content"].as_object().is_some());
            let no_body = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .any(|s| s == "204");
            if !has_json_success && !no_body {
                problems.push(format!("{method} {path}: success answer without a body"));
            }
        }
        // Every reference resolves.
        let text = doc.to_string();
        for piece in text.split("\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap_or_default();
            if !schemas.contains_key(name) {
                problems.push(format!("dangling $ref {name}"));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
