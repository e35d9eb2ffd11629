//! Finance's disbursement page: the cases waiting for payment, one button to pay them in a
//! batch, the agency's batches, and one batch's lines (printable).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use yibao_domain::staff::StaffRole;
use yibao_service::disbursement::{self, Batch, BatchRow, Waiting};

use super::chrome::Chrome;
use super::html;
use crate::auth::Auth;
use crate::AppState;
use crate::PageError;

#[derive(Template)]
#[template(path = "disbursement.html")]
struct ListPage {
    chrome: Chrome,
    waiting: Vec<Waiting>,
    batches: Vec<BatchRow>,
    can_pay: bool,
    error: Option<String>,
    /// The sum of the waiting cases' calculated payments.
    total_fen: i64,
}

fn yuan(fen: &i64) -> String {
    yibao_domain::Fen(*fen).to_string()
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
) -> Result<Response, PageError> {
    let batches = disbursement::list(&state.services, &auth.actor).await?;
    let can_pay = auth
        .actor
        .staff()
        .is_ok_and(|s| s.has_role(StaffRole::Finance));
    let waiting = if can_pay {
        disbursement::waiting(&state.services, &auth.actor).await?
    } else {
        Vec::new()
    };
    let total_fen = waiting
        .iter()
        .filter_map(|w| w.amount_fen)
        .try_fold(0i64, i64::checked_add)
        .ok_or_else(|| {
            PageError::from(yibao_service::ServiceError::internal(
                "disbursement.total_overflow",
                "待拨付金额合计超出范围",
            ))
        })?;
    Ok(html(&ListPage {
        chrome: Chrome::of(auth),
        total_fen,
        waiting,
        batches,
        can_pay,
        error,
    }))
}

pub async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    list_page(&state, &auth, None).await
}

/// Pays the cases finance saw listed with their amounts and confirmed (a case that became
/// ready meanwhile waits for the next batch), then shows the batch.
pub async fn run(
    State(state): State<AppState>,
    auth: Auth,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let mut listed: Vec<String> = Vec::new();
    let mut confirmed = false;
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "cases" => listed.push(v.trim().to_string()),
            "confirm" => confirmed = v == "yes",
            _ => {}
        }
    }
    if !confirmed || listed.is_empty() {
        let mut r = list_page(
            &state,
            &auth,
            Some("请逐笔核对待拨付清单和合计金额，勾选确认后再拨付".into()),
        )
        .await?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    match disbursement::run(&state.services, &auth.actor, Some(&listed)).await {
        Ok(b) => Ok(Redirect::to(&format!("/cases/disbursement/{}", b.batch.id)).into_response()),
        Err(e) if e.kind() == yibao_service::ErrorKind::Invalid => {
            let mut r = list_page(&state, &auth, Some(e.message())).await?;
            *r.status_mut() = crate::error::status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "disbursement_batch.html")]
struct BatchPage {
    chrome: Chrome,
    b: Batch,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct OneQuery {
    format: Option<String>,
}

pub async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    crate::api::ApiQuery(q): crate::api::ApiQuery<OneQuery>,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::not_found())?;
    let b = disbursement::get(&state.services, &auth.actor, id).await?;
    if q.format.as_deref() == Some("pdf") {
        // The batch as finance files it (issue #23): the batch lines and its total.
        let lines = vec![
            ("批次编号".to_string(), b.batch.number.clone()),
            (
                "状态".to_string(),
                yibao_domain::codes::BatchStatus::label_of_key(&b.batch.status).to_string(),
            ),
            (
                "生成".to_string(),
                format!(
                    "{} {}",
                    yibao_service::clock::local_text(&b.batch.created_at),
                    b.batch.created_by
                ),
            ),
            ("已拨付件数".to_string(), b.batch.paid_count.to_string()),
            (
                "合计（元）".to_string(),
                yibao_domain::Fen(b.batch.total_fen).yuan_string(),
            ),
        ];
        let head: Vec<String> = ["办件编号", "申请人", "结果", "金额（元）", "说明"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let table: Vec<Vec<String>> = b
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.case_number.clone(),
                    l.applicant.clone(),
                    yibao_domain::codes::LineResult::label_of_key(&l.result).to_string(),
                    yibao_domain::Fen(l.amount_fen).yuan_string(),
                    l.message.clone(),
                ]
            })
            .collect();
        return crate::pdf::download(
            &crate::pdf::PrintDoc {
                title: "拨付批次",
                lines: &lines,
                table_head: &head,
                table: &table,
                footer: vec!["医保经办服务平台 · 拨付批次明细".into()],
            },
            &format!("拨付批次-{}", b.batch.number),
            &state.services.clock().today().to_string(),
        );
    }
    Ok(html(&BatchPage {
        chrome: Chrome::of(&auth),
        b,
    }))
}
