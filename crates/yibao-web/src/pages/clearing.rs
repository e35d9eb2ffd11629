//! `/staff/clearing`: cross-province clearing statements (跨省异地就医费用清算, docs/clearing.md)
//! this installation holds as care side or insured side, a form to issue an ended month's
//! statements (finance), and `/staff/clearing/{id}` with a statement's lines and disputes.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yibao_domain::staff::StaffRole;
use yibao_service::clearing::{self, LineView, StatementView};

use super::chrome::Chrome;
use super::{html, yuan};
use crate::auth::Auth;
use crate::error::status_of;
use crate::AppState;
use crate::PageError;

fn yuan_opt(fen: &Option<i64>) -> String {
    fen.map(|f| yibao_domain::Fen(f).yuan_string())
        .unwrap_or_else(|| "—".into())
}

#[derive(Template)]
#[template(path = "clearing.html")]
struct ListPage {
    chrome: Chrome,
    statements: Vec<StatementView>,
    can_issue: bool,
    /// The month the form proposes: the last ended one.
    month: String,
    error: Option<String>,
    notice: Option<String>,
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let statements = clearing::list(&state.services, &auth.actor).await?;
    let today = state.services.clock().today();
    let month = yibao_domain::clearing::Month::of(today).previous().key();
    Ok(html(&ListPage {
        chrome: Chrome::of(auth),
        can_issue: auth
            .actor
            .staff()
            .is_ok_and(|s| s.has_role(StaffRole::Finance)),
        statements,
        month,
        error,
        notice,
    }))
}

pub async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    list_page(&state, &auth, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    month: String,
}

/// Issues the month's statements; a refusal (month not ended, no counterpart) is shown on the
/// list with its status.
pub async fn issue(
    State(state): State<AppState>,
    auth: Auth,
    axum::Form(f): axum::Form<IssueForm>,
) -> Result<Response, PageError> {
    match clearing::issue(&state.services, &auth.actor, &f.month).await {
        Ok(done) if done.issued.is_empty() => {
            let notice = format!(
                "{} 没有需要出具的跨省清算单（已出具的不重复出具）。",
                done.month
            );
            list_page(&state, &auth, None, Some(notice)).await
        }
        Ok(_) => Ok(Redirect::to("/staff/clearing").into_response()),
        Err(e)
            if matches!(
                e.kind(),
                yibao_service::ErrorKind::Invalid | yibao_service::ErrorKind::Conflict
            ) =>
        {
            let mut r = list_page(&state, &auth, Some(e.message()), None).await?;
            *r.status_mut() = status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "clearing_statement.html")]
struct DetailPage {
    chrome: Chrome,
    s: StatementView,
    lines: Vec<LineView>,
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::not_found())?;
    let d = clearing::detail(&state.services, &auth.actor, id).await?;
    Ok(html(&DetailPage {
        chrome: Chrome::of(&auth),
        s: d.statement,
        lines: d.lines,
    }))
}
