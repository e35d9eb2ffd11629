//! Driving a case the way the window does, for journeys through the case engine.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use super::{Reply, TestApp};

pub async fn act(app: &TestApp, token: &str, number: &str, action: &str) -> Reply {
    app.post_json(
        &format!("/api/v1/cases/{number}/actions/{action}"),
        Some(token),
        json!({ "note": "" }),
    )
    .await
}

pub async fn view(app: &TestApp, token: &str, number: &str) -> Value {
    let r = app
        .call("GET", &format!("/api/v1/cases/{number}"), Some(token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["view"].clone()
}

pub async fn provide(app: &TestApp, token: &str, number: &str, material: &str) {
    provide_with_seal(app, token, number, material, false).await
}

/// Presents a material at the window; `sealed`: the clerk confirms the unit's seal on it.
pub async fn provide_with_seal(
    app: &TestApp,
    token: &str,
    number: &str,
    material: &str,
    sealed: bool,
) {
    let boundary = "yibaoBOUNDARY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"material_id\"\r\n\r\n{material}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"seal_confirmed\"\r\n\r\n{sealed}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"provided_as\"\r\n\r\noriginal\r\n--{boundary}--\r\n"
    );
    let req = Request::post(format!("/api/v1/cases/{number}/materials"))
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "material {material}: {}",
        r.body
    );
}

/// Presents what the view says is missing — a `one_of:<label>` set by its first member — each
/// with its seal confirmed where the guide asks for one.
pub async fn provide_missing(app: &TestApp, clerk: &str, number: &str, v: &Value) {
    let catalog = yibao_service::catalog::embedded().unwrap();
    let item = catalog
        .find_version(
            v["case"]["jurisdiction"].as_str().unwrap(),
            v["case"]["item_id"].as_str().unwrap(),
            v["case"]["item_version"].as_u64().unwrap() as u32,
        )
        .unwrap();
    for m in v["missing"].as_array().unwrap() {
        let key = m["key"].as_str().unwrap();
        let id = match key.strip_prefix("one_of:") {
            Some(g) => item
                .materials
                .iter()
                .find(|x| x.one_of.as_deref() == Some(g))
                .map(|x| x.id.as_str())
                .unwrap(),
            None => key,
        };
        let sealed = item.materials.iter().any(|x| x.id == id && x.seal_required);
        provide_with_seal(app, clerk, number, id, sealed).await;
    }
}

/// Takes a submitted (or draft) case to its end the way the window does: every missing
/// material presented in the original, then accepted and completed (or approved by the
/// reviewer). Returns the last reply: OK with the case, or the refusal of the effect.
pub async fn drive(app: &TestApp, clerk: &str, reviewer: Option<&str>, number: &str) -> Reply {
    let v = view(app, clerk, number).await;
    if v["case"]["status"] == "draft" {
        provide_missing(app, clerk, number, &v).await;
        let r = act(app, clerk, number, "submit").await;
        assert_eq!(r.status, StatusCode::OK, "submit: {}", r.body);
    }
    let v = view(app, clerk, number).await;
    if v["case"]["status"] == "submitted" {
        provide_missing(app, clerk, number, &v).await;
    }
    for _ in 0..4 {
        let v = view(app, clerk, number).await;
        let actions: Vec<String> = v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a[0].as_str().unwrap().to_string())
            .collect();
        let pick = ["accept_and_complete", "complete", "accept"]
            .into_iter()
            .find(|a| actions.iter().any(|x| x == a));
        let r = match (pick, reviewer) {
            (Some(a), _) => act(app, clerk, number, a).await,
            (None, Some(rv)) => act(app, rv, number, "approve").await,
            (None, None) => panic!("no action for the clerk: {v}"),
        };
        if !r.status.is_success() || r.json()["case"]["status"] == "completed" {
            return r;
        }
    }
    panic!("case {number} did not complete");
}

/// Opens a case at the window; returns its number.
pub async fn window(app: &TestApp, clerk: &str, body: Value) -> String {
    let r = app
        .post_json("/api/v1/cases", Some(clerk), body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{body}: {}", r.body);
    r.json()["case"]["number"].as_str().unwrap().to_string()
}

pub async fn outcome(app: &TestApp, token: &str, number: &str) -> Value {
    view(app, token, number).await["outcome"].clone()
}
