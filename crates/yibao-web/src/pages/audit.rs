//! The auditor's page: search the audit chain and verify it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_service::audit::{self, AuditRow, VerifyReport};
use yibao_service::paging::{Paged, Span};

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
    pager: super::pager::Pager,
    report: Option<VerifyReport>,
    can_verify: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyFlag {
    verify: Option<String>,
    format: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
    ApiQuery(v): ApiQuery<VerifyFlag>,
) -> Result<Response, PageError> {
    let export = v.format.as_deref() == Some("xlsx");
    let span = if export {
        Span::Export
    } else {
        Span::Page(q.page.unwrap_or(1).clamp(1, 1_000_000))
    };
    let found = audit::search(&state.services, &auth.actor, &q.filter(), span.window()).await?;
    let found = Paged::new(found.rows, span, found.total);
    if export {
        let rows: Vec<Vec<String>> = found
            .items
            .iter()
            .map(|e| {
                vec![
                    yibao_service::clock::local_text(&e.at),
                    e.actor_label.clone(),
                    e.action.clone(),
                    e.target_kind.clone(),
                    e.target_id.clone(),
                    e.summary.clone(),
                    if e.chain.is_empty() {
                        e.seq.to_string()
                    } else {
                        format!("{} #{}", e.chain, e.seq)
                    },
                ]
            })
            .collect();
        return crate::export::download(
            "审计日志",
            state.services.clock().today(),
            "审计日志",
            &[
                "时间",
                "操作人",
                "操作",
                "对象类型",
                "对象",
                "摘要",
                "链与序号",
            ],
            &rows,
        );
    }
    let params = [
        ("action", q.action.as_str()),
        ("target_kind", q.target_kind.as_str()),
        ("target_id", q.target_id.as_str()),
        ("actor", q.actor.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
    ];
    let pager = super::pager::Pager::new("/audit", &params, &found);
    let entries = found.items;
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
        pager,
        report,
        can_verify,
    }))
}
