//! The identifier check page (号码校验): a plain GET form, so it works without JavaScript.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;
use yibao_service::check::{check, CheckResult, IdentifierKind};

use crate::auth::Auth;
use crate::pages::chrome::Chrome;
use crate::pages::html;

#[derive(Debug, Deserialize)]
pub struct CheckQuery {
    kind: Option<String>,
    value: Option<String>,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    chrome: Chrome,
    kind: String,
    value: String,
    result: Option<CheckResult>,
    kind_error: Option<String>,
}

/// A malformed query string is treated as an empty form rather than an error.
pub async fn page(auth: Auth, query: Result<Query<CheckQuery>, QueryRejection>) -> Response {
    let CheckQuery { kind, value } = query.map(|q| q.0).unwrap_or(CheckQuery {
        kind: None,
        value: None,
    });
    let kind_text = kind.unwrap_or_else(|| "id".to_string());
    let value = value.unwrap_or_default();
    let (result, kind_error) = match IdentifierKind::parse(&kind_text) {
        Some(k) if !value.trim().is_empty() => (Some(check(k, &value)), None),
        Some(_) => (None, None),
        None => (None, Some("请选择要校验的号码类型".to_string())),
    };
    html(&CheckPage {
        chrome: Chrome::of(&auth),
        kind: kind_text,
        value,
        result,
        kind_error,
    })
}
