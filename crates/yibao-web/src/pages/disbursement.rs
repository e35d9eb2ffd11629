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
    Ok(html(&ListPage {
        chrome: Chrome::of(auth),
        waiting,
        batches,
        can_pay,
        error,
    }))
}

pub async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    list_page(&state, &auth, None).await
}

/// Pays every waiting case in one batch, then shows the batch.
pub async fn run(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    match disbursement::run(&state.services, &auth.actor, None).await {
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

pub async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::not_found())?;
    let b = disbursement::get(&state.services, &auth.actor, id).await?;
    Ok(html(&BatchPage {
        chrome: Chrome::of(&auth),
        b,
    }))
}
