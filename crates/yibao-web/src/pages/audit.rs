//! The auditor's page: search the audit chain and verify it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_service::audit::{self, AuditRow, VerifyReport};

use crate::api::audit::AuditQuery;
use crate::api::ApiQuery;
use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    q: AuditQuery,
    entries: Vec<AuditRow>,
    report: Option<VerifyReport>,
    can_verify: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyFlag {
    verify: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
    ApiQuery(v): ApiQuery<VerifyFlag>,
) -> Result<Response, PageError> {
    let entries = audit::search(&state.services, &auth.actor, &q.filter(), 200).await?;
    let can_verify = auth.actor.staff_with(StaffRole::Auditor).is_ok();
    let report = if can_verify && v.verify.is_some() {
        Some(audit::verify(&state.services).await?)
    } else {
        None
    };
    Ok(html(&AuditPage {
        chrome: Chrome::of(&auth),
        q,
        entries,
        report,
        can_verify,
    }))
}
