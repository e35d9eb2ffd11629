//! The home page and the agencies (经办机构) page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use yibao_service::overview::{overview, Overview};

use crate::error::PageError;
use crate::pages::html;
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    overview: Overview,
    database: &'static str,
}

pub async fn home(State(state): State<AppState>) -> Result<Response, PageError> {
    let overview = overview(&state.services).await?;
    Ok(html(&HomePage {
        overview,
        database: state.services.store().backend().name(),
    }))
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    overview: Overview,
}

pub async fn agencies(State(state): State<AppState>) -> Result<Response, PageError> {
    let overview = overview(&state.services).await?;
    Ok(html(&AgenciesPage { overview }))
}
