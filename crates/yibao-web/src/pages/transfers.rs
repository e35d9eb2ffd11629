//! `/staff/transfers`: the transfers (转移接续) this installation takes part in, as 转入地 or
//! 转出地, each with the step this side owes, its working-day limit and a button to do it
//! (发出联系函, 发出信息表并划转余额, 完成转入). docs/federation.md.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use yibao_domain::transfer::Step;
use yibao_service::transfer::{self, TransferView};

use super::chrome::Chrome;
use super::{html, yuan};
use crate::auth::Auth;
use crate::AppState;
use crate::PageError;

#[derive(Template)]
#[template(path = "transfers.html")]
struct ListPage {
    chrome: Chrome,
    transfers: Vec<TransferView>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
) -> Result<Response, PageError> {
    let transfers = transfer::list(&state.services, &auth.actor).await?;
    Ok(html(&ListPage {
        chrome: Chrome::of(auth),
        transfers,
        error,
    }))
}

pub async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    list_page(&state, &auth, None).await
}

/// Does the step this side owes; a step refused (out of order, no peer) is shown on the list.
pub async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Path((reference, step)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let step = Step::from_key(&step).ok_or_else(PageError::not_found)?;
    match transfer::advance(&state.services, &auth.actor, &reference, step).await {
        Ok(_) => Ok(Redirect::to("/staff/transfers").into_response()),
        Err(e)
            if matches!(
                e.kind(),
                yibao_service::ErrorKind::Invalid | yibao_service::ErrorKind::Conflict
            ) =>
        {
            let mut r = list_page(&state, &auth, Some(e.message())).await?;
            *r.status_mut() = crate::error::status_of(e.kind());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
