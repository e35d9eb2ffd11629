//! The year-end reconciliation's pages (年终清算, docs/institutions.md): the agency's year —
//! every institution it manages with its 年终清算单, issued by the reviewer with the year's
//! assessment score, paid by finance in one batch — and the institution's own statement to
//! confirm. Server-rendered, without JavaScript, from a 390 px phone to a 1366 px desktop.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::Datelike;
use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_domain::Fen;
use yibao_service::institution::year_end::{self, AgencyYear, YearEndInput, YearEndView};

use super::chrome::Chrome;
use super::html;
use crate::auth::Auth;
use crate::error::status_of;
use crate::AppState;
use crate::PageError;

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ScoreForm {
    #[serde(default)]
    score: String,
}

#[derive(Template)]
#[template(path = "year_end.html")]
struct YearPage {
    chrome: Chrome,
    y: AgencyYear,
    can_issue: bool,
    can_pay: bool,
    error: Option<String>,
    notice: Vec<String>,
}

#[derive(Template)]
#[template(path = "year_end_statement.html")]
struct StatementPage {
    chrome: Chrome,
    /// The statement, or why there is none yet.
    v: Option<YearEndView>,
    year: i32,
    code: String,
    /// The institution's own page (confirm), else the agency's (back to the list).
    own: bool,
    error: Option<String>,
    notice: Option<String>,
}

fn yuan(fen: &i64) -> String {
    Fen(*fen).yuan_string()
}

fn yuan_opt(fen: &Option<i64>) -> String {
    fen.map(|f| Fen(f).yuan_string()).unwrap_or_default()
}

fn has(auth: &Auth, role: StaffRole) -> bool {
    auth.actor.staff().is_ok_and(|s| s.has_role(role))
}

fn is_refusal(e: &yibao_service::ServiceError) -> bool {
    matches!(
        e.kind(),
        yibao_service::ErrorKind::Invalid | yibao_service::ErrorKind::Conflict
    )
}

/// The year asked for, else the year before today's (the one being reconciled).
fn year_of(state: &AppState, q: Option<&str>) -> Result<i32, PageError> {
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(state.services.clock().today().year() - 1),
        Some(s) => s.parse().map_err(|_| {
            PageError::from(yibao_service::ServiceError::invalid(
                "year_end.year_invalid",
                "清算年度应为四位年份",
            ))
        }),
    }
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    year: i32,
    error: Option<String>,
    notice: Vec<String>,
) -> Result<Response, PageError> {
    let y = year_end::agency_year(&state.services, &auth.actor, year).await?;
    Ok(html(&YearPage {
        chrome: Chrome::of(auth),
        y,
        can_issue: has(auth, StaffRole::Reviewer),
        can_pay: has(auth, StaffRole::Finance),
        error,
        notice,
    }))
}

/// `/staff/year-end?year=`: the agency's institutions and their 年终清算单.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<YearQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&state, q.year.as_deref())?;
    list_page(&state, &auth, year, None, Vec::new()).await
}

/// The reviewer issues an institution's 年终清算单 with the year's assessment score.
pub async fn issue(
    State(state): State<AppState>,
    auth: Auth,
    Path((year, code)): Path<(i32, String)>,
    Form(f): Form<ScoreForm>,
) -> Result<Response, PageError> {
    let refused = |message: String, kind| {
        let state = state.clone();
        let auth = &auth;
        async move {
            let mut r = list_page(&state, auth, year, Some(message), Vec::new()).await?;
            *r.status_mut() = status_of(kind);
            Ok::<Response, PageError>(r)
        }
    };
    let Ok(score) = f.score.trim().parse::<i64>() else {
        return refused(
            "年度考核得分应为0至100的整数".to_string(),
            yibao_service::ErrorKind::Invalid,
        )
        .await;
    };
    match year_end::issue(
        &state.services,
        &auth.actor,
        year,
        &code,
        &YearEndInput { score },
    )
    .await
    {
        Ok(v) => {
            let notice = vec![format!(
                "已生成 {} {} 年度年终清算单：{} {} 元",
                v.code,
                v.year,
                if v.statement.net_fen < 0 {
                    "应追回"
                } else {
                    "应拨付"
                },
                Fen(v.statement.net_fen.abs()).yuan_string()
            )];
            list_page(&state, &auth, year, None, notice).await
        }
        Err(e) if is_refusal(&e) => refused(e.message(), e.kind()).await,
        Err(e) => Err(e.into()),
    }
}

/// Finance pays the year's confirmed 年终清算单 in one batch.
pub async fn pay(
    State(state): State<AppState>,
    auth: Auth,
    Path(year): Path<i32>,
) -> Result<Response, PageError> {
    match year_end::pay(&state.services, &auth.actor, year).await {
        Ok(b) => {
            let mut notice = vec![format!(
                "拨付批次 {}：{} 家机构，合计 {} 元（追回的已轧差）",
                b.batch,
                b.paid.len(),
                Fen(b.total_fen).yuan_string()
            )];
            notice.extend(
                b.paid
                    .iter()
                    .map(|p| format!("{} {} 元", p.code, Fen(p.net_fen).yuan_string())),
            );
            list_page(&state, &auth, year, None, notice).await
        }
        Err(e) if is_refusal(&e) => {
            let mut r = list_page(&state, &auth, year, Some(e.message()), Vec::new()).await?;
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// An institution's 年终清算单 as the agency sees it.
pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Path((year, code)): Path<(i32, String)>,
) -> Result<Response, PageError> {
    let v = match year_end::agency_view(&state.services, &auth.actor, year, &code).await {
        Ok(v) => Some(v),
        Err(e) if e.code() == "year_end.not_found" => None,
        Err(e) => return Err(e.into()),
    };
    Ok(html(&StatementPage {
        chrome: Chrome::of(&auth),
        v,
        year,
        code,
        own: false,
        error: None,
        notice: None,
    }))
}

async fn own_page(
    state: &AppState,
    auth: &Auth,
    year: i32,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let code = auth
        .actor
        .institution()
        .map(|i| i.code.clone())
        .map_err(PageError::from)?;
    let v = match year_end::own(&state.services, &auth.actor, year).await {
        Ok(v) => Some(v),
        Err(e) if e.code() == "year_end.not_found" => None,
        Err(e) => return Err(e.into()),
    };
    Ok(html(&StatementPage {
        chrome: Chrome::of(auth),
        v,
        year,
        code,
        own: true,
        error,
        notice,
    }))
}

/// `/institution/year-end?year=`: the institution's own 年终清算单.
pub async fn own(
    State(state): State<AppState>,
    auth: Auth,
    crate::api::ApiQuery(q): crate::api::ApiQuery<YearQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&state, q.year.as_deref())?;
    own_page(&state, &auth, year, None, None).await
}

/// The institution confirms its 年终清算单.
pub async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    Path(year): Path<i32>,
) -> Result<Response, PageError> {
    match year_end::confirm(&state.services, &auth.actor, year).await {
        Ok(_) => {
            own_page(
                &state,
                &auth,
                year,
                None,
                Some("已确认年终清算单，待经办机构拨付".into()),
            )
            .await
        }
        Err(e) if is_refusal(&e) => {
            let mut r = own_page(&state, &auth, year, Some(e.message()), None).await?;
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
