//! The OpenAPI document covers every route the API modules register (read from their source, so
//! a new `.route(…)` without its annotation fails here), with the error shape and security.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use yibao_store::Backend;

/// (path, method) of every `.route("…", get(…).post(…))` in `src/api/*.rs`.
fn registered_routes() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + 7..];
            let open = rest.find('"').unwrap();
            let close = open + 1 + rest[open + 1..].find('"').unwrap();
            let route = &rest[open + 1..close];
            // The method calls up to the end of this `.route(…)`.
            let mut depth = 1;
            let mut end = 0;
            for (k, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let methods = &rest[close..end];
            for m in ["get", "post"] {
                if methods.contains(&format!("{m}(")) {
                    out.push((format!("/api/v1{route}"), m.to_string()));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_api_route_is_documented() {
    let app = TestApp::new(Backend::Sqlite).await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let routes = registered_routes();
    assert!(routes.len() > 50, "{routes:?}");
    let mut missing = Vec::new();
    for (path, method) in &routes {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        if doc["paths"][path.as_str()][method.as_str()].is_null() {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:?}");
    // Errors share one shape; protected operations name their security.
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["paths"]["/api/v1/persons"]["get"]["security"].is_array());
    assert!(
        doc["paths"]["/api/v1/catalog"]["get"]["security"].is_null(),
        "the catalog is public"
    );
    app.finish().await;
}
