//! A citizen's remote-care filings and the printable filing confirmation (备案凭证).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use yibao_service::filing::{self, FilingRecord};

use crate::auth::Auth;
use crate::error::PageError;
use crate::pages::chrome::Chrome;
use crate::pages::html;
use crate::AppState;

pub struct Row {
    pub id: String,
    pub kind: &'static str,
    pub target: String,
    pub from: String,
    pub to: String,
    pub status: &'static str,
}

fn row(r: &FilingRecord, today: chrono::NaiveDate) -> Row {
    let f = &r.filing;
    Row {
        id: f.id.clone(),
        kind: f.kind.label(),
        target: f.target.label(),
        from: f.effective_from.to_string(),
        to: f
            .last_day()
            .map(|d| d.to_string())
            .unwrap_or_else(|| "长期（至变更或取消）".into()),
        status: f.status(today).label(),
    }
}

#[derive(Template)]
#[template(path = "filings.html")]
struct FilingsPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

pub async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let today = state.services.clock().today();
    let rows = filing::mine(&state.services, &auth.actor)
        .await?
        .iter()
        .map(|r| row(r, today))
        .collect();
    Ok(html(&FilingsPage {
        chrome: Chrome::of(&auth),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "filing.html")]
struct FilingPage {
    chrome: Chrome,
    r: Row,
    name: String,
    id_number: String,
    scheme: &'static str,
    insured_region: String,
    recorded_on: String,
    case_number: String,
    validity_source: &'static str,
    can_cancel: bool,
    message: Option<String>,
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
    if q.format.as_deref() == Some("pdf") {
        return pdf(&state, &auth, &id).await;
    }
    page(&state, &auth, &id, None).await
}

/// The filing confirmation (备案凭证) as a PDF (issue #23).
async fn pdf(state: &AppState, auth: &Auth, id: &str) -> Result<Response, PageError> {
    let today = state.services.clock().today();
    let record = filing::get(&state.services, &auth.actor, id).await?;
    let r = row(&record, today);
    let lines: Vec<(String, String)> = vec![
        ("备案号".into(), r.id.clone()),
        ("姓名".into(), record.application.name.clone()),
        (
            "公民身份号码".into(),
            record.filing.person.as_str().to_string(),
        ),
        ("险种".into(), record.application.scheme.label().to_string()),
        ("备案类别".into(), r.kind.to_string()),
        (
            "参保地".into(),
            format!(
                "{} {}",
                record.filing.insured_region.province_name(),
                record.filing.insured_region.as_str()
            ),
        ),
        ("备案就医地".into(), r.target.clone()),
        ("备案日期".into(), record.filing.recorded_on.to_string()),
        ("生效日期".into(), r.from.clone()),
        ("截止日期".into(), r.to.clone()),
        ("状态".into(), r.status.to_string()),
        (
            "办件编号".into(),
            record.case_number.clone().unwrap_or_default(),
        ),
        ("有效期规则".into(), filing::policy().source.to_string()),
    ];
    crate::pdf::download(
        &crate::pdf::PrintDoc {
            title: "异地就医备案凭证",
            lines: &lines,
            table_head: &[],
            table: &[],
            footer: vec![
                "本凭证由医保经办服务平台生成，可打印留存。备案信息以经办机构系统记录为准。".into(),
            ],
        },
        &format!("异地就医备案凭证-{}", r.id),
        &today.to_string(),
    )
}

/// 取消备案 from the confirmation page.
pub async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // Cancelling ends the filing from today: the person confirms they mean it.
    let confirmed = form_urlencoded::parse(&body).any(|(k, v)| k == "confirm" && v == "yes");
    if !confirmed {
        let mut r = page(
            &state,
            &auth,
            &id,
            Some("取消后自今日起不再按该备案结算，请勾选确认后再取消".into()),
        )
        .await?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    match filing::cancel_by(&state.services, &auth.actor, &id).await {
        Ok(_) => {
            page(
                &state,
                &auth,
                &id,
                Some("备案已取消，自今日起不再适用".into()),
            )
            .await
        }
        Err(e) if e.kind() == yibao_service::ErrorKind::Invalid => {
            page(&state, &auth, &id, Some(e.message())).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn page(
    state: &AppState,
    auth: &Auth,
    id: &str,
    message: Option<String>,
) -> Result<Response, PageError> {
    let today = state.services.clock().today();
    let record = filing::get(&state.services, &auth.actor, id).await?;
    Ok(html(&FilingPage {
        chrome: Chrome::of(auth),
        can_cancel: record.filing.is_current(today),
        message,
        r: row(&record, today),
        name: record.application.name.clone(),
        id_number: record.filing.person.as_str().to_string(),
        scheme: record.application.scheme.label(),
        insured_region: format!(
            "{} {}",
            record.filing.insured_region.province_name(),
            record.filing.insured_region.as_str()
        ),
        recorded_on: record.filing.recorded_on.to_string(),
        case_number: record.case_number.clone().unwrap_or_default(),
        validity_source: filing::policy().source,
    }))
}
